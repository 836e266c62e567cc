// Command salt-api-load measures salt-api-raet: it starts
// salt-master-raet, N salt-minion-raet processes and salt-api-raet on
// loopback (plain HTTP), logs in once, and reports the round trip of
// POST / test.ping (client local) to one minion and to all, sequential
// (median, p90), then the requests per second and latencies with C
// concurrent clients. make bench-api runs it.
//
//	go run ./internal/cmd/salt-api-load -bin bin -n 10 -requests 100 -concurrency 50 -duration 20s
//
// It is a load tool, not a test: its figures depend on the machine and on
// what else runs on it (it prints the load average beside them).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

type run struct {
	bin, root, conf, url, token string
	user, pass, eauth           string
	procs                       []*exec.Cmd
	client                      *http.Client
}

func main() {
	binDir := flag.String("bin", "bin", "where salt-master-raet, salt-minion-raet and salt-api-raet are")
	n := flag.Int("n", 10, "minions (real salt-minion-raet processes)")
	requests := flag.Int("requests", 100, "sequential requests per round-trip figure")
	conc := flag.Int("concurrency", 50, "concurrent clients of the throughput figure")
	dur := flag.Duration("duration", 20*time.Second, "how long the concurrent clients run")
	apiURL := flag.String("url", "", "measure an API already running there instead (real Salt's salt-api, say): "+
		"its minions must be -n, their ids m0..; log in with -user, -password, -eauth")
	user := flag.String("user", "bench", "the -url API's user")
	pass := flag.String("password", "bench", "the -url API's password")
	eauth := flag.String("eauth", "sharedsecret", "the -url API's eauth")
	flag.Parse()
	var err error
	if *apiURL != "" {
		err = measureURL(*apiURL, *user, *pass, *eauth, *n, *requests, *conc, *dur)
	} else {
		err = measure(*binDir, *n, *requests, *conc, *dur)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "salt-api-load:", err)
		os.Exit(1)
	}
}

func measure(binDir string, n, requests, conc int, dur time.Duration) error {
	bin, err := filepath.Abs(binDir)
	if err != nil {
		return err
	}
	root, err := os.MkdirTemp("", "sal")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	tr := &http.Transport{MaxIdleConnsPerHost: conc + 10}
	r := &run{bin: bin, root: root, conf: filepath.Join(root, "etc"), user: "bench", pass: "bench", eauth: "sharedsecret", client: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
	defer r.stopAll()
	if err := r.start(n); err != nil {
		return err
	}
	fmt.Printf("salt-api-raet, %d minions, load %s\n", n, loadavg())
	r.report(n, requests, conc, dur)
	return nil
}

// measureURL measures an API already running at u.
func measureURL(u, user, pass, eauth string, n, requests, conc int, dur time.Duration) error {
	r := &run{url: strings.TrimRight(u, "/"), user: user, pass: pass, eauth: eauth,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc + 10}, Timeout: 2 * time.Minute}}
	if err := r.login(); err != nil {
		return err
	}
	got, err := r.ping("*")
	if err != nil || len(got) != n {
		return fmt.Errorf("%d of %d minions answer at %s (%v)", len(got), n, u, err)
	}
	fmt.Printf("%s, %d minions, load %s\n", u, n, loadavg())
	r.report(n, requests, conc, dur)
	return nil
}

// report prints the figures.
func (r *run) report(n, requests, conc int, dur time.Duration) {
	one := r.sequential("m0", requests)
	all := r.sequential("*", requests)
	fmt.Printf("POST / test.ping, one minion:  %s\n", one)
	fmt.Printf("POST / test.ping, %d minions:  %s\n", n, all)
	for _, tgt := range []string{"m0", "*"} {
		rps, lat, errs := r.concurrent(tgt, conc, dur)
		fmt.Printf("%d clients, POST / test.ping to %s for %s: %.1f requests/s, latency %s, %d errors\n", conc, tgt, dur, rps, lat, errs)
	}
	fmt.Printf("load after: %s\n", loadavg())
}

