package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestAgainstPython compares every outputter with what CPython and PyYAML
// wrote for the same values (testdata/python_outputs.py made the file).
func TestAgainstPython(t *testing.T) {
	_, cases := goldenCases(t, "testdata/python_outputs.json")
	if len(cases) < 90 {
		t.Fatalf("only %d cases in the testdata", len(cases))
	}
	for i, c := range cases {
		m := c.(body.Map)
		value, _ := m.Get("value")
		for _, name := range []string{"json", "yaml", "txt", "raw"} {
			want, _ := m.String(name)
			got, err := Format(name, value, Options{})
			if err != nil {
				t.Errorf("case %d %s: %v", i, name, err)
				continue
			}
			if got != want {
				t.Errorf("case %d %s of %#v:\n got  %q\n want %q", i, name, value, got, want)
			}
		}
	}
}

func keyData() Map {
	return Map{
		{Key: "minions_rejected", Value: []string{"bad"}},
		{Key: "minions", Value: []string{"web2", "Web1", "db1"}},
		{Key: "minions_pre", Value: []string{}},
		{Key: "minions_denied", Value: []string{"d1"}},
	}
}

func TestKeyPlain(t *testing.T) {
	got, err := Key(keyData(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Statuses sorted by Salt 3006's names (minions, minions_denied,
	// minions_pre, minions_rejected), ids sorted with Python's sorted()
	// (upper case first), empty statuses keep a heading.
	want := "Accepted Keys:\nWeb1\ndb1\nweb2\nDenied Keys:\nd1\nUnaccepted Keys:\nRejected Keys:\nbad\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestKeyColor(t *testing.T) {
	got, err := Key(Map{{Key: "minions_pre", Value: []string{"m1"}}, {Key: "minions", Value: []string{"a1"}}, {Key: "minions_rejected", Value: []string{}}, {Key: "minions_denied", Value: []string{"d1"}}}, Options{Color: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "\x1b[0;1;32mAccepted Keys:\x1b[0;0m\n\x1b[0;32ma1\x1b[0;0m\n" +
		"\x1b[0;1;35mDenied Keys:\x1b[0;0m\n\x1b[0;35md1\x1b[0;0m\n" +
		"\x1b[0;1;31mUnaccepted Keys:\x1b[0;0m\n\x1b[0;31mm1\x1b[0;0m\n" +
		"\x1b[0;1;34mRejected Keys:\x1b[0;0m\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestKeyTexts(t *testing.T) {
	data := Map{
		{Key: "minions", Value: Map{{Key: "web2", Value: "pub: p2\nverify: v2"}, {Key: "web1", Value: "pub: p1\nverify: v1"}}},
		{Key: "local", Value: Map{{Key: "local.key", Value: "aa:bb"}}},
	}
	got, err := Key(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Local Keys:\nlocal.key:  aa:bb\nAccepted Keys:\nweb1:  pub: p1\nverify: v1\nweb2:  pub: p2\nverify: v2\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got, _ = Key(data, Options{Color: true})
	if !strings.Contains(got, "\x1b[0;1;35mLocal Keys:\x1b[0;0m\n\x1b[0;35mlocal.key:  aa:bb\x1b[0;0m\n") {
		t.Errorf("local keys not in magenta: %q", got)
	}
}

func TestKeyStripsEscapes(t *testing.T) {
	got, err := Key(Map{{Key: "minions_pre", Value: []string{"evil\x1b[2J"}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Unaccepted Keys:\nevil?[2J\n" {
		t.Errorf("got %q", got)
	}
}

func TestKeyRefusesUnknownStatus(t *testing.T) {
	if _, err := Key(Map{{Key: "accepted", Value: []string{}}}, Options{}); err == nil {
		t.Error("no error for a status Salt 3006 does not have")
	}
	if _, err := Key(Map{{Key: "minions", Value: 5}}, Options{}); err == nil {
		t.Error("no error for a status holding a number")
	}
}

func TestDisplay(t *testing.T) {
	var buf bytes.Buffer
	// The key outputter's trailing newline is stripped and one added back.
	if err := Display(&buf, "key", Map{{Key: "minions", Value: []string{"a"}}}, Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "Accepted Keys:\na\n" {
		t.Errorf("key: %q", buf.String())
	}
	// An empty result prints nothing at all, not an empty line.
	buf.Reset()
	if err := Display(&buf, "key", Map{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("empty key output printed %q", buf.String())
	}
	// json of an empty dict is "{}", which is printed.
	buf.Reset()
	if err := Display(&buf, "json", Map{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "{}\n" {
		t.Errorf("json: %q", buf.String())
	}
	// A root plain scalar in yaml ends with the document end marker.
	buf.Reset()
	if err := Display(&buf, "yaml", "abc", Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "abc\n...\n" {
		t.Errorf("yaml: %q", buf.String())
	}
	// "text" is txt.
	buf.Reset()
	if err := Display(&buf, "text", Map{{Key: "a", Value: "x\ny"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "a: x\na: y\n" {
		t.Errorf("text: %q", buf.String())
	}
	if err := Display(&buf, "pprint", Map{}, Options{}); err == nil {
		t.Error("no error for an outputter salt-key does not have")
	}
	// salt-key's nested: keys sorted, an empty list shows its key alone.
	buf.Reset()
	if err := Display(&buf, "nested", Map{{Key: "minions_pre", Value: []string{"b", "a"}}, {Key: "minions", Value: []string{}}}, Options{}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "minions:\nminions_pre:\n    - b\n    - a\n" {
		t.Errorf("nested: %q", buf.String())
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{"text": "txt", "txt": "txt", "json": "json", "key": "key", "yaml": "yaml", "raw": "raw"} {
		got, ok := Canonical(in)
		if !ok || got != want {
			t.Errorf("Canonical(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := Canonical("highstate"); ok {
		t.Error("highstate accepted")
	}
}

func TestReprStrings(t *testing.T) {
	for in, want := range map[string]string{
		"plain":      `'plain'`,
		"it's":       `"it's"`,
		`both'"`:     `'both\'"'`,
		"a\\b":       `'a\\b'`,
		"\t\n\r\x01": `'\t\n\r\x01'`,
		"\x7f":       `'\x7f'`,
		"ü\u00a0":    `'ü\xa0'`,
		"\u200b":     `'\u200b'`,
		"😀":          `'😀'`,
	} {
		if got := Repr(in); got != want {
			t.Errorf("Repr(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Repr(map[string]any{"b": 1.0, "a": nil}); got != "{'a': None, 'b': 1.0}" {
		t.Errorf("map repr %s", got)
	}
}
