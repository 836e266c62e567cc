package keep

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

const (
	verA = "b325c2f3d31b3f29e11f4bd7c1c229e286c6ce20b04d82e9fb16f0833676b3bd"
	pubA = "49d918458ad22cddbb15e158834739ed4b8c8d7d50a0181c8b454c5bb1c9745c"
	verB = "926d7d046b025fe99b54d5c0e8d899749fe86de0549a6ab613c77860c06fcba9"
	pubB = "f3b4245efc691feabbd869cf3e6ec7cd49ade29b5a34cb0970be2f6212a2960d"
)

func acc(a raet.Acceptance) *raet.Acceptance { return &a }

func openTemp(t *testing.T, kind Kind, auto raet.AutoMode) *Keep {
	t.Helper()
	k, err := Open(t.TempDir(), kind, auto)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Every cell of spec section 7's table, with both kinds of key change (either
// key differing is a change), and what is on disk afterwards.
func TestStatusRoleTable(t *testing.T) {
	type keys struct{ ver, pub string }
	same := keys{verA, pubA}
	changes := map[string]keys{"same keys": same, "other verhex": {verB, pubA}, "other pubhex": {verA, pubB}, "both other": {verB, pubB}}
	priors := map[string]*raet.Acceptance{"no prior": nil, "prior accepted": acc(raet.Accepted), "prior pending": acc(raet.Pending), "prior rejected": acc(raet.Rejected)}
	// want[auto][prior] = status when the keys are the same, status when they differ
	A, P, R := raet.Accepted, raet.Pending, raet.Rejected
	want := map[raet.AutoMode]map[string][2]raet.Acceptance{
		raet.AutoAlways: {"no prior": {A, A}, "prior accepted": {A, A}, "prior pending": {A, A}, "prior rejected": {A, A}},
		raet.AutoOnce:   {"no prior": {A, A}, "prior accepted": {A, R}, "prior pending": {A, R}, "prior rejected": {R, R}},
		raet.AutoNever:  {"no prior": {P, P}, "prior accepted": {A, R}, "prior pending": {P, R}, "prior rejected": {R, R}},
	}
	for _, kind := range []Kind{KindJSON, KindMsgpack} {
		for auto, row := range want {
			for priorName, prior := range priors {
				for changeName, presented := range changes {
					name := string(kind) + "/" + auto.String() + "/" + priorName + "/" + changeName
					t.Run(name, func(t *testing.T) {
						k := openTemp(t, kind, auto)
						path := k.remoteRolePath("beta")
						var before []byte
						if priorName != "no prior" {
							if err := k.writeRole("beta", int64(*prior), same.ver, same.pub); err != nil {
								t.Fatal(err)
							}
							before, _ = os.ReadFile(path)
						}
						expect := row[priorName][0]
						if presented != same {
							expect = row[priorName][1]
						}
						// The no-prior column has nothing to differ from.
						if priorName == "no prior" {
							expect = row[priorName][0]
						}
						v, err := k.EvaluateRole("beta", presented.ver, presented.pub, true)
						if err != nil {
							t.Fatal(err)
						}
						if v.Status != expect {
							t.Fatalf("status %v, want %v", v.Status, expect)
						}
						if (v.Reason != "") != (expect == raet.Rejected) {
							t.Errorf("reason %q for %v", v.Reason, v.Status)
						}
						if (v.Prior == nil) != (prior == nil) || (prior != nil && *v.Prior != *prior) {
							t.Errorf("prior %v, want %v", v.Prior, prior)
						}
						after, err := os.ReadFile(path)
						if expect == raet.Rejected {
							// Never written: stored keys and status survive.
							if v.Wrote || string(after) != string(before) {
								t.Errorf("rejected result rewrote the role file: wrote %v\n%s", v.Wrote, after)
							}
							return
						}
						if err != nil {
							t.Fatal(err)
						}
						a, ver, pub, err := k.RoleAcceptance("beta")
						if err != nil {
							t.Fatal(err)
						}
						if a == nil || *a != expect || ver != presented.ver || pub != presented.pub {
							t.Errorf("stored %v %s %s, want %v %s %s", a, ver, pub, expect, presented.ver, presented.pub)
						}
						// Written only when something changed.
						changed := prior == nil || *prior != expect || presented != same
						if v.Wrote != changed {
							t.Errorf("wrote %v, want %v", v.Wrote, changed)
						}
						if !changed && string(after) != string(before) {
							t.Errorf("unchanged role file rewritten")
						}
					})
				}
			}
		}
	}
}

func TestStatusRoleExactFile(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoNever)
	s, err := k.StatusRole("beta", verA, pubA)
	if err != nil || s != raet.Pending {
		t.Fatalf("StatusRole = %v, %v", s, err)
	}
	// What the pending-main vector holds for the same keys.
	b, _ := os.ReadFile(k.remoteRolePath("beta"))
	want := "{\n  \"role\": \"beta\",\n  \"acceptance\": 0,\n  \"verhex\": \"" + verA + "\",\n  \"pubhex\": \"" + pubA + "\"\n}"
	if string(b) != want {
		t.Errorf("got %q\nwant %q", b, want)
	}
	// The operator accepts; the next check of the same keys is accepted
	// without a write, and other keys are rejected without one.
	if err := k.AcceptRemote("beta"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.EvaluateRole("beta", verA, pubA, true); err != nil || v.Status != raet.Accepted || v.Wrote {
		t.Errorf("after accept: %+v, %v", v, err)
	}
	if v, err := k.EvaluateRole("beta", verB, pubB, true); err != nil || v.Status != raet.Rejected || v.Wrote {
		t.Errorf("impostor: %+v, %v", v, err)
	}
	if a, ver, _, _ := k.RoleAcceptance("beta"); *a != raet.Accepted || ver != verA {
		t.Errorf("stored %v %s after impostor", *a, ver)
	}
}

func TestStatusRoleNoDump(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoOnce)
	v, err := k.EvaluateRole("beta", verA, pubA, false)
	if err != nil || v.Status != raet.Accepted || v.Wrote {
		t.Fatalf("%+v, %v", v, err)
	}
	if _, err := os.Stat(k.remoteRolePath("beta")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dump=false wrote the role file: %v", err)
	}
}

