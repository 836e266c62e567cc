package lane

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A yard that does not read leaves its sender backlogged, and Drained
// waits for it: it returns once the yard has read everything, not before
// (the master's batched events rely on this to gather what comes
// meanwhile). A yard nobody sent to is never backlogged.
func TestLaneDrainedWaitsForTheReader(t *testing.T) {
	const n = 200
	// The yard's socket holds up to max_dgram_qlen+1 datagrams: those
	// are written, and may be unread when Drained returns.
	b, err := os.ReadFile("/proc/sys/net/unix/max_dgram_qlen")
	if err != nil {
		t.Skip(err)
	}
	held, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if held+1 >= n/2 {
		t.Skipf("net.unix.max_dgram_qlen %d: a yard's socket holds most of %d messages", held, n)
	}
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir})
	if a.Backlogged("beta") {
		t.Fatal("an unknown yard is backlogged")
	}
	a.Drained("beta") // returns at once
	raw, err := ListenUXD(HA(dir, a.Lane(), "beta"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var last *Delivery
	for i := range n {
		last = a.Transmit(body.Map{{Key: "seq", Value: int64(i)}}, "beta")
	}
	if !a.Backlogged("beta") {
		t.Fatal("a yard that reads nothing is not backlogged")
	}
	drained := make(chan struct{})
	go func() {
		a.Drained("beta")
		close(drained)
	}()
	buf := make([]byte, 1<<16)
	for i := range n - 1 { // the last is read below
		select {
		case <-drained:
			if n-i <= held+1 {
				break
			}
			t.Fatalf("Drained returned with %d of %d messages unread", n-i, n)
		default:
		}
		if _, _, err := raw.ReadFrom(buf); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-drained:
	case <-time.After(30 * time.Second):
		t.Fatal("Drained did not return once the yard read everything")
	}
	if err := last.Err(); err != nil {
		t.Fatal(err)
	}
	if a.Backlogged("beta") {
		t.Fatal("still backlogged once drained")
	}
	// Written, but some still unread in beta's socket (the reads above
	// stopped at the last one): Unread says so until beta reads it.
	if !a.Unread() {
		t.Fatal("a message in beta's socket is not counted unread")
	}
	if _, _, err := raw.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	if a.Unread() {
		t.Fatal("unread once beta has read everything")
	}
}
