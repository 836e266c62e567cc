// Command salt-load measures a master under many emulated minions: it
// starts salt-master-raet (auto_accept) and salt-minion-emulator with N
// minions at once, and reports the time of the join storm to all allowed,
// one test.ping to all (wall), back-to-back test.ping jobs to all, the
// master's RSS and CPU per job, the returns lost, and the crypto floor of
// a job measured in the same run. make bench-salt runs it.
//
//	go run ./internal/cmd/salt-load -bin bin -n 1000 -jobs 100
//
// It is a load tool, not a test: its figures depend on the machine and
// on what else runs on it (it prints the load average beside them).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type run struct {
	bin, root, conf string
	n, port         int
	master          *exec.Cmd
	emuArgs         []string // keep-alive flags of the emulator
	masterConf      string   // lines added to the master's config
	emuRoot         string   // the emulated minions' files
	logDir          string   // where the master's and the emulator's logs go
}

func main() {
	binDir := flag.String("bin", "bin", "where salt-master-raet, salt-minion-emulator and salt-raet are")
	n := flag.Int("n", 1000, "emulated minions")
	jobs := flag.Int("jobs", 100, "back-to-back test.ping jobs to all")
	timeout := flag.Duration("storm-timeout", 10*time.Minute, "how long the join storm may take")
	period := flag.Duration("period", 0, "the emulated minions' keep-alive period (0: the minion's, 3s)")
	aliveTimeout := flag.Duration("alive-timeout", 0, "the emulated minions' alive timeout (0: the road's, 2s)")
	emuDir := flag.String("emu-dir", "", "where the emulated minions' files go (a directory made in it; empty: beside the master's). "+
		"On another filesystem (/dev/shm) their files, made and removed at every job, do not slow the master's (ext4 without a journal "+
		"skips recently freed inodes one by one when it allocates one), as minions on other machines would not")
	masterConf := flag.String("master-conf", "", "lines added to the master's config (e.g. 'job_cache: False'; \n between lines), "+
		"or @file for the lines of a file (raet_max_allowing, metrics_port, ...)")
	logDir := flag.String("log-dir", "", "keep the master's log and the emulator's (with the minions' counters, logged as it stops) in this directory; "+
		"empty: the master's goes with the run's files, removed at the end, and the emulator's only progress is read")
	flag.Parse()
	if file, ok := strings.CutPrefix(*masterConf, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "salt-load:", err)
			os.Exit(1)
		}
		*masterConf = string(b)
	}
	raiseNoFile()
	emuArgs := []string{"--period", period.String(), "--alive-timeout", aliveTimeout.String()}
	if err := measure(*binDir, *emuDir, *logDir, strings.ReplaceAll(*masterConf, `\n`, "\n"), *n, *jobs, *timeout, emuArgs); err != nil {
		fmt.Fprintln(os.Stderr, "salt-load:", err)
		os.Exit(1)
	}
}

func measure(binDir, emuDir, logDir, masterConf string, n, jobs int, stormTimeout time.Duration, emuArgs []string) error {
	bin, err := filepath.Abs(binDir)
	if err != nil {
		return err
	}
	root, err := os.MkdirTemp("", "sl")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	r := &run{bin: bin, root: root, n: n, conf: filepath.Join(root, "etc"), emuArgs: emuArgs, emuRoot: filepath.Join(root, "emu"),
		masterConf: masterConf, logDir: root}
	if logDir != "" {
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			return err
		}
		r.logDir = logDir
	}
	if emuDir != "" {
		if r.emuRoot, err = os.MkdirTemp(emuDir, "sl-emu"); err != nil {
			return err
		}
		defer os.RemoveAll(r.emuRoot)
	}
	if r.port, err = freePort(); err != nil {
		return err
	}
	if err := r.startMaster(); err != nil {
		return err
	}
	defer stop(r.master)
	fmt.Printf("salt-load: %d emulated minions (%s, files in %s), %d jobs; load average %s\n", n, strings.Join(emuArgs, " "), r.emuRoot, jobs, loadavg())
	floor := cryptoFloor()
	fmt.Printf("crypto floor: %v per minion of a job (the master's publish sealed+signed, its ack verified, the return verified+opened, its ack signed); a job to all: %v of CPU\n",
		floor, time.Duration(n)*floor)

	emu, storm, err := r.storm(stormTimeout)
	if emu != nil {
		defer stop(emu)
	}
	if err != nil {
		return err
	}
	emuPid := emu.Process.Pid
	fmt.Printf("join storm: all %d allowed in %v; master RSS %d KB; emulator RSS %d KB (%d KB per minion)\n",
		n, storm.Round(time.Millisecond), rssKB(r.master.Process.Pid), rssKB(emuPid), rssKB(emuPid)/n)

	wall, got, err := r.ping()
	if err != nil {
		return err
	}
	fmt.Printf("test.ping to all: %v wall, %d of %d returned\n", wall.Round(time.Millisecond), got, n)

	fan, err := r.jobs(jobs, floor)
	if err != nil {
		return err
	}
	fan.print(floor)
	if stuck := r.countLog("does not read its events"); stuck > 0 {
		fmt.Printf("master: %d event yards unsubscribed for not reading their events (a salt command then waits out its -t)\n", stuck)
	}
	fmt.Printf("master RSS %d KB; emulator RSS %d KB (%d KB per minion); load average %s\n",
		rssKB(r.master.Process.Pid), rssKB(emuPid), rssKB(emuPid)/n, loadavg())
	return nil
}

