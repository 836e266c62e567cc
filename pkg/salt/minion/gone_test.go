package minion

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A local yard that is gone while the master sends it 50 messages is one
// warning, and the rest are counted. Its socket path is held by a socket
// that shut its reading side, so every send fails with "broken pipe".
func TestGoneYardOneWarning(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: filepath.Join(e.cfg.SockDir, "m1_minion.tool.uxd")}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Shutdown(fd, syscall.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	uid, ok := fm.stack.UID("m1_minion")
	if !ok {
		t.Fatal("the master does not know the minion")
	}
	const n = 50
	for i := range n {
		msg := body.Map{
			{Key: "route", Value: body.Map{
				{Key: "src", Value: []any{masterEstate, nil, nil}},
				{Key: "dst", Value: []any{"m1_minion", "tool", "reply"}},
			}},
			{Key: "i", Value: int64(i)},
		}
		if err := fm.stack.Transmit(msg, uid, 5*time.Second).Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every message accounted for", func() bool {
		st := r.m.Stats()
		return st["lane_yard_gone"]+st["lane_yard_gone_dropped"] == n
	})
	var warnings []string
	for _, l := range e.hook.wait(t, "tool", 1) {
		if strings.HasPrefix(l, "WARNING") {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "Yard tool is gone") {
		t.Fatalf("warnings about the gone yard: %q", warnings)
	}
	if st := r.m.Stats(); st["lane_yard_gone"] != 1 {
		t.Errorf("stats %v", st)
	}
}
