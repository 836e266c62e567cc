package target

import (
	"errors"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// testGrains has the shapes a minion really reports: strings, ints, lists,
// nested mappings (as Go maps and as decoded ordered Maps), booleans.
func testGrains() map[string]any {
	return map[string]any{
		"id":        "web1.example.org",
		"os":        "Ubuntu",
		"os_family": "Debian",
		"osrelease": "22.04",
		"num_cpus":  4,
		"roles":     []any{"web", "Cache", "db-replica"},
		"ipv4":      []any{"127.0.0.1", "10.1.2.3", "192.168.7.20"},
		"ipv6":      []any{"::1", "fd00::2", "fe80::fc:ff:fe00:1"},
		"virtual":   "kvm",
		"selinux":   map[string]any{"enabled": true, "enforced": "Enforcing"},
		"disks":     []any{map[string]any{"name": "vda", "size": 10}, map[string]any{"name": "vdb"}},
		"ip4_interfaces": body.Map{
			{Key: "lo", Value: []any{"127.0.0.1"}},
			{Key: "eth0", Value: []any{"10.1.2.3"}},
		},
		"empty":   map[string]any{},
		"nothing": nil,
		"url":     "http://mirror:8080/debian",
	}
}

func TestMatchTable(t *testing.T) {
	const id = "web1.example.org"
	cases := []struct {
		name    string
		typ     string
		tgt     any
		want    bool
		wantErr string // substring; "" means no error
	}{
		// glob: Python fnmatch, case-sensitive on Linux.
		{"glob star", "glob", "*", true, ""},
		{"glob default type", "", "web*", true, ""},
		{"glob prefix", "glob", "web*", true, ""},
		{"glob case-sensitive", "glob", "WEB*", false, ""},
		{"glob question", "glob", "web?.example.org", true, ""},
		{"glob set", "glob", "web[0-9].*", true, ""},
		{"glob negated set", "glob", "web[!1].*", false, ""},
		{"glob unclosed bracket is literal", "glob", "web1[", false, ""},
		{"glob star crosses dots", "glob", "*.org", true, ""},
		{"glob whole id required", "glob", "web1", false, ""},
		{"glob non-string never matches", "glob", []any{"web1.example.org"}, false, ""},

		// pcre: re.match, anchored at the start only.
		{"pcre prefix only", "pcre", `web\d`, true, ""},
		{"pcre not anchored at end", "pcre", `web1\.example`, true, ""},
		{"pcre anchored at start", "pcre", `example`, false, ""},
		{"pcre dollar", "pcre", `web\d\.example\.org$`, true, ""},
		{"pcre python \\Z", "pcre", `.*org\Z`, true, ""},
		{"pcre named group", "pcre", `(?P<role>web)\d`, true, ""},
		{"pcre {,n} quantifier", "pcre", `w{,2}eb`, true, ""},
		{"pcre inline ignorecase", "pcre", `(?i)WEB1`, true, ""},
		{"pcre unicode escape", "pcre", `\u0077eb`, true, ""},
		{"pcre lookahead refused", "pcre", `web(?=1)`, false, "lookahead"},
		{"pcre backreference refused", "pcre", `(w)\1`, false, "backreference"},
		{"pcre invalid", "pcre", `web(`, false, "web("},

		// list
		{"list of ids", "list", []any{"db1", id}, true, ""},
		{"list missing", "list", []any{"db1", "web1"}, false, ""},
		{"list comma string middle", "list", "a," + id + ",b", true, ""},
		{"list comma string no partial", "list", "web1.example,b", false, ""},
		{"list single string exact", "list", id, true, ""},
		{"list single string no glob", "list", "web*", false, ""},

		// grain: subdict_match, glob, case-insensitive, list members.
		{"grain exact", "grain", "os:Ubuntu", true, ""},
		{"grain case-insensitive", "grain", "os:ubuntu", true, ""},
		{"grain glob value", "grain", "osrelease:22.*", true, ""},
		{"grain int value", "grain", "num_cpus:4", true, ""},
		{"grain list member", "grain", "roles:cache", true, ""},
		{"grain list member glob", "grain", "roles:db-*", true, ""},
		{"grain list no member", "grain", "roles:mail", false, ""},
		{"grain nested", "grain", "selinux:enforced:enforcing", true, ""},
		{"grain nested bool", "grain", "selinux:enabled:True", true, ""},
		{"grain nested key exists", "grain", "selinux:enabled", true, ""},
		{"grain list of dicts", "grain", "disks:name:vdb", true, ""},
		{"grain ordered map nested", "grain", "ip4_interfaces:eth0:10.1.*", true, ""},
		{"grain value containing delimiter", "grain", "url:http://mirror:8080/*", true, ""},
		{"grain missing", "grain", "kernel:Linux", false, ""},
		{"grain empty mapping never matches", "grain", "empty:*", false, ""},
		{"grain None is none", "grain", "nothing:none", true, ""},
		{"grain no delimiter", "grain", "os", false, "no \":\""},

		// grain_pcre
		{"grain_pcre", "grain_pcre", `os:(Ubuntu|Debian)`, true, ""},
		{"grain_pcre case-insensitive", "grain_pcre", `os:ubu`, true, ""},
		{"grain_pcre keeps \\D meaning", "grain_pcre", `osrelease:\D`, false, ""},
		{"grain_pcre list", "grain_pcre", `roles:^c.che$`, true, ""},
		{"grain_pcre invalid", "grain_pcre", `os:(ubu`, false, "invalid regex"},

		// ipcidr
		{"ipcidr network", "ipcidr", "10.0.0.0/8", true, ""},
		{"ipcidr dotted netmask", "ipcidr", "192.168.7.0/255.255.255.0", true, ""},
		{"ipcidr address", "ipcidr", "10.1.2.3", true, ""},
		{"ipcidr other address", "ipcidr", "10.1.2.4", false, ""},
		{"ipcidr v6 network", "ipcidr", "fd00::/8", true, ""},
		{"ipcidr v6 address normalised", "ipcidr", "fd00:0::2", true, ""},
		{"ipcidr host bits set", "ipcidr", "10.1.2.3/8", false, "host bits"},
		{"ipcidr garbage", "ipcidr", "not-an-ip", false, "invalid IP/CIDR"},

		// compound
		{"compound grain and glob", "compound", "G@os:Ubuntu and web*", true, ""},
		{"compound bare glob", "compound", "web1.*", true, ""},
		{"compound or", "compound", "db* or E@web\\d", true, ""},
		{"compound not", "compound", "not G@os:Debian", true, ""},
		{"compound implicit and before not", "compound", "web* not G@os:Ubuntu", false, ""},
		{"compound and binds tighter than or", "compound", "db* and G@os:Ubuntu or L@" + id, true, ""},
		{"compound or then and", "compound", "G@os:Ubuntu or db* and L@nobody", true, ""},
		{"compound parentheses change precedence", "compound", "( G@os:Ubuntu or db* ) and L@nobody", false, ""},
		{"compound not binds tighter than and", "compound", "not db* and web*", true, ""},
		// Salt inserts "and" between the two nots and Python's eval then
		// rejects "not and not True".
		{"compound not not is refused as in Salt", "compound", "not not web*", false, "invalid compound"},
		{"compound list engine", "compound", "L@db1," + id, true, ""},
		{"compound ipcidr engine", "compound", "S@192.168.0.0/16 and P@os:ubu.tu", true, ""},
		{"compound custom grain delimiter", "compound", "G;@selinux;enforced;Enforcing", true, ""},
		{"compound soft failure is False", "compound", "G@os or web*", true, ""},
		{"compound as list", "compound", []any{"G@os:Ubuntu", "and", "web*"}, true, ""},
		{"compound unknown prefix is a glob", "compound", "X@web1", false, ""},
		{"compound pillar unsupported", "compound", "I@role:db or web*", false, "not supported"},
		{"compound nodegroup unsupported", "compound", "N@webs", false, "not supported"},
		{"compound range unsupported", "compound", "R@%web", false, "not supported"},
		{"compound J@ unsupported", "compound", "J@role:d.*", false, "not supported"},
		{"compound leading and", "compound", "and web*", false, "begins with"},
		{"compound and after paren", "compound", "( and web* )", false, "right after"},
		{"compound two values", "compound", "web* db*", false, "invalid compound"},
		{"compound unbalanced", "compound", "( web*", false, "unbalanced"},
		{"compound bad regex is an error", "compound", "E@web( or web*", false, "web("},

		// unsupported and unknown
		{"pillar unsupported", "pillar", "role:web", false, "not supported"},
		{"nodegroup unsupported", "nodegroup", "webs", false, "not supported"},
		{"unknown type", "frobnicate", "*", false, "unknown target type"},
	}
	grains := testGrains()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Match(c.typ, c.tgt, id, grains)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Match(%q, %#v) error = %v, want it to mention %q", c.typ, c.tgt, err, c.wantErr)
				}
				if got {
					t.Fatalf("Match(%q, %#v) = true together with an error", c.typ, c.tgt)
				}
				return
			}
			if err != nil {
				t.Fatalf("Match(%q, %#v) error = %v", c.typ, c.tgt, err)
			}
			if got != c.want {
				t.Fatalf("Match(%q, %#v) = %v, want %v", c.typ, c.tgt, got, c.want)
			}
		})
	}
}

