package master

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// More changes than the inotify queue holds, made while nobody asks (a
// join storm with auto_accept), overflow the queue: the watch stays
// trusted, its generation moved on (so answers kept before are read
// again), and the changes after it are seen as before.
func TestKeyWatchOutlivesAnOverflow(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	if err != nil {
		t.Skip(err)
	}
	max, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if max <= 0 || max > 1<<16 {
		t.Skipf("max_queued_events %d: too many files to overflow it in a test", max)
	}
	dir := t.TempDir()
	w := newKeyWatch(dir)
	if w == nil {
		t.Skip("no inotify here")
	}
	defer w.close()
	before, ok := w.poll()
	if !ok {
		t.Fatal("a fresh watch is not trusted")
	}
	// Each file made is two events (IN_CREATE, IN_CLOSE_WRITE).
	for i := range max/2 + 100 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	after, ok := w.poll()
	if !ok {
		t.Fatal("the watch is no longer trusted after its queue overflowed")
	}
	if after == before {
		t.Fatal("the overflow did not move the generation on: answers kept before it would still be given")
	}
	if again, ok := w.poll(); !ok || again != after {
		t.Fatalf("nothing changed, yet the generation went from %d to %d (trusted %v)", after, again, ok)
	}
	if err := os.WriteFile(filepath.Join(dir, "0"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if last, ok := w.poll(); !ok || last == after {
		t.Fatalf("a change after the overflow was not seen (generation %d, trusted %v)", last, ok)
	}
}
