package auth

import (
	"os"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// aclCases are the cases of testdata/acl_cases.json, each with the answer
// Salt 3006.3's CkMinions gave (testdata/acl_cases.py computes them).
func aclCases(t *testing.T, section string) []body.Map {
	t.Helper()
	raw, err := os.ReadFile("testdata/acl_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := body.Decode(raet.BodyJSON, raw)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := doc.Get(section)
	items, _ := py.ListItems(v)
	var out []body.Map
	for _, it := range items {
		c, _ := py.DictItems(it)
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("no %s cases", section)
	}
	return out
}

func strs(v any) []string {
	items, _ := py.ListItems(v)
	out := []string{}
	for _, x := range items {
		out = append(out, py.Str(x))
	}
	return out
}

func anyList(v any) []any { items, _ := py.ListItems(v); return items }

func TestAuthCheckAsSalt(t *testing.T) {
	a, _ := newTestAuth(t, Options{})
	for _, section := range []string{"auth", "auth_deviations"} {
		for _, c := range aclCases(t, section) {
			name, _ := c.String("name")
			fun, _ := c.Get("fun")
			arg, _ := c.Get("arg")
			tgt, _ := c.Get("tgt")
			tt, _ := c.String("tgt_type")
			want, _ := c.Bool("want")
			al, _ := c.Get("auth_list")
			mv, _ := c.Get("minions")
			got := a.AuthCheck(anyList(al), fun, arg, tgt, tt, strs(mv))
			if got != want {
				t.Errorf("%s %q: AuthCheck = %v, want %v", section, name, got, want)
			}
		}
	}
}

// Without the targeted minions, a {target: funs} entry needs Minions to
// expand the target; with neither it allows nothing.
func TestAuthCheckExpandsTarget(t *testing.T) {
	a, _ := newTestAuth(t, Options{})
	al := l(m("web*", l("test.*")))
	if a.AuthCheck(al, "test.ping", l(), "web*", "glob", nil) {
		t.Fatal("allowed without knowing the minions")
	}
	a.Minions = func(tgt any, tgtType string) ([]string, error) { return []string{"web1", "web2"}, nil }
	if !a.AuthCheck(al, "test.ping", l(), "web*", "glob", nil) {
		t.Fatal("refused web1, web2 for web*")
	}
	a.Minions = func(tgt any, tgtType string) ([]string, error) { return []string{"web1", "db1"}, nil }
	if a.AuthCheck(al, "test.ping", l(), "*", "glob", nil) {
		t.Fatal("allowed db1 for web*")
	}
}

func TestSpecCheckAsSalt(t *testing.T) {
	for _, c := range aclCases(t, "spec") {
		name, _ := c.String("name")
		fun, _ := c.String("fun")
		form, _ := c.String("form")
		want, _ := c.Bool("want")
		al, _ := c.Get("auth_list")
		argsV, _ := c.Get("args")
		args, _ := py.DictItems(argsV)
		got, err := SpecCheck(anyList(al), fun, args, form)
		if got != want {
			t.Errorf("%q: SpecCheck = %v, want %v", name, got, want)
		}
		wantErr, hasErr := c.Map("error")
		switch {
		case hasErr && err == nil:
			t.Errorf("%q: no error, want %v", name, wantErr)
		case hasErr:
			n, _ := wantErr.String("name")
			msg, _ := wantErr.String("message")
			if err.Name != n || err.Message != msg {
				t.Errorf("%q: error %v, want %s: %s", name, err, n, msg)
			}
		case err != nil:
			t.Errorf("%q: error %v", name, err)
		}
		// RunnerCheck and WheelCheck are SpecCheck with their form.
		check := RunnerCheck
		if form == "wheel" {
			check = WheelCheck
		}
		if got2, _ := check(anyList(al), fun, args); got2 != got {
			t.Errorf("%q: %s check differs from SpecCheck", name, form)
		}
	}
}

func TestFillAuthListAsSalt(t *testing.T) {
	for _, c := range aclCases(t, "fill") {
		name, _ := c.String("name")
		prov, _ := c.Map("provider")
		user, _ := c.String("user")
		groups, _ := c.Get("groups")
		perm, _ := c.Bool("permissive")
		want, _ := c.Get("want")
		got := FillAuthList(prov, user, strs(groups), perm)
		if !reflect.DeepEqual(got, anyList(want)) {
			t.Errorf("%q: FillAuthList = %v, want %v", name, got, want)
		}
	}
	// Salt's reversed expr_match would give a user named ".*" every
	// entry (auto takes any name); here only the key equal to the name.
	prov := m("alice", l("cmd.*"), "bob", l(".*"), "*", l("test.echo"))
	if got := FillAuthList(prov, ".*", nil, false); !reflect.DeepEqual(got, l("test.echo")) {
		t.Errorf("user .* got %v", got)
	}
}

func TestPublisherACLAsSalt(t *testing.T) {
	for _, c := range aclCases(t, "pubacl") {
		name, _ := c.String("name")
		acl, _ := c.Map("acl")
		user, _ := c.String("user")
		want, _ := c.Get("want")
		if got := ValuesOfMatchingKeys(acl, user); !reflect.DeepEqual(got, anyList(want)) {
			t.Errorf("%q: = %v, want %v", name, got, want)
		}
	}
	for _, c := range aclCases(t, "blacklist") {
		name, _ := c.String("name")
		bl, _ := c.Map("blacklist")
		user, _ := c.String("user")
		fun, _ := c.Get("fun")
		wu, _ := c.Bool("user_blacklisted")
		wc, _ := c.Bool("cmd_blacklisted")
		b := NewBlacklist(bl)
		if got := b.UserIsBlacklisted(user); got != wu {
			t.Errorf("%q: UserIsBlacklisted = %v, want %v", name, got, wu)
		}
		if got := b.CmdIsBlacklisted(fun); got != wc {
			t.Errorf("%q: CmdIsBlacklisted = %v, want %v", name, got, wc)
		}
	}
}

func TestPermsAsSalt(t *testing.T) {
	for i, c := range aclCases(t, "perms") {
		cfg, _ := c.Map("eauth")
		tok, _ := c.Map("token")
		tok.Set("eauth", "auto")
		want, _ := c.Get("want")
		a, _ := newTestAuth(t, Options{ExternalAuth: m("auto", cfg)})
		if got := a.Perms(tok); !reflect.DeepEqual(got, anyList(want)) {
			t.Errorf("case %d: Perms = %v, want %v", i, got, want)
		}
	}
}