func TestUnsupportedWrapsSentinel(t *testing.T) {
	for _, c := range []struct{ typ, tgt string }{
		{"pillar", "a:b"}, {"pillar_pcre", "a:b"}, {"range", "%x"}, {"compound", "I@a:b"}, {"compound", "N@g"},
	} {
		_, err := Match(c.typ, c.tgt, "m", nil)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("Match(%q, %q) error = %v, want ErrUnsupported", c.typ, c.tgt, err)
		}
	}
	if _, err := Match("bogus", "*", "m", nil); errors.Is(err, ErrUnsupported) || err == nil {
		t.Errorf("an unknown type must be a plain error, got %v", err)
	}
}

func TestMatcherDelimiter(t *testing.T) {
	m := Matcher{ID: "m1", Grains: testGrains(), Delimiter: "/"}
	ok, err := m.Match("grain", "selinux/enforced/enforcing")
	if err != nil || !ok {
		t.Fatalf("grain with / delimiter = %v, %v; want true", ok, err)
	}
	// With "/" as the delimiter, ":" is part of the value.
	if ok, _ := m.Match("grain", "os:Ubuntu"); ok {
		t.Fatal("os:Ubuntu must not match when the delimiter is /")
	}
}

// TestGlobAgainstFnmatch pins cases whose answers were taken from Python's
// fnmatch.fnmatch (3.11), including its bracket edge cases.
func TestGlobAgainstFnmatch(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*", "", true},
		{"?", "", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"[]]", "]", true},
		{"[!]]", "a", true},
		{"[!]]", "]", false},
		{"[a-]", "-", true},
		{"[z-a]", "m", false},
		{"[!z-a]", "m", true},
		{`a\*`, `a\b`, true},
		{`a\*`, `a*`, false},
		{"[*]", "*", true},
		{"a[", "a[", true},
		{"*", "line1\nline2", true},
		{"é?", "éé", true},
		{"*a*a*a*a*a*a*b", strings.Repeat("a", 60), false},
	}
	for _, c := range cases {
		if got := Glob(c.pat, c.name); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

func TestTraverse(t *testing.T) {
	g := testGrains()
	cases := []struct {
		key  string
		want any
	}{
		{"os", "Ubuntu"},
		{"selinux:enforced", "Enforcing"},
		{"roles:1", "Cache"},
		{"roles:-1", "db-replica"},
		{"roles:9", "DEF"},
		{"disks:name", "vda"},
		{"ip4_interfaces:eth0:0", "10.1.2.3"},
		{"os:x", "DEF"},
		{"missing", "DEF"},
	}
	for _, c := range cases {
		if got := Traverse(g, c.key, ":", "DEF"); got != c.want {
			t.Errorf("Traverse(%q) = %#v, want %#v", c.key, got, c.want)
		}
	}
}