// A role file with a field raet does not write is judged but, as in the
// reference, never rewritten.
func TestStatusRoleExtraFieldNotRewritten(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoAlways)
	path := k.remoteRolePath("beta")
	body := `{"role": "beta", "acceptance": 0, "verhex": "` + verA + `", "pubhex": "` + pubA + `", "note": "x"}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := k.EvaluateRole("beta", verB, pubB, true)
	if err != nil || v.Status != raet.Accepted || v.Wrote {
		t.Fatalf("%+v, %v", v, err)
	}
	if b, _ := os.ReadFile(path); string(b) != body {
		t.Errorf("rewritten: %s", b)
	}
}

func TestStatusRoleBadInput(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoAlways)
	if _, err := k.StatusRole("beta", verA[:62], pubA); !errors.Is(err, raet.ErrKey) {
		t.Errorf("short verhex: %v", err)
	}
	if _, err := k.StatusRole("beta", verA, ""); !errors.Is(err, raet.ErrKey) {
		t.Errorf("empty pubhex: %v", err)
	}
	if _, err := k.StatusRole("../beta", verA, pubA); !errors.Is(err, ErrBadName) {
		t.Errorf("hostile role: %v", err)
	}
	// A malformed stored acceptance is an error, and fails closed.
	path := k.remoteRolePath("beta")
	os.WriteFile(path, []byte(`{"role": "beta", "acceptance": "1", "verhex": null, "pubhex": null}`), 0o644)
	s, err := k.StatusRole("beta", verA, pubA)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Field != "acceptance" || !errors.Is(err, ErrMalformed) || s != raet.Rejected {
		t.Errorf("malformed acceptance: %v, %v", s, err)
	}
	os.WriteFile(path, []byte(`{"role": "beta", "acceptance": 1, "verhex": "abc", "pubhex": null}`), 0o644)
	if _, err := k.StatusRole("beta", verA, pubA); !errors.Is(err, raet.ErrKey) || !strings.Contains(err.Error(), "verhex") {
		t.Errorf("short stored key: %v", err)
	}
	os.WriteFile(path, []byte(`{"role": "beta", `), 0o644)
	if _, err := k.StatusRole("beta", verA, pubA); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated role file: %v", err)
	}
}

func TestSetAcceptance(t *testing.T) {
	for _, kind := range []Kind{KindJSON, KindMsgpack} {
		k := openTemp(t, kind, raet.AutoNever)
		if err := k.AcceptRemote("beta"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("accept without a role file: %v", err)
		}
		if _, err := k.StatusRole("beta", verA, pubA); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			set  func(string) error
			want raet.Acceptance
		}{{k.AcceptRemote, raet.Accepted}, {k.RejectRemote, raet.Rejected}, {k.PendRemote, raet.Pending}} {
			if err := c.set("beta"); err != nil {
				t.Fatal(err)
			}
			a, ver, pub, err := k.RoleAcceptance("beta")
			if err != nil || a == nil || *a != c.want || ver != verA || pub != pubA {
				t.Errorf("%s: %v %s %s %v, want %v", kind, a, ver, pub, err, c.want)
			}
		}
		if err := k.SetAcceptance("beta", 3); err == nil {
			t.Error("acceptance 3 accepted")
		}
		// Rejected by the operator: always mode lifts it (table), the others keep it.
		if err := k.RejectRemote("beta"); err != nil {
			t.Fatal(err)
		}
		if s, _ := k.StatusRole("beta", verA, pubA); s != raet.Rejected {
			t.Errorf("never after reject: %v", s)
		}
	}
}

// DumpRemote leaves a stored rejection, and a rejected remote's keys, alone.
func TestDumpRemoteKeepsRejection(t *testing.T) {
	k := openTemp(t, KindJSON, raet.AutoNever)
	r := &Remote{Name: "beta", UID: 2, HA: HA{"127.0.0.1", 7591}, FQDN: "localhost", Role: "beta", Acceptance: acc(raet.Accepted), VerHex: verA, PubHex: pubA}
	if err := k.DumpRemote(r); err != nil {
		t.Fatal(err)
	}
	if err := k.RejectRemote("beta"); err != nil {
		t.Fatal(err)
	}
	r.SID = 3 // a routine dump of the remote still held as accepted
	if err := k.DumpRemote(r); err != nil {
		t.Fatal(err)
	}
	if a, _, _, _ := k.RoleAcceptance("beta"); *a != raet.Rejected {
		t.Errorf("routine dump undid the rejection: %v", *a)
	}
	rs, _ := k.LoadRemotes()
	if len(rs) != 1 || rs[0].SID != 3 {
		t.Errorf("estate not written: %+v", rs)
	}

	// A remote held as rejected with other keys does not store them.
	k2 := openTemp(t, KindJSON, raet.AutoNever)
	k2.StatusRole("beta", verA, pubA)
	before, _ := os.ReadFile(k2.remoteRolePath("beta"))
	r2 := *r
	r2.Acceptance, r2.VerHex, r2.PubHex = acc(raet.Rejected), verB, pubB
	if err := k2.DumpRemote(&r2); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(k2.remoteRolePath("beta")); string(after) != string(before) {
		t.Errorf("rejected remote's keys stored:\n%s", after)
	}
}