// startMaster writes the master's config and starts it.
func (r *run) startMaster() error {
	if err := os.MkdirAll(r.conf, 0o700); err != nil {
		return err
	}
	conf := fmt.Sprintf("transport: raet\nroot_dir: %s\nid: saltmaster\ninterface: 127.0.0.1\nraet_port: %d\nauto_accept: True\nlog_level: info\n%s\n", r.root, r.port, r.masterConf)
	if err := os.WriteFile(filepath.Join(r.conf, "master"), []byte(conf), 0o600); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(r.logDir, "master.log"))
	if err != nil {
		return err
	}
	// Kept logs are read for why a minion did not return: the master's
	// resends and what it was told are said at info.
	level := "warning"
	if r.logDir != r.root {
		level = "info"
	}
	r.master = exec.Command(filepath.Join(r.bin, "salt-master-raet"), "-c", r.conf, "-l", level)
	r.master.Stdout, r.master.Stderr = logf, logf
	if err := r.master.Start(); err != nil {
		return err
	}
	sock := filepath.Join(r.root, "var", "run", "salt", "master", "master.manor.uxd")
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the master did not start within a minute (%s)", logf.Name())
}

// storm starts the emulator and waits until it says all are allowed.
func (r *run) storm(timeout time.Duration) (*exec.Cmd, time.Duration, error) {
	args := append([]string{"-n", fmt.Sprint(r.n), "--master-port", fmt.Sprint(r.port),
		"--root", r.emuRoot, "--progress", "100ms", "-l", "info"}, r.emuArgs...)
	emu := exec.Command(filepath.Join(r.bin, "salt-minion-emulator"), args...)
	out, err := emu.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := emu.Start(); err != nil {
		return nil, 0, err
	}
	var keep *os.File
	if r.logDir != r.root {
		if keep, err = os.Create(filepath.Join(r.logDir, "emulator.log")); err != nil {
			return nil, 0, err
		}
	}
	lines := make(chan string, 64)
	go func() {
		if keep != nil {
			defer keep.Close()
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if keep != nil {
				fmt.Fprintln(keep, sc.Text())
			}
			if t := sc.Text(); strings.Contains(t, "minions allowed") || strings.Contains(t, "ERROR") || strings.Contains(t, "starting them") {
				select {
				case lines <- t:
				default:
				}
			}
		}
		close(lines)
	}()
	var start time.Time
	want := fmt.Sprintf("%d of %d minions allowed", r.n, r.n)
	deadline := time.After(timeout)
	// A storm that does not converge says how far it got: the allowed
	// count, the master's CPU and the datagrams its socket dropped, every
	// 30 s.
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	p := r.newProgress()
	for {
		select {
		case l, ok := <-lines:
			switch {
			case !ok:
				return emu, 0, fmt.Errorf("the emulator stopped")
			case strings.Contains(l, "starting them"):
				start = time.Now()
			case strings.Contains(l, want):
				return emu, time.Since(start), nil
			case strings.Contains(l, "minions allowed"):
				p.last = l
			}
		case <-tick.C:
			p.print(start)
		case <-deadline:
			p.print(start)
			return emu, 0, fmt.Errorf("the join storm did not end within %v", timeout)
		}
	}
}

// pingTimeout is the salt command's -t: a job that takes it has waited
// for a minion (or for events it missed) and run saltutil.find_job.
const pingTimeout = 60 * time.Second

// ping runs one salt '*' test.ping and counts the minions that returned.
func (r *run) ping() (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, filepath.Join(r.bin, "salt-raet"), "-c", r.conf, "*", "test.ping",
		"--out", "json", "--static", "-t", fmt.Sprint(int(pingTimeout.Seconds()))).Output()
	wall := time.Since(start)
	var got map[string]any
	if jerr := json.Unmarshal(out, &got); jerr != nil {
		return wall, 0, fmt.Errorf("salt '*' test.ping: %v (%v)", jerr, err)
	}
	n := 0
	for _, v := range got {
		if v == true {
			n++
		}
	}
	return wall, n, nil
}

func stop(c *exec.Cmd) {
	c.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.Process.Kill()
	}
}

func freePort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
