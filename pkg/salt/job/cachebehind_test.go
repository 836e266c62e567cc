package job

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Writes queued behind are made in order, Flush waits for them, Close
// makes what is still queued, and a write after Close is made by its
// caller.
func TestBehindOrderFlushClose(t *testing.T) {
	c, b := behindCache(t)
	var mu sync.Mutex
	var order []int
	gate := make(chan struct{})
	b.Do(func(*Cache) error { <-gate; return nil }, nil) // holds the writer
	for i := range 50 {
		b.Do(func(*Cache) error { mu.Lock(); order = append(order, i); mu.Unlock(); return nil }, nil)
	}
	close(gate)
	b.Flush()
	mu.Lock()
	if len(order) != 50 || !slices.IsSorted(order) {
		t.Fatalf("after Flush: %v", order)
	}
	mu.Unlock()

	jid, err := c.PrepJIDDir(nil)
	if err != nil {
		t.Fatal(err)
	}
	if jids, _ := c.Jobs(); slices.Contains(jids, jid) {
		t.Fatalf("%s listed before its jid file was written", jid)
	}
	var stored error = errors.New("not called")
	load := body.Map{{Key: "fun", Value: "test.ping"}, {Key: "tgt", Value: "web1"}, {Key: "jid", Value: jid}}
	b.Do(func(c *Cache) error { return c.SavePrepared(jid, false, load, []string{"web1"}) }, func(err error) { stored = err })
	b.Do(func(c *Cache) error { return c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: true}}) }, nil)
	b.Close()
	if stored != nil {
		t.Fatalf("stored: %v", stored)
	}
	if jids, _ := c.Jobs(); !slices.Contains(jids, jid) {
		t.Fatalf("%s not listed after Close", jid)
	}
	if mins, err := c.Minions(jid); err != nil || !slices.Equal(mins, []string{"web1"}) {
		t.Fatalf("minions %v %v", mins, err)
	}
	if rets, err := c.Returns(jid); err != nil || len(rets) != 1 {
		t.Fatalf("returns %v %v", rets, err)
	}
	ran := false
	b.Do(func(*Cache) error { ran = true; return nil }, nil)
	if !ran {
		t.Fatal("a write after Close was not made by its caller")
	}
	b.Flush() // returns at once
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// A write that fails goes to its after, or to onError without one.
func TestBehindErrors(t *testing.T) {
	c, err := OpenCache(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	b := c.WriteBehind(func(err error) { errs <- err })
	defer b.Close()
	b.Do(func(c *Cache) error { return c.SaveReturn("20260101000000000001", "web1", body.Map{}) }, nil)
	b.Do(func(c *Cache) error { return c.SaveReturn("20260101000000000002", "web1", body.Map{}) }, func(err error) { errs <- err })
	for range 2 {
		if err := <-errs; !errors.Is(err, ErrUnknownJob) {
			t.Errorf("error %v, want ErrUnknownJob", err)
		}
	}
}

// A reader in another goroutine (as a salt-run process would) never sees a
// job's files in part: each is missing or whole.
func TestBehindReaderSeesWholeFiles(t *testing.T) {
	c, b := behindCache(t)
	big := string(make([]byte, 256<<10)) // several pages, so a torn write would show
	var jids []string
	for range 20 {
		jid, err := c.PrepJIDDir(nil)
		if err != nil {
			t.Fatal(err)
		}
		jids = append(jids, jid)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, jid := range jids {
				for _, f := range []string{LoadFile, filepath.Join("web1", ReturnFile)} {
					data, err := os.ReadFile(filepath.Join(c.Dir(jid), f))
					if err != nil {
						continue
					}
					if _, err := body.DecodeMsgpack(data); err != nil {
						t.Errorf("%s of %s read in part (%d bytes): %v", f, jid, len(data), err)
						return
					}
				}
			}
		}
	}()
	for _, jid := range jids {
		load := body.Map{{Key: "fun", Value: "test.echo"}, {Key: "arg", Value: []any{big}}, {Key: "tgt", Value: "web1"}}
		b.Do(func(c *Cache) error { return c.SavePrepared(jid, false, load, []string{"web1"}) }, nil)
		b.Do(func(c *Cache) error { return c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: big}}) }, nil)
	}
	b.Flush()
	close(stop)
	<-done
	b.Close()
	for _, jid := range jids {
		if rets, err := c.Returns(jid); err != nil || rets["web1"] == nil {
			t.Fatalf("returns of %s: %v", jid, err)
		}
	}
}
