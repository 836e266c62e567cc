package client_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/master"
	"github.com/saltraet/saltraet/pkg/salt/minion"
)

// The job path end to end (issue 16): the salt command's library publishes
// test.ping to one real minion through a real master, over real UDP and
// Unix sockets in this process, and waits for its return. The goals are
// ≥ 2,000 jobs/s back to back and ≤ 2 ms per job (p99 ≤ 5 ms); these are
// benchmarks, never assertions.

// jobPath is a master and one minion (jobs in goroutines) in this process.
type jobPath struct {
	cfg *config.Master
	key string
	cli *client.LocalClient
	mn  *minion.Minion
}

// benchTemp makes a directory for a daemon's root_dir (its job cache,
// keys and sockets) under $SALTRAET_BENCH_DIR, or the system's temporary
// directory: the job cache's cost is the filesystem's, so the figures can
// be taken on another one (make bench-job BENCH_DIR=/mnt/...).
func benchTemp(b testing.TB, prefix string) string {
	b.Helper()
	dir, err := os.MkdirTemp(os.Getenv("SALTRAET_BENCH_DIR"), prefix) // socket paths must stay short
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func benchConf(b testing.TB, root, name, text string) string {
	b.Helper()
	etc := filepath.Join(root, "etc", "salt")
	if err := os.MkdirAll(etc, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o600); err != nil {
		b.Fatal(err)
	}
	return etc
}

func benchRun(b testing.TB, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	b.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Error("daemon did not stop")
		}
	})
}

// startJobPath runs a master (masterExtra added to its config) and minion
// "m1", and waits until the minion answers a test.ping.
func startJobPath(b testing.TB, masterExtra string) *jobPath {
	b.Helper()
	return startJobPathWith(b, masterExtra, "multiprocessing: false\n")
}

// startJobPathWith is startJobPath with minionExtra added to the minion's
// config.
func startJobPathWith(b testing.TB, masterExtra, minionExtra string) *jobPath {
	b.Helper()
	log := logrus.New()
	log.SetOutput(io.Discard)
	// The daemons' default log_level: at logrus's default (info) each job
	// formatted two lines that a master and minion as shipped never make.
	log.SetLevel(logrus.WarnLevel)
	u, err := user.Current()
	if err != nil {
		b.Fatal(err)
	}
	root := benchTemp(b, "r")
	cfg, err := config.LoadMaster(benchConf(b, root, "master", fmt.Sprintf(
		"id: saltmaster\nroot_dir: %s\ninterface: 127.0.0.1\nuser: %s\nauto_accept: true\n%s", root, u.Username, masterExtra)))
	if err != nil {
		b.Fatal(err)
	}
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	m, err := master.New(cfg, log, master.WithRoadConn(conn))
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, m.Run)
	mroot := benchTemp(b, "n")
	mcfg, err := config.LoadMinion(benchConf(b, mroot, "minion", fmt.Sprintf(
		"id: m1\nroot_dir: %s\ninterface: 127.0.0.1\nmaster: 127.0.0.1 %d\n%s", mroot, m.RoadAddr().Port(), minionExtra)))
	if err != nil {
		b.Fatal(err)
	}
	mconn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	mn, err := minion.New(mcfg, log, minion.WithRoadConn(mconn), minion.WithGrains(map[string]any{"id": "m1"}))
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, mn.Run)
	keyPath := master.AccessKeyPath(cfg.Cachedir, u.Username)
	key, err := os.ReadFile(keyPath)
	if err != nil {
		b.Fatal(err)
	}
	cli, err := client.New(client.Config{SockDir: cfg.SockDir, Key: string(key), KeyFile: keyPath, User: "root",
		GatherJobTimeout: 5 * time.Second, ReplyTimeout: 30 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cli.Close() })
	p := &jobPath{cfg: cfg, key: string(key), cli: cli, mn: mn}
	end := time.Now().Add(60 * time.Second)
	for {
		if err := p.ping(cli); err == nil {
			return p
		} else if time.Now().After(end) {
			b.Fatalf("minion m1 never answered: %v", err)
		}
	}
}

// ping is one job: publish test.ping to m1, wait for its return.
func (p *jobPath) ping(cli *client.LocalClient) error {
	ctx := context.Background()
	jid, minions, err := cli.Publish(ctx, "m1", "glob", "test.ping", []any{}, job.CLIKwargs(true, false, ":", true))
	if err != nil {
		return err
	}
	if !slices.Equal(minions, []string{"m1"}) {
		return fmt.Errorf("job %s went to %v", jid, minions)
	}
	for r := range cli.Returns(ctx, jid, minions, 5*time.Second) {
		if r.Missing != "" || r.Ret != true {
			return fmt.Errorf("job %s: %s returned %v (%s)", jid, r.ID, r.Ret, r.Missing)
		}
	}
	return nil
}

// BenchmarkJobPath is one job at a time: publish, return, the next. Its
// ns/op is the latency of one job; the median and p99 are reported too.
func BenchmarkJobPath(b *testing.B) {
	for _, c := range []struct{ name, extra string }{{"job_cache", ""}, {"no_job_cache", "job_cache: False\n"}} {
		s := &benchScope{}
		b.Run(c.name, func(b *testing.B) {
			p := s.jobPath(b, c.extra)
			lat := make([]time.Duration, 0, b.N)
			cpu := cpuTime()
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := p.ping(p.cli); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			reportCPU(b, cpu)
			reportLatency(b, lat)
		})
		s.close()
	}
}

