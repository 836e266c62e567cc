package pki

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

func TestFingerprint(t *testing.T) {
	// Computed with Python's hashlib.sha256 over the same text.
	const want = "dbaf65509d0f9db387bc277d0bb459a4bf0f1ee4b64afe77462c5ba30eea2286"
	if got := Fingerprint(hexA1, hexA2); got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
	sum := sha256.Sum256([]byte("pub: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nverify: fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"))
	if hex.EncodeToString(sum[:]) != want {
		t.Error("the literal text does not hash to the expected value")
	}
	k := Key{Pub: hexA1, Verify: hexA2}
	if k.Fingerprint() != want {
		t.Errorf("Key.Fingerprint = %s", k.Fingerprint())
	}
	if k.String() != "pub: "+hexA1+"\nverify: "+hexA2 {
		t.Errorf("Key.String = %q", k.String())
	}
	if Fingerprint(hexA2, hexA1) == want {
		t.Error("swapping the keys gives the same fingerprint")
	}
}

func TestOpenCreatesDirectories(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "pki", "master")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"", "accepted", "pending", "rejected"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, want a 0700 directory", sub, fi.Mode())
		}
	}
	// An existing directory keeps its mode, and its keys.
	putKey(t, s, raet.Accepted, "web1", keysA)
	if err := os.Chmod(filepath.Join(dir, "accepted"), 0o750); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "accepted")); fi.Mode().Perm() != 0o750 {
		t.Errorf("Open changed the mode of accepted/ to %v", fi.Mode())
	}
	if _, err := s.Read("web1", raet.Accepted); err != nil {
		t.Error(err)
	}
	// A file where a directory should be is an error.
	bad := filepath.Join(t.TempDir(), "pki")
	os.Mkdir(bad, 0o700)
	os.WriteFile(filepath.Join(bad, "pending"), nil, 0o600)
	if _, err := Open(bad, Options{}); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Errorf("Open over a file named pending = %v", err)
	}
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open with an empty pki_dir succeeded")
	}
}