// start writes the configs, starts the daemons and logs in.
func (r *run) start(n int) error {
	mport, err := freePort("udp")
	if err != nil {
		return err
	}
	aport, err := freePort("tcp")
	if err != nil {
		return err
	}
	r.url = fmt.Sprintf("http://127.0.0.1:%d", aport)
	mconf := fmt.Sprintf(`transport: raet
root_dir: %s
id: loadmaster
interface: 127.0.0.1
raet_port: %d
auto_accept: True
timeout: 10
external_auth:
  sharedsecret:
    bench: ['.*', '@runner', '@wheel']
sharedsecret: bench
netapi_enable_clients: [local, local_async, runner, wheel]
rest_cherrypy:
  port: %d
  host: 127.0.0.1
  disable_ssl: True
`, r.root, mport, aport)
	if err := write(filepath.Join(r.conf, "master"), mconf); err != nil {
		return err
	}
	r.spawn("salt-master-raet", r.conf)
	if err := waitFile(filepath.Join(r.root, "var/run/salt/master/master.manor.uxd"), 30*time.Second); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		mroot := filepath.Join(r.root, fmt.Sprintf("m%d", i))
		port, err := freePort("udp")
		if err != nil {
			return err
		}
		conf := filepath.Join(mroot, "etc")
		if err := write(filepath.Join(conf, "minion"), fmt.Sprintf("transport: raet\nroot_dir: %s\nid: m%d\ninterface: 127.0.0.1\nraet_port: %d\nmaster: 127.0.0.1\nmaster_port: %d\n",
			mroot, i, port, mport)); err != nil {
			return err
		}
		r.spawn("salt-minion-raet", conf)
	}
	r.spawn("salt-api-raet", r.conf)
	if err := r.login(); err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got, err := r.ping("*")
		if err == nil && len(got) == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d minions answer after 2 min (%v)", len(got), n, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (r *run) spawn(prog, conf string) {
	cmd := exec.Command(filepath.Join(r.bin, prog), "-c", conf, "-l", "warning")
	logf, _ := os.Create(filepath.Join(r.root, fmt.Sprintf("%s-%d.log", prog, len(r.procs))))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err == nil {
		r.procs = append(r.procs, cmd)
	}
}

func (r *run) stopAll() {
	for i := len(r.procs) - 1; i >= 0; i-- {
		_ = r.procs[i].Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func(c *exec.Cmd) { _ = c.Wait(); close(done) }(r.procs[i])
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = r.procs[i].Process.Kill()
		}
	}
}

func (r *run) login() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := r.client.PostForm(r.url+"/login", url.Values{"username": {r.user}, "password": {r.pass}, "eauth": {r.eauth}})
		if err == nil {
			r.token = resp.Header.Get("X-Auth-Token")
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && r.token != "" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("could not log in to %s: %v", r.url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ping is one POST / test.ping to tgt: the minions that returned.
func (r *run) ping(tgt string) (map[string]any, error) {
	req, _ := http.NewRequestWithContext(context.Background(), "POST", r.url+"/",
		strings.NewReader(url.Values{"client": {"local"}, "tgt": {tgt}, "fun": {"test.ping"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", r.token)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var got struct{ Return []map[string]any }
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got.Return) != 1 {
		return nil, fmt.Errorf("bad answer: %v", err)
	}
	return got.Return[0], nil
}

// sequential times k round trips to tgt, one after the other.
func (r *run) sequential(tgt string, k int) string {
	var lat []time.Duration
	errs := 0
	for i := 0; i < k; i++ {
		t0 := time.Now()
		if _, err := r.ping(tgt); err != nil {
			errs++
			continue
		}
		lat = append(lat, time.Since(t0))
	}
	return fmt.Sprintf("%s over %d requests, %d errors", summary(lat), k, errs)
}

// concurrent runs c clients sending test.ping to tgt for d.
func (r *run) concurrent(tgt string, c int, d time.Duration) (float64, string, int) {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	end := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				t0 := time.Now()
				_, err := r.ping(tgt)
				el := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					lat = append(lat, el)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return float64(len(lat)) / time.Since(start).Seconds(), summary(lat), errs
}

func summary(lat []time.Duration) string {
	if len(lat) == 0 {
		return "no answers"
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return fmt.Sprintf("median %s, p90 %s, min %s, max %s", q(0.5).Round(10*time.Microsecond), q(0.9).Round(10*time.Microsecond),
		lat[0].Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
}

func write(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o600)
}

func waitFile(path string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %s", path, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