// BenchmarkJobPathPipelined is back-to-back jobs, 16 under way at once,
// from one salt command's client (its publishes one after the other, the
// returns of each followed while the next is published) or from several
// (each its own client, as many salt processes would be; every client
// hears every event, as Salt's do). It reports jobs/s. The variants
// without the job cache (job_cache: False) show the cache's share.
func BenchmarkJobPathPipelined(b *testing.B) {
	for _, c := range []struct{ name, extra string }{{"", ""}, {"no_job_cache/", "job_cache: False\n"}} {
		for _, clients := range []int{1, 4} {
			s := &benchScope{}
			b.Run(fmt.Sprintf("%sclients=%d", c.name, clients), func(b *testing.B) { pipelined(b, s.jobPath(b, c.extra), clients, 16) })
			s.close()
		}
	}
}

func pipelined(b *testing.B, p *jobPath, clients, inflight int) {
	clis := []*client.LocalClient{p.cli}
	for len(clis) < clients {
		cli, err := client.New(client.Config{SockDir: p.cfg.SockDir, Key: p.key, User: "root",
			GatherJobTimeout: 5 * time.Second, ReplyTimeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cli.Close() })
		clis = append(clis, cli)
	}
	var mu sync.Mutex
	var lat []time.Duration
	jobs := make(chan struct{})
	errs := make(chan error, inflight)
	var wg sync.WaitGroup
	cpu := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for i := range inflight {
		cli := clis[i%len(clis)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t := time.Now()
				if err := p.ping(cli); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}()
	}
	for range b.N {
		select {
		case jobs <- struct{}{}:
		case err := <-errs:
			b.Fatal(err)
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	reportCPU(b, cpu)
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

// cpuTime is the CPU time (user and system) of this process so far: the
// client, master and minion together.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time a job took in this process, which other
// load on the machine does not inflate as it does the wall time.
func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64((cpuTime()-since).Microseconds())/1000/float64(b.N), "cpu-ms/job")
}

// BenchmarkJobPathCryptoFloor is the crypto a test.ping job needs on the
// road, done back to back in one goroutine: four packets signed and
// verified (the publish, the minion's done, the return, the master's
// done) and two bodies boxed and opened (the publish and the return),
// each ~300 bytes. Read the job figures against it, from the same run.
func BenchmarkJobPathCryptoFloor(b *testing.B) {
	signer, err := raet.GenerateSigner()
	if err != nil {
		b.Fatal(err)
	}
	verifier, err := raet.NewVerifier(signer.VerKey())
	if err != nil {
		b.Fatal(err)
	}
	a, _ := raet.GeneratePrivateer()
	z, _ := raet.GeneratePrivateer()
	box, err := raet.NewBox(a, z.Publican())
	if err != nil {
		b.Fatal(err)
	}
	peer, _ := raet.NewBox(z, a.Publican())
	packet := make([]byte, 300)
	b.ResetTimer()
	for range b.N {
		for range 4 {
			if !verifier.Verify(packet, signer.Sign(packet)) {
				b.Fatal("signature does not verify")
			}
		}
		for range 2 {
			coat, err := box.Seal(nil, packet)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := peer.Open(nil, coat); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "cpu-ms/job")
}

// benchScope is one master and minion kept for every run of a benchmark
// (go test runs its function again with a larger b.N): each run would
// otherwise measure a master just started, whose key cache still reads the
// minion's key files at every return (see settle). Its daemons stop at
// close, not at the end of the run that started them.
type benchScope struct {
	p        *jobPath
	cleanups []func()
}

// scopedTB is the run's testing.TB with its cleanups kept for the scope.
type scopedTB struct {
	testing.TB
	s *benchScope
}

func (t scopedTB) Cleanup(f func()) { t.s.cleanups = append(t.s.cleanups, f) }

// jobPath starts the scope's master and minion on the first run and
// returns them on every later one.
func (s *benchScope) jobPath(b *testing.B, masterExtra string) *jobPath {
	b.Helper()
	if s.p == nil {
		t := scopedTB{TB: b, s: s}
		s.p = startJobPath(t, masterExtra)
		s.p.settle(t)
	}
	return s.p
}

func (s *benchScope) close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups, s.p = nil, nil
}

// settle waits until the minion's accepted key is older than the master's
// key cache trusts a stamp from (2 s, a coarse timestamp's racy window),
// then runs one job so that the cache holds it: a master that has run a
// while answers "is m1 accepted" with two stats, one just started reads
// the key files at every return, which is not the job path's cost.
func (p *jobPath) settle(b testing.TB) {
	b.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(p.cfg.PKIDir, "accepted", "m1"), &st); err != nil {
		b.Fatal(err)
	}
	changed := time.Unix(0, max(st.Ctim.Nano(), st.Mtim.Nano()))
	time.Sleep(time.Until(changed.Add(2*time.Second + 100*time.Millisecond)))
	if err := p.ping(p.cli); err != nil {
		b.Fatal(err)
	}
}