func TestOpenRemovesOnlyStaleTemps(t *testing.T) {
	s := openStore(t, Options{})
	stale := filepath.Join(s.statusDir(raet.Pending), tempPrefix+"web1-dead")
	fresh := filepath.Join(s.statusDir(raet.Pending), tempPrefix+"web2-busy")
	staleLocal := filepath.Join(s.Dir(), tempPrefix+"local.key-dead")
	for _, p := range []string{stale, fresh, staleLocal} {
		writeMode(t, p, "partial", 0o600)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	os.Chtimes(staleLocal, old, old)
	if _, err := Open(s.Dir(), Options{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, staleLocal: false, fresh: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", p, err == nil, want)
		}
	}
	// A temp file is never listed as a key.
	l, _ := s.List()
	if len(l[raet.Pending]) != 0 {
		t.Errorf("List shows %v", l[raet.Pending])
	}
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{
		"web1": true, "web1.example.com": true, "a..b": true, "web_1-x": true, "ünïcode": true,
		"": false, ".": false, "..": false, ".web1": false, "../x": false, "a/b": false, "/abs": false,
		`a\b`: false, "a\x00b": false,
	} {
		if err := ValidID(id); (err == nil) != ok {
			t.Errorf("ValidID(%q) = %v, want ok %v", id, err, ok)
		}
		if err := ValidID(id); err != nil && !errors.Is(err, ErrInvalidID) {
			t.Errorf("ValidID(%q) error %v is not ErrInvalidID", id, err)
		}
	}
}

func TestListAndMatch(t *testing.T) {
	s := openStore(t, Options{})
	for _, id := range []string{"web2", "web10", "Web1", "db1"} {
		putKey(t, s, raet.Accepted, id, keysA)
	}
	putKey(t, s, raet.Pending, "web3", keysA)
	putKey(t, s, raet.Pending, "mail1", keysA)
	putKey(t, s, raet.Rejected, "web9", keysA)
	// Not keys: a dot file, a directory.
	writeMode(t, filepath.Join(s.statusDir(raet.Accepted), ".hidden"), "x", 0o600)
	os.Mkdir(filepath.Join(s.statusDir(raet.Pending), "subdir"), 0o700)

	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := map[raet.Acceptance][]string{
		raet.Accepted: {"Web1", "db1", "web10", "web2"},
		raet.Pending:  {"mail1", "web3"},
		raet.Rejected: {"web9"},
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("List = %v, want %v", l, want)
	}
	empty, _ := openStore(t, Options{}).List()
	if len(empty) != 3 || empty[raet.Accepted] == nil || len(empty[raet.Pending]) != 0 {
		t.Errorf("List of an empty store = %#v, want three empty statuses", empty)
	}

	for _, c := range []struct {
		glob     string
		statuses []raet.Acceptance
		want     map[raet.Acceptance][]string
	}{
		{"web*", nil, map[raet.Acceptance][]string{raet.Accepted: {"web10", "web2"}, raet.Pending: {"web3"}, raet.Rejected: {"web9"}}},
		{"web?", []raet.Acceptance{raet.Pending}, map[raet.Acceptance][]string{raet.Pending: {"web3"}}},
		{"db1,mail*", nil, map[raet.Acceptance][]string{raet.Accepted: {"db1"}, raet.Pending: {"mail1"}}},
		{"web*,*2", []raet.Acceptance{raet.Accepted}, map[raet.Acceptance][]string{raet.Accepted: {"web10", "web2"}}}, // web2 matches twice, listed once
		{"[Ww]eb1", nil, map[raet.Acceptance][]string{raet.Accepted: {"Web1"}}},
		{"*", []raet.Acceptance{raet.Rejected}, map[raet.Acceptance][]string{raet.Rejected: {"web9"}}},
		{"nomatch*", nil, map[raet.Acceptance][]string{}},
		{"web3", []raet.Acceptance{raet.Accepted, raet.Rejected}, map[raet.Acceptance][]string{}},
	} {
		got, err := s.Match(c.glob, c.statuses...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Match(%q, %v) = %v, want %v", c.glob, c.statuses, got, c.want)
		}
	}
	if _, err := s.Match("*", raet.Acceptance(7)); err == nil {
		t.Error("Match with an unknown status succeeded")
	}
}

func TestAcceptRejectMoveDelete(t *testing.T) {
	s := openStore(t, Options{})
	putKey(t, s, raet.Pending, "web1", keysA)
	putKey(t, s, raet.Pending, "web2", keysB)

	if err := s.Accept("web1"); err != nil {
		t.Fatal(err)
	}
	if k, err := s.Get("web1"); err != nil || k.Status != raet.Accepted || k.Pub != keysA.pub || k.Verify != keysA.ver {
		t.Errorf("after Accept, Get = %+v, %v", k, err)
	}
	if _, err := s.Read("web1", raet.Pending); !errors.Is(err, ErrNotFound) {
		t.Errorf("pending/web1 still there: %v", err)
	}
	// Accept only takes pending keys.
	err := s.Accept("web1")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), `"web1"`) {
		t.Errorf("second Accept = %v, want ErrNotFound naming web1", err)
	}

	if err := s.Reject("web2"); err != nil {
		t.Fatal(err)
	}
	if k, err := s.Get("web2"); err != nil || k.Status != raet.Rejected || k.Pub != keysB.pub {
		t.Errorf("after Reject, Get = %+v, %v", k, err)
	}
	// --include-rejected: accept a rejected key.
	if err := s.Move("web2", raet.Rejected, raet.Accepted); err != nil {
		t.Fatal(err)
	}
	// --include-accepted: reject an accepted key.
	if err := s.Move("web1", raet.Accepted, raet.Rejected); err != nil {
		t.Fatal(err)
	}
	l, _ := s.List()
	want := map[raet.Acceptance][]string{raet.Accepted: {"web2"}, raet.Pending: {}, raet.Rejected: {"web1"}}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("List = %v, want %v", l, want)
	}
	if st, _ := s.Status("web1", keysA.pub, keysA.ver); st != raet.Rejected {
		t.Errorf("rejected key answered %v", st)
	}

	// Delete removes every copy; then the id is new again.
	putKey(t, s, raet.Pending, "web1", keysA)
	if err := s.Delete("web1"); err != nil {
		t.Fatal(err)
	}
	for _, st := range Statuses() {
		if _, err := s.Read("web1", st); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s/web1 survived Delete: %v", statusName(st), err)
		}
	}
	if err := s.Delete("web1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a deleted key = %v", err)
	}
	if d, err := s.Decide("web1", keysB.pub, keysB.ver); err != nil || d.Status != raet.Pending || !d.New {
		t.Errorf("after Delete the id is not new: %+v, %v", d, err)
	}
	if err := s.Remove("web2", raet.Pending); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove from the wrong status = %v", err)
	}
	if err := s.Remove("web2", raet.Accepted); err != nil {
		t.Error(err)
	}
	if _, err := s.Get("web2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Remove = %v", err)
	}
	for _, f := range []func() error{
		func() error { return s.Accept("../x") },
		func() error { return s.Reject(".x") },
		func() error { return s.Delete("a/b") },
		func() error { _, err := s.Get(""); return err },
	} {
		if err := f(); !errors.Is(err, ErrInvalidID) {
			t.Errorf("bad id accepted: %v", err)
		}
	}
	noTemps(t, s)
}

