package master

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// The key cache answers from memory only while pki_dir is unchanged: a key
// accepted, deleted, rejected or written over in place is seen at the
// next question, as reading the files each time saw it. Its clock is moved
// past the racy window, so that every stamp is trusted; the answers are
// checked against the store read afresh.
func TestKeyCacheFollowsPKIDir(t *testing.T) {
	store, err := pki.Open(filepath.Join(t.TempDir(), "pki"), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyCache(store)
	k.now = func() time.Time { return time.Now().Add(time.Hour) }
	pub, ver := hexKeys(t)
	for _, id := range []string{"m1", "m2"} {
		if _, err := store.Decide(id, pub, ver); err != nil {
			t.Fatal(err)
		}
		if err := store.Accept(id); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string, wantIDs []string, accepted map[string]bool) {
		t.Helper()
		for range 2 { // the first fills the cache, the second answers from it
			ids, err := k.acceptedIDs()
			if err != nil || !slices.Equal(ids, wantIDs) {
				t.Fatalf("%s: accepted ids %v (%v), want %v", step, ids, err, wantIDs)
			}
			for id, want := range accepted {
				if got := k.isAccepted(id); got != want {
					t.Fatalf("%s: isAccepted(%s) = %v, want %v", step, id, got, want)
				}
			}
		}
	}
	check("both accepted", []string{"m1", "m2"}, map[string]bool{"m1": true, "m2": true, "m3": false, "../x": false})
	if len(k.accepted) != 2 || k.accIDs == nil {
		t.Fatalf("nothing cached: %v %v", k.accepted, k.accIDs)
	}

	if err := store.Delete("m2"); err != nil { // salt-key -d m2
		t.Fatal(err)
	}
	check("m2 deleted", []string{"m1"}, map[string]bool{"m1": true, "m2": false})

	// m1 rejected beside its accepted file: Get looks at rejected first.
	data, err := os.ReadFile(store.Path(raet.Accepted, "m1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store.Path(raet.Rejected, "m1"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	check("m1 also rejected", []string{"m1"}, map[string]bool{"m1": false})
	if err := os.Remove(store.Path(raet.Rejected, "m1")); err != nil {
		t.Fatal(err)
	}
	check("m1 accepted again", []string{"m1"}, map[string]bool{"m1": true})

	// The accepted file broken in place: no directory changes.
	if err := os.WriteFile(store.Path(raet.Accepted, "m1"), []byte("\x93garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	check("m1 broken", []string{"m1"}, map[string]bool{"m1": false})
}

// A stamp younger than the racy window is not trusted: the answer is read
// afresh, not kept.
func TestKeyCacheKeepsNothingRacy(t *testing.T) {
	store, err := pki.Open(filepath.Join(t.TempDir(), "pki"), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyCache(store)
	k.now = func() time.Time { return time.Now().Add(-time.Hour) }
	pub, ver := hexKeys(t)
	if _, err := store.Decide("m1", pub, ver); err != nil {
		t.Fatal(err)
	}
	if err := store.Accept("m1"); err != nil {
		t.Fatal(err)
	}
	if ids, err := k.acceptedIDs(); err != nil || !slices.Equal(ids, []string{"m1"}) {
		t.Fatalf("accepted ids %v (%v)", ids, err)
	}
	if !k.isAccepted("m1") {
		t.Fatal("m1 not accepted")
	}
	if k.accIDs != nil || len(k.accepted) != 0 {
		t.Fatalf("racy stamps kept: %v %v", k.accIDs, k.accepted)
	}
}

func hexKeys(t *testing.T) (pub, ver string) {
	t.Helper()
	signer, err := raet.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := raet.GeneratePrivateer()
	if err != nil {
		t.Fatal(err)
	}
	return priv.PubHex(), signer.VerHex()
}

// With the watch, an accepted key is answered from memory while nothing
// changes in pki_dir, even with stamps too young to trust; and every change
// is seen at the next question: the file written over in place, removed,
// a rejected file beside it, the rejected directory gone (the watch is
// dropped, the stamps answer again).
func TestKeyCacheWatchSeesEveryChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	store, err := pki.Open(dir, pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyCache(store)
	defer k.close()
	if k.watch == nil {
		t.Skip("no inotify here")
	}
	k.now = func() time.Time { return time.Now().Add(-time.Hour) } // stamps never trusted
	pub, ver := hexKeys(t)
	if _, err := store.Decide("m1", pub, ver); err != nil {
		t.Fatal(err)
	}
	if err := store.Accept("m1"); err != nil {
		t.Fatal(err)
	}
	if !k.isAccepted("m1") {
		t.Fatal("m1 not accepted")
	}
	// Answered from memory: a store that knows no key is not asked.
	real := k.store
	empty, err := pki.Open(filepath.Join(t.TempDir(), "empty"), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k.store = empty
	if !k.isAccepted("m1") {
		t.Fatal("m1 read again although nothing changed")
	}
	k.store = real
	path := store.Path(raet.Accepted, "m1")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		what   string
		change func() error
		want   bool
	}{
		{"written over with garbage", func() error { return os.WriteFile(path, []byte("\x93garbage"), 0o600) }, false},
		{"written back", func() error { return os.WriteFile(path, good, 0o600) }, true},
		{"rejected beside", func() error { return os.WriteFile(store.Path(raet.Rejected, "m1"), good, 0o600) }, false},
		{"rejected file removed", func() error { return os.Remove(store.Path(raet.Rejected, "m1")) }, true},
		{"deleted", func() error { return store.Delete("m1") }, false},
		{"accepted again", func() error { return os.WriteFile(path, good, 0o600) }, true},
		{"the rejected directory moved away", func() error {
			return os.Rename(filepath.Join(dir, pki.StatusName(raet.Rejected)), filepath.Join(dir, "old"))
		}, true},
		{"written over again, the watch gone", func() error { return os.WriteFile(path, []byte("\x93garbage"), 0o600) }, false},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		for range 2 { // the first reads, the second may answer from memory
			if got := k.isAccepted("m1"); got != s.want {
				t.Fatalf("%s: isAccepted = %v, want %v", s.what, got, s.want)
			}
		}
	}
	if _, ok := k.watch.poll(); ok {
		t.Fatal("the watch is still trusted after a watched directory moved")
	}
}
