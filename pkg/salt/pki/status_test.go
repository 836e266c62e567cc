package pki

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// TestDecisionTable walks every rule of spec/salt-raet.md 2.1 and checks the
// answer, the reason, and where the key files are afterwards.
func TestDecisionTable(t *testing.T) {
	type row struct {
		name       string
		opts       Options
		id         string // "web1" when empty
		autosign   string // content of autosign_file; no file when empty
		autoreject string
		signMode   os.FileMode // mode of autosign_file (0600 when 0)
		rejectMode os.FileMode
		stubs      []string      // minions_autosign entries
		stubAge    time.Duration // age of every stub
		existing   map[raet.Acceptance]pair
		present    pair
		upper      bool // present the keys in upper case

		want      raet.Acceptance
		reason    Reason
		wantNew   bool
		files     map[raet.Acceptance]pair // where the id has files afterwards, and with which keys
		warn      error                    // a warning that must be reported (none allowed when nil)
		wantStubs []string                 // stubs left afterwards
	}
	acc, pend, rej := raet.Accepted, raet.Pending, raet.Rejected
	rows := []row{
		// 1. open_mode
		{name: "open_mode new id", opts: Options{OpenMode: true}, present: keysA,
			want: acc, reason: ReasonOpenMode, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "open_mode overwrites an accepted key with changed keys", opts: Options{OpenMode: true},
			existing: map[raet.Acceptance]pair{acc: keysA}, present: keysB,
			want: acc, reason: ReasonOpenMode, files: map[raet.Acceptance]pair{acc: keysB}},
		{name: "open_mode comes before rejected", opts: Options{OpenMode: true},
			existing: map[raet.Acceptance]pair{rej: keysA}, present: keysA,
			want: acc, reason: ReasonOpenMode, files: map[raet.Acceptance]pair{acc: keysA, rej: keysA}},
		{name: "open_mode with a pending key", opts: Options{OpenMode: true},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysC,
			want: acc, reason: ReasonOpenMode, files: map[raet.Acceptance]pair{acc: keysC, pend: keysA}},

		// 2. rejected
		{name: "rejected stays rejected", existing: map[raet.Acceptance]pair{rej: keysA}, present: keysA,
			want: rej, reason: ReasonAlreadyRejected, files: map[raet.Acceptance]pair{rej: keysA}},
		{name: "rejected beats auto_accept and autosign", opts: Options{AutoAccept: true}, autosign: "web1", stubs: []string{"web1"},
			existing: map[raet.Acceptance]pair{rej: keysA}, present: keysA,
			want: rej, reason: ReasonAlreadyRejected, files: map[raet.Acceptance]pair{rej: keysA}, wantStubs: []string{"web1"}},
		{name: "rejected beats accepted", existing: map[raet.Acceptance]pair{rej: keysB, acc: keysA}, present: keysA,
			want: rej, reason: ReasonAlreadyRejected, files: map[raet.Acceptance]pair{rej: keysB, acc: keysA}},

		// 3. accepted
		{name: "accepted with equal keys", existing: map[raet.Acceptance]pair{acc: keysA}, present: keysA,
			want: acc, reason: ReasonAccepted, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "accepted with equal keys in upper case", existing: map[raet.Acceptance]pair{acc: keysA}, present: keysA, upper: true,
			want: acc, reason: ReasonAccepted, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "accepted with a changed public key", existing: map[raet.Acceptance]pair{acc: keysA}, present: keysB,
			want: rej, reason: ReasonAcceptedMismatch, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "accepted with a changed verify key", existing: map[raet.Acceptance]pair{acc: keysA}, present: keysC,
			want: rej, reason: ReasonAcceptedMismatch, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "accepted with changed keys, auto_accept does not help", opts: Options{AutoAccept: true},
			existing: map[raet.Acceptance]pair{acc: keysA}, present: keysB,
			want: rej, reason: ReasonAcceptedMismatch, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "accepted beats pending", existing: map[raet.Acceptance]pair{acc: keysA, pend: keysB}, present: keysA,
			want: acc, reason: ReasonAccepted, files: map[raet.Acceptance]pair{acc: keysA, pend: keysB}},

		// 4. pending
		{name: "pending stays pending", existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: pend, reason: ReasonAwaiting, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "pending with a changed public key", existing: map[raet.Acceptance]pair{pend: keysA}, present: keysB,
			want: rej, reason: ReasonPendingMismatch, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "pending with a changed verify key", existing: map[raet.Acceptance]pair{pend: keysA}, present: keysC,
			want: rej, reason: ReasonPendingMismatch, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "pending with changed keys and auto_accept", opts: Options{AutoAccept: true},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysB,
			want: rej, reason: ReasonPendingMismatch, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "pending with changed keys leaves the autosign entry", stubs: []string{"web1"},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysB,
			want: rej, reason: ReasonPendingMismatch, files: map[raet.Acceptance]pair{pend: keysA}, wantStubs: []string{"web1"}},
		{name: "pending, autoreject exact", autoreject: "web1\n",
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: rej, reason: ReasonAutoreject, files: map[raet.Acceptance]pair{rej: keysA}},
		{name: "pending, autoreject before autosign", autoreject: "web*", autosign: "web1", opts: Options{AutoAccept: true},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: rej, reason: ReasonAutoreject, files: map[raet.Acceptance]pair{rej: keysA}},
		{name: "pending, auto_accept", opts: Options{AutoAccept: true},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: acc, reason: ReasonAutoAccept, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "pending, autosign glob", autosign: "db*\nweb?\n",
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: acc, reason: ReasonAutosignFile, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "pending, minions_autosign entry", stubs: []string{"web1", "db1"},
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: acc, reason: ReasonAutosignDir, files: map[raet.Acceptance]pair{acc: keysA}, wantStubs: []string{"db1"}},
		{name: "pending, group-writable autosign file refused", autosign: "web1", signMode: 0o620,
			existing: map[raet.Acceptance]pair{pend: keysA}, present: keysA,
			want: pend, reason: ReasonAwaiting, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrInsecure},

		// 5. new id
		{name: "new id, no rule", present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, upper-case keys stored in lower case", present: keysA, upper: true,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, auto_accept", opts: Options{AutoAccept: true}, present: keysA,
			want: acc, reason: ReasonAutoAccept, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, auto_accept before autoreject", opts: Options{AutoAccept: true}, autoreject: "web1", present: keysA,
			want: acc, reason: ReasonAutoAccept, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign exact", autosign: "db1\nweb1\n", present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign glob", autosign: "web?", present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign glob class", autosign: "web[0-9]", present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign regex", id: "web12.example.com", autosign: `web\d+\.example\.com`, present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign regex must match the whole id", id: "web12", autosign: `web\d`, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, autosign comments are not patterns", autosign: "# web1\n   #web1\n\n#|web1\n#*web1\n", present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, autosign line with spaces and CRLF", autosign: "# ids\r\n   web1   \r\n", present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autosign no match", autosign: "db*\nweb2\n", present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, autosign before autoreject", autosign: "web1", autoreject: "web1", present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, autoreject regex", autoreject: "# bad hosts\nweb[0-9]+\n", present: keysA,
			want: rej, reason: ReasonAutoreject, wantNew: true, files: map[raet.Acceptance]pair{rej: keysA}},
		{name: "new id, autosign file missing", opts: Options{AutosignFile: "/nonexistent/autosign.conf"}, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}},
		{name: "new id, group-writable autosign file refused", autosign: "web1", signMode: 0o620, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrInsecure},
		{name: "new id, group-writable autosign file with permissive_pki_access", autosign: "web1", signMode: 0o660,
			opts: Options{PermissivePKIAccess: true}, present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, world-writable autosign file refused", autosign: "web1", signMode: 0o602, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrInsecure},
		{name: "new id, world-writable autosign file refused with permissive_pki_access", autosign: "web1", signMode: 0o666,
			opts: Options{PermissivePKIAccess: true}, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrInsecure},
		{name: "new id, group-writable autoreject file refused", autoreject: "web1", rejectMode: 0o620, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrInsecure},
		{name: "new id, world-readable autosign file is fine", autosign: "web1", signMode: 0o644, present: keysA,
			want: acc, reason: ReasonAutosignFile, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, minions_autosign entry", stubs: []string{"web1", "db1"}, present: keysA,
			want: acc, reason: ReasonAutosignDir, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}, wantStubs: []string{"db1"}},
		{name: "new id, minions_autosign entry for another id", stubs: []string{"web2"}, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, wantStubs: []string{"web2"}},
		{name: "new id, expired minions_autosign entry", stubs: []string{"web1"}, stubAge: 3 * time.Hour, present: keysA,
			want: pend, reason: ReasonAwaiting, wantNew: true, files: map[raet.Acceptance]pair{pend: keysA}, warn: ErrAutosignExpired},
		{name: "new id, minions_autosign entry within a custom timeout", stubs: []string{"web1"}, stubAge: 3 * time.Hour,
			opts: Options{AutosignTimeout: 4 * time.Hour}, present: keysA,
			want: acc, reason: ReasonAutosignDir, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
		{name: "new id, minions_autosign entries that never expire", stubs: []string{"web1"}, stubAge: 1000 * time.Hour,
			opts: Options{AutosignTimeout: -1}, present: keysA,
			want: acc, reason: ReasonAutosignDir, wantNew: true, files: map[raet.Acceptance]pair{acc: keysA}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			id := r.id
			if id == "" {
				id = "web1"
			}
			etc := t.TempDir()
			opts := r.opts
			if r.autosign != "" {
				opts.AutosignFile = filepath.Join(etc, "autosign.conf")
				writeMode(t, opts.AutosignFile, r.autosign, orMode(r.signMode))
			}
			if r.autoreject != "" {
				opts.AutorejectFile = filepath.Join(etc, "autoreject.conf")
				writeMode(t, opts.AutorejectFile, r.autoreject, orMode(r.rejectMode))
			}
			s := openStore(t, opts)
			if len(r.stubs) > 0 {
				dir := filepath.Join(s.Dir(), "minions_autosign")
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				for _, st := range r.stubs {
					p := filepath.Join(dir, st)
					writeMode(t, p, "", 0o600)
					if r.stubAge > 0 {
						old := time.Now().Add(-r.stubAge)
						if err := os.Chtimes(p, old, old); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			for st, k := range r.existing {
				putKey(t, s, st, id, k)
			}
			pub, ver := r.present.pub, r.present.ver
			if r.upper {
				pub, ver = strings.ToUpper(pub), strings.ToUpper(ver)
			}

			d, err := s.Decide(id, pub, ver)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if d.Status != r.want || d.Reason != r.reason || d.New != r.wantNew {
				t.Errorf("Decide = %v (%q, new %v), want %v (%q, new %v)", d.Status, d.Reason, d.New, r.want, r.reason, r.wantNew)
			}
			if r.warn == nil && len(d.Warnings) > 0 {
				t.Errorf("unexpected warnings: %v", d.Warnings)
			}
			if r.warn != nil && !slices.ContainsFunc(d.Warnings, func(e error) bool { return errors.Is(e, r.warn) }) {
				t.Errorf("warnings %v do not include %v", d.Warnings, r.warn)
			}
			for _, st := range Statuses() {
				k, err := s.Read(id, st)
				want, ok := r.files[st]
				switch {
				case ok && err != nil:
					t.Errorf("%s/%s: %v", statusName(st), id, err)
				case ok && (k.Pub != want.pub || k.Verify != want.ver):
					t.Errorf("%s/%s holds %+v, want %+v", statusName(st), id, k, want)
				case !ok && !errors.Is(err, ErrNotFound):
					t.Errorf("%s/%s should not exist: %+v, %v", statusName(st), id, k, err)
				}
			}
			if len(r.stubs) > 0 {
				ents, err := os.ReadDir(filepath.Join(s.Dir(), "minions_autosign"))
				if err != nil {
					t.Fatal(err)
				}
				left := []string{}
				for _, e := range ents {
					left = append(left, e.Name())
				}
				if !slices.Equal(left, append([]string{}, r.wantStubs...)) && !(len(left) == 0 && len(r.wantStubs) == 0) {
					t.Errorf("minions_autosign holds %v, want %v", left, r.wantStubs)
				}
			}
			noTemps(t, s)

			// Status is Decide without the details.
			if r.want != raet.Rejected || r.reason == ReasonAlreadyRejected {
				st, err := s.Status(id, pub, ver)
				if err != nil {
					t.Fatal(err)
				}
				again, _ := s.Decide(id, pub, ver)
				if st != again.Status {
					t.Errorf("Status = %v, Decide = %v", st, again.Status)
				}
			}
		})
	}
}

func orMode(m os.FileMode) os.FileMode {
	if m == 0 {
		return 0o600
	}
	return m
}

// A key that was answered once is answered the same way on the next join,
// so that a minion re-joining (which it does every redo period while
// pending) sees a stable answer.
func TestDecisionIsStable(t *testing.T) {
	s := openStore(t, Options{})
	for i := range 3 {
		st, err := s.Status("web1", hexA1, hexA2)
		if err != nil || st != raet.Pending {
			t.Fatalf("join %d: %v, %v; want pending", i, st, err)
		}
	}
	if err := s.Accept("web1"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Status("web1", hexA1, hexA2); err != nil || st != raet.Accepted {
		t.Fatalf("after accept: %v, %v", st, err)
	}
	if st, err := s.Status("web1", hexB, hexA2); err != nil || st != raet.Rejected {
		t.Fatalf("changed key after accept: %v, %v", st, err)
	}
	// The rejection of a changed key does not touch the accepted key.
	if st, err := s.Status("web1", hexA1, hexA2); err != nil || st != raet.Accepted {
		t.Fatalf("original key again: %v, %v", st, err)
	}
}

func TestDecideRefusesBadInput(t *testing.T) {
	s := openStore(t, Options{AutoAccept: true})
	for _, c := range []struct {
		id, pub, ver string
		want         error
	}{
		{"", hexA1, hexA2, ErrInvalidID},
		{"../web1", hexA1, hexA2, ErrInvalidID},
		{"..", hexA1, hexA2, ErrInvalidID},
		{".hidden", hexA1, hexA2, ErrInvalidID},
		{"a/b", hexA1, hexA2, ErrInvalidID},
		{`a\b`, hexA1, hexA2, ErrInvalidID},
		{"a\x00b", hexA1, hexA2, ErrInvalidID},
		{"web1", hexA1[:63], hexA2, ErrInvalidKey},
		{"web1", hexA1, hexA2 + "00", ErrInvalidKey},
		{"web1", strings.Repeat("zz", 32), hexA2, ErrInvalidKey},
	} {
		_, err := s.Status(c.id, c.pub, c.ver)
		if !errors.Is(err, c.want) {
			t.Errorf("Status(%q, %q, %q) = %v, want %v", c.id, c.pub, c.ver, err, c.want)
		}
	}
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for st, ids := range l {
		if len(ids) > 0 {
			t.Errorf("%s holds %v after refused input", statusName(st), ids)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(s.Dir())); len(ents) != 1 {
		t.Errorf("something was written beside pki_dir: %v", ents)
	}
}

func TestDecideCorruptAcceptedKeyIsAnError(t *testing.T) {
	s := openStore(t, Options{})
	p := s.Path(raet.Accepted, "web1")
	if err := os.WriteFile(p, []byte("not msgpack"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Status("web1", hexA1, hexA2)
	if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Status with a corrupt accepted file = %v, want ErrInvalidKey naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "not msgpack" {
		t.Errorf("corrupt file was changed to %q", b)
	}
}

// Many joins of one new id with different keys at once: exactly one key is
// stored, and every join is answered according to that key, never with a
// key that was overwritten afterwards.
func TestConcurrentJoinsOfNewID(t *testing.T) {
	s := openStore(t, Options{})
	const n = 24
	keys := make([]pair, n)
	got := make([]raet.Acceptance, n)
	errs := make([]error, n)
	for i := range keys {
		keys[i] = pair{strings.Repeat(string("0123456789abcdef"[i%16])+"a", 32), hexA2}
		if i >= 16 {
			keys[i].ver = hexC
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.Status("web1", keys[i].pub, keys[i].ver)
		})
	}
	close(start)
	wg.Wait()
	k, err := s.Read("web1", raet.Pending)
	if err != nil {
		t.Fatal(err)
	}
	winners := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("join %d: %v", i, errs[i])
		}
		if keys[i].pub == k.Pub && keys[i].ver == k.Verify {
			winners++
			if got[i] != raet.Pending {
				t.Errorf("join %d with the stored key got %v", i, got[i])
			}
		} else if got[i] != raet.Rejected {
			t.Errorf("join %d with a key that is not stored got %v, want rejected", i, got[i])
		}
	}
	if winners != 1 {
		t.Errorf("%d joins match the stored key, want 1", winners)
	}
	l, _ := s.List()
	if len(l[raet.Accepted])+len(l[raet.Rejected]) != 0 || !slices.Equal(l[raet.Pending], []string{"web1"}) {
		t.Errorf("List = %v", l)
	}
	noTemps(t, s)
}

// A minions_autosign entry accepts one join, even when several processes
// decide about its id at once.
func TestAutosignEntryIsUsedOnce(t *testing.T) {
	s := openStore(t, Options{})
	dir := filepath.Join(s.Dir(), "minions_autosign")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeMode(t, filepath.Join(dir, "web1"), "", 0o600)
	if ok, _ := s.useAutosignEntry("web1"); !ok {
		t.Fatal("first use of the entry failed")
	}
	if ok, _ := s.useAutosignEntry("web1"); ok {
		t.Fatal("the entry was used twice")
	}
}

func TestCheckAutoFiles(t *testing.T) {
	etc := t.TempDir()
	good := filepath.Join(etc, "autosign.conf")
	bad := filepath.Join(etc, "autoreject.conf")
	writeMode(t, good, "web*\n", 0o600)
	writeMode(t, bad, "db*\n", 0o622)
	s := openStore(t, Options{AutosignFile: good, AutorejectFile: bad})
	errs := s.CheckAutoFiles()
	if len(errs) != 1 || !errors.Is(errs[0], ErrInsecure) || !strings.Contains(errs[0].Error(), bad) {
		t.Fatalf("CheckAutoFiles = %v, want one ErrInsecure naming %s", errs, bad)
	}
	s = openStore(t, Options{AutosignFile: filepath.Join(etc, "missing")})
	if errs := s.CheckAutoFiles(); len(errs) != 1 || !errors.Is(errs[0], os.ErrNotExist) {
		t.Fatalf("CheckAutoFiles with a missing file = %v", errs)
	}
	if errs := openStore(t, Options{}).CheckAutoFiles(); len(errs) != 0 {
		t.Fatalf("CheckAutoFiles with nothing configured = %v", errs)
	}
}