func TestAcceptRefusesACorruptKey(t *testing.T) {
	s := openStore(t, Options{})
	p := s.Path(raet.Pending, "web1")
	writeMode(t, p, "junk", 0o600)
	if err := s.Accept("web1"); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Accept of a corrupt key = %v", err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Error("the corrupt key was moved")
	}
	// It can still be rejected or deleted.
	if err := s.Reject("web1"); err != nil {
		t.Error(err)
	}
	if err := s.Delete("web1"); err != nil {
		t.Error(err)
	}
}

func TestGetPrefersTheDecidingStatus(t *testing.T) {
	s := openStore(t, Options{})
	putKey(t, s, raet.Pending, "web1", keysC)
	putKey(t, s, raet.Accepted, "web1", keysB)
	if k, _ := s.Get("web1"); k.Status != raet.Accepted || k.Pub != keysB.pub {
		t.Errorf("Get = %+v, want the accepted key", k)
	}
	putKey(t, s, raet.Rejected, "web1", keysA)
	if k, _ := s.Get("web1"); k.Status != raet.Rejected || k.Pub != keysA.pub {
		t.Errorf("Get = %+v, want the rejected key", k)
	}
}

// salt-key -a run twice at once, or salt-key racing the master's autosign:
// exactly one move wins, the others say the key was gone, and the key file
// is whole.
func TestConcurrentAccept(t *testing.T) {
	for round := range 20 {
		s := openStore(t, Options{})
		putKey(t, s, raet.Pending, "web1", keysA)
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = s.Accept("web1")
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrNotFound):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d Accepts succeeded, want 1", round, ok)
		}
		l, _ := s.List()
		if len(l[raet.Accepted]) != 1 || len(l[raet.Pending]) != 0 || len(l[raet.Rejected]) != 0 {
			t.Fatalf("round %d: List = %v", round, l)
		}
		if k, err := s.Read("web1", raet.Accepted); err != nil || k.Pub != keysA.pub || k.Verify != keysA.ver {
			t.Fatalf("round %d: accepted key %+v, %v", round, k, err)
		}
		noTemps(t, s)
	}
}

// Writers racing readers: a reader never sees a partly written file, only
// one of the whole versions.
func TestOpenModeRewritesAreAtomic(t *testing.T) {
	s := openStore(t, Options{OpenMode: true})
	if _, err := s.Status("web1", keysA.pub, keysA.ver); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 4 {
		wg.Go(func() {
			k := []pair{keysA, keysB, keysC}[i%3]
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Status("web1", k.pub, k.ver); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 2000 {
		k, err := s.Read("web1", raet.Accepted)
		if err != nil {
			t.Errorf("reader saw %v", err)
			break
		}
		if p := (pair{k.Pub, k.Verify}); p != keysA && p != keysB && p != keysC {
			t.Errorf("reader saw a key that was never written: %+v", k)
			break
		}
	}
	close(stop)
	wg.Wait()
	noTemps(t, s)
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	if err := writeAtomic(dir, "f", []byte("one"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	err := writeAtomic(dir, "f", []byte("two"), 0o600, false)
	if !errors.Is(err, errExists) {
		t.Errorf("no-replace write over an existing file = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "one" {
		t.Errorf("no-replace write changed the file to %q", b)
	}
	if err := writeAtomic(dir, "f", []byte("three"), 0o640, true); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "f"))
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "three" || fi.Mode().Perm() != 0o640 {
		t.Errorf("replace wrote %q mode %v", b, fi.Mode())
	}
	// A failed write leaves nothing behind.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	os.Mkdir(filepath.Join(sub, "g"), 0o700) // rename onto a non-empty directory fails
	os.WriteFile(filepath.Join(sub, "g", "x"), nil, 0o600)
	if err := writeAtomic(sub, "g", []byte("data"), 0o600, true); err == nil {
		t.Error("write over a non-empty directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	sents, _ := os.ReadDir(sub)
	if len(ents) != 2 || len(sents) != 1 {
		t.Errorf("files left: %v %v", ents, sents)
	}
	if err := writeAtomic(filepath.Join(dir, "missing"), "f", nil, 0o600, true); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}
