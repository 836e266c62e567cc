package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// laneDir is a short socket directory: a Unix socket path holds at most
// 107 bytes, and t.TempDir's paths carry the test's name.
func laneDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "rl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// startLane runs raet lane in-process, as startPeer runs raet peer, and
// keeps every event it prints.
func startLane(t *testing.T, args ...string) *peerProc {
	t.Helper()
	return startTool(t, "lane", args...)
}

// Two yards on real Unix sockets: one sends three padded messages (each a
// book of pages), the other echoes them, json and msgpack.
func TestLaneSendEcho(t *testing.T) {
	for _, kind := range []string{"json", "msgpack"} {
		t.Run(kind, func(t *testing.T) {
			dir := laneDir(t)
			alpha := startLane(t, "--lane", "test", "--yard", "alpha", "--dir", dir, "--echo", "--expect", "3",
				"--body", kind, "--timeout", "60", "--linger", "0.2")
			start := alpha.next("start")
			if start["lane"] != "test" || start["yard"] != "alpha" || start["address"] != filepath.Join(dir, "test.alpha.uxd") {
				t.Errorf("start %v", start)
			}
			beta := startLane(t, "--lane", "test", "--yard", "beta", "--dir", dir, "--to", "alpha",
				"--send", `{"kind":"hello","n":1}`, "--count", "3", "--size", "2500", "--expect", "3",
				"--body", kind, "--timeout", "60s", "--linger", "200ms")
			for i := 1; i <= 3; i++ {
				if s := beta.nth("sent", i); s["to"] != "alpha" || s["seq"] != float64(i-1) {
					t.Errorf("sent %v", s)
				}
				rcv := alpha.nth("received", i)
				b, _ := rcv["body"].(map[string]any)
				if rcv["from"] != "beta" || rcv["pad_ok"] != true || b["kind"] != "hello" || b["pad"] != "<2500 characters>" {
					t.Errorf("alpha received %v", rcv)
				}
				if echo := beta.nth("received", i); echo["from"] != "alpha" || echo["pad_ok"] != true {
					t.Errorf("echo %v", echo)
				}
			}
			done := beta.next("done")
			stats, _ := done["stats"].(map[string]any)
			if done["ok"] != true || done["sent"] != float64(3) || done["send_failed"] != float64(0) ||
				done["received"] != float64(3) || done["expected"] != float64(3) || stats["message_tx"] != float64(3) {
				t.Errorf("beta done %v", done)
			}
			if code := beta.wait(); code != 0 {
				t.Errorf("beta exit %d", code)
			}
			if done := alpha.next("done"); done["ok"] != true || done["sent"] != float64(3) || done["received"] != float64(3) {
				t.Errorf("alpha done %v", done)
			}
			if code := alpha.wait(); code != 0 {
				t.Errorf("alpha exit %d", code)
			}
			if _, err := os.Stat(filepath.Join(dir, "test.alpha.uxd")); !os.IsNotExist(err) {
				t.Errorf("alpha's socket file is still there: %v", err)
			}
		})
	}
}

// A 1 MB message crosses as a book of pages and arrives whole.
func TestLaneMegabyte(t *testing.T) {
	dir := laneDir(t)
	alpha := startLane(t, "--yard", "alpha", "--dir", dir, "--expect", "1", "--timeout", "60", "--linger", "0")
	alpha.next("start")
	beta := startLane(t, "--yard", "beta", "--dir", dir, "--to", "alpha", "--send", `{"kind":"big"}`,
		"--size", fmt.Sprint(1<<20), "--timeout", "60", "--linger", "0")
	if rcv := alpha.next("received"); rcv["pad_ok"] != true || rcv["from"] != "beta" {
		t.Errorf("1 MB message: %v", rcv)
	}
	done := alpha.next("done")
	stats, _ := done["stats"].(map[string]any)
	if pages, _ := stats["page_rx"].(float64); stats["message_rx"] != float64(1) || pages < 16 {
		t.Errorf("a megabyte in one book of pages: %v", done)
	}
	if code := beta.wait(); code != 0 {
		t.Errorf("beta exit %d", code)
	}
	if code := alpha.wait(); code != 0 {
		t.Errorf("alpha exit %d", code)
	}
}

