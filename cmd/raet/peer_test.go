package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// peerProc runs raet peer or raet lane in-process and keeps every event
// it prints.
type peerProc struct {
	t     *testing.T
	mu    sync.Mutex
	seen  []map[string]any
	ended bool
	more  chan struct{} // signalled at each new event
	exit  chan int
}

func startPeer(t *testing.T, args ...string) *peerProc {
	t.Helper()
	return startTool(t, "peer", args...)
}

// startTool runs the subcommand (peer or lane) with args in-process and
// reads the JSON lines it prints as they come.
func startTool(t *testing.T, sub string, args ...string) *peerProc {
	t.Helper()
	r, w := io.Pipe()
	p := &peerProc{t: t, more: make(chan struct{}, 1), exit: make(chan int, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("%s printed a line that is not JSON: %q", sub, sc.Text())
				continue
			}
			p.mu.Lock()
			p.seen = append(p.seen, m)
			p.mu.Unlock()
			p.signal()
		}
		p.mu.Lock()
		p.ended = true
		p.mu.Unlock()
		p.signal()
	}()
	go func() {
		code := run(append([]string{sub}, args...), strings.NewReader(""), w, io.Discard)
		w.Close()
		p.exit <- code
	}()
	return p
}

func (p *peerProc) signal() {
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// nth waits for the n-th event of a kind (from 1), whatever came between.
func (p *peerProc) nth(kind string, n int) map[string]any {
	p.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		p.mu.Lock()
		count := 0
		for _, m := range p.seen {
			if m["event"] == kind {
				if count++; count == n {
					p.mu.Unlock()
					return m
				}
			}
		}
		ended := p.ended
		p.mu.Unlock()
		if ended {
			p.t.Fatalf("peer ended with %d %q events, want %d", count, kind, n)
		}
		select {
		case <-p.more:
		case <-timeout:
			p.t.Fatalf("%d %q events within 60 s, want %d", count, kind, n)
		}
	}
}

// next waits for the first event of a kind.
func (p *peerProc) next(kind string) map[string]any { return p.nth(kind, 1) }

func (p *peerProc) wait() int {
	p.t.Helper()
	select {
	case code := <-p.exit:
		return code
	case <-time.After(90 * time.Second):
		p.t.Fatal("peer did not end")
		return -1
	}
}

// Two peers over real UDP on loopback: one joins the other, they allow and
// alive, and messages go both ways, json and msgpack, small and segmented,
// under RAET and JSON heads. Timeouts take seconds or durations.
func TestPeersJoinSendEcho(t *testing.T) {
	for _, c := range []struct{ kind, head, timeout, linger string }{
		{"json", "raet", "60s", "500ms"},
		{"msgpack", "raet", "60", "0.5"},
		{"json", "json", "1m", "0.5"},
	} {
		kind := c.kind + " bodies, " + c.head + " heads"
		dir := t.TempDir()
		main := startPeer(t, "--name", "alpha", "--port", "0", "--keep", dir+"/alpha", "--main", "--auto", "always",
			"--echo", "--expect", "3", "--body", c.kind, "--head", c.head, "--timeout", c.timeout, "--linger", c.linger)
		addr := main.next("start")["address"].(string)
		joiner := startPeer(t, "--name", "beta", "--port", "0", "--keep", dir+"/beta", "--auto", "always",
			"--join", addr, "--send", `{"kind":"hello","n":1}`, "--count", "3", "--size", "2500",
			"--expect", "3", "--body", c.kind, "--head", c.head, "--timeout", c.timeout, "--linger", c.linger)
		for _, e := range []string{"joined", "allowed", "alived"} {
			if got := joiner.next(e); got["remote"] != "alpha" {
				t.Errorf("%s: %s event %v", kind, e, got)
			}
		}
		for i := 1; i <= 3; i++ {
			rcv := joiner.nth("received", i)
			if rcv["from"] != "alpha" || rcv["pad_ok"] != true {
				t.Errorf("%s: echo %v", kind, rcv)
			}
		}
		done := joiner.next("done")
		if done["ok"] != true || done["sent"] != float64(3) || done["received"] != float64(3) {
			t.Errorf("%s: joiner done %v", kind, done)
		}
		if code := joiner.wait(); code != 0 {
			t.Errorf("%s: joiner exit %d", kind, code)
		}
		if code := main.wait(); code != 0 {
			t.Errorf("%s: main exit %d", kind, code)
		}
	}
}

// A 1 MB message crosses real UDP, segmented, and arrives whole.
func TestPeerMegabyte(t *testing.T) {
	dir := t.TempDir()
	main := startPeer(t, "--name", "alpha", "--port", "0", "--keep", dir+"/alpha", "--main", "--auto", "always",
		"--expect", "1", "--timeout", "60s", "--linger", "200ms")
	addr := main.next("start")["address"].(string)
	joiner := startPeer(t, "--name", "beta", "--port", "0", "--keep", dir+"/beta", "--auto", "always",
		"--join", addr, "--send", `{"kind":"big"}`, "--size", fmt.Sprint(1<<20), "--timeout", "60s", "--linger", "200ms")
	if rcv := main.next("received"); rcv["pad_ok"] != true {
		t.Errorf("1 MB message: %v", rcv)
	}
	if code := joiner.wait(); code != 0 {
		t.Errorf("joiner exit %d", code)
	}
	if code := main.wait(); code != 0 {
		t.Errorf("main exit %d", code)
	}
}

// Nobody at the address: the join never completes, nothing is sent, the
// peer says so and exits 1.
func TestPeerNothingThere(t *testing.T) {
	p := startPeer(t, "--name", "beta", "--port", "0", "--keep", t.TempDir(), "--join", "127.0.0.1:9",
		"--send", `{"x":1}`, "--timeout", "2s")
	done := p.next("done")
	if done["ok"] != false || !strings.Contains(fmt.Sprint(done["error"]), "timed out") {
		t.Errorf("done %v", done)
	}
	if code := p.wait(); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestPeerBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--auto", "sometimes", "--name", "x"},
		{"--body", "xml", "--name", "x"},
		{"--head", "xml", "--name", "x"},
		{"--timeout", "soon", "--name", "x"},
		{"--timeout", "-1", "--name", "x"},
		{"--linger", "1e300", "--name", "x"},
		{"--send", "[1,2]", "--name", "x"},
		{"--join", "nohostport", "--name", "x", "--keep", "/nonexistent/\x00"},
	} {
		code, out, errOut := raetCmd(t, nil, append([]string{"peer", "--port", "0"}, args...)...)
		if code == 0 || (code == 2 && !strings.Contains(errOut, "Error:")) {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, code, out, errOut)
		}
	}
}