// Nobody bound at the yard's path: the send fails at once, saying so, and
// the yard exits 1 without waiting for its timeout.
func TestLaneNobodyThere(t *testing.T) {
	p := startLane(t, "--yard", "beta", "--dir", laneDir(t), "--to", "nobody", "--send", `{"x":1}`,
		"--timeout", "60", "--linger", "0")
	f := p.next("send_failed")
	if f["to"] != "nobody" || f["seq"] != float64(0) || !strings.Contains(fmt.Sprint(f["error"]), "yard gone") {
		t.Errorf("send_failed %v", f)
	}
	done := p.next("done")
	if done["ok"] != false || done["sent"] != float64(0) || done["send_failed"] != float64(1) || done["error"] != nil {
		t.Errorf("done %v", done)
	}
	if code := p.wait(); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

// With --refuse-unknown a yard takes pages only from the yards it knows:
// its --to.
func TestLaneRefuseUnknown(t *testing.T) {
	dir := laneDir(t)
	alpha := startLane(t, "--yard", "alpha", "--dir", dir, "--refuse-unknown", "--to", "beta", "--expect", "1",
		"--timeout", "60", "--linger", "0")
	alpha.next("start")
	gamma := startLane(t, "--yard", "gamma", "--dir", dir, "--to", "alpha", "--send", `{"from":"gamma"}`, "--linger", "0")
	if code := gamma.wait(); code != 0 { // handed to alpha's socket, which drops it
		t.Errorf("gamma exit %d", code)
	}
	beta := startLane(t, "--yard", "beta", "--dir", dir, "--to", "alpha", "--send", `{"from":"beta"}`, "--linger", "0")
	if rcv := alpha.next("received"); rcv["from"] != "beta" {
		t.Errorf("alpha received %v", rcv)
	}
	done := alpha.next("done")
	stats, _ := done["stats"].(map[string]any)
	if done["ok"] != true || done["received"] != float64(1) || stats["unaccepted_source_yard"] != float64(1) {
		t.Errorf("alpha done %v", done)
	}
	if code := beta.wait(); code != 0 {
		t.Errorf("beta exit %d", code)
	}
	if code := alpha.wait(); code != 0 {
		t.Errorf("alpha exit %d", code)
	}
}

func TestLaneBadArguments(t *testing.T) {
	dir := laneDir(t)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--body", "xml"}, "--body"},
		{[]string{"--count", "-1"}, "negative"},
		{[]string{"--size", "-1"}, "negative"},
		{[]string{"--expect", "-1"}, "negative"},
		{[]string{"--send", `{"x":1}`}, "--to"},
		{[]string{"--send", "[1,2]", "--to", "alpha"}, "JSON object"},
		{[]string{"--send", "{", "--to", "alpha"}, "JSON object"},
		{[]string{"--yard", "a.b"}, "--yard"},
		{[]string{"--yard", "a b"}, "--yard"},
		{[]string{"--lane", "x/y"}, "--lane"},
		{[]string{"--lane", ""}, "--lane"},
		{[]string{"--to", "a.b"}, "--to"},
		{[]string{"--dir", file}, file},
		{[]string{"--dir", filepath.Join(file, "sub")}, "sub"},
		{[]string{"--dir", filepath.Join(dir, strings.Repeat("d", 100))}, "bytes"},
		{[]string{"--timeout", "soon"}, "soon"},
		{[]string{"--linger", "-1"}, "-1"},
		{[]string{"stray"}, "stray"},
	} {
		args := append([]string{"lane", "--yard", "y", "--dir", dir}, c.args...)
		code, out, errOut := raetCmd(t, nil, args...)
		if code != 2 || !strings.Contains(errOut, "Error:") || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q", c.args, code, out, errOut)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.uxd")); len(left) != 0 {
		t.Errorf("sockets left behind: %v", left)
	}
}
