package output

import (
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestPprintTableAgainstSalt compares the pprint and table outputters with
// what Salt 3006.3's pprint_out.py and table_out.py printed for the same
// values (testdata/salt3006-pprint-table.py made the file): long dicts,
// lists and strings broken as pformat breaks them, output_indent, tables
// of dicts, strings and lists, wrapped cells, colours.
func TestPprintTableAgainstSalt(t *testing.T) {
	_, cases := goldenCases(t, "testdata/salt3006-pprint-table.json")
	if len(cases) < 12 {
		t.Fatalf("only %d cases in the testdata", len(cases))
	}
	for i, c := range cases {
		m := c.(body.Map)
		data, _ := m.Get("data")
		var indent *int
		if n, ok := m.Int("indent"); ok {
			v := int(n)
			indent = &v
		}
		color, _ := m.Bool("color")
		opts := CLIOptions{Color: color, OutputIndent: indent}
		for _, name := range []string{"pprint", "table"} {
			want, _ := m.String(name)
			got, err := FormatCLI(name, data, opts)
			if err != nil {
				t.Errorf("case %d %s: %v", i, name, err)
				continue
			}
			if got != want {
				t.Errorf("case %d %s of %v:\n got  %q\n want %q", i, name, data, got, want)
			}
		}
	}
}

// A table of rows Salt cannot make one of: numbers are an error (the
// salt command then falls back to nested), mixed rows print nothing.
func TestTableRowsOfOtherTypes(t *testing.T) {
	if _, err := Table(Map{{Key: "m1", Value: []any{1, 2}}}, false); err == nil || !strings.Contains(err.Error(), "a row that is 1") {
		t.Errorf("rows of numbers: err %v, want one naming the row", err)
	}
	got, err := Table(Map{{Key: "m1", Value: []any{"a", []any{"b"}}}}, false)
	if err != nil || got != "m1:\n----------" {
		t.Errorf("mixed rows: %q %v, want only the key", got, err)
	}
}

// The salt command's --out key prints a mapping of key statuses as
// salt-key does, and refuses anything else so that the caller falls back.
func TestCLIKeyOutputter(t *testing.T) {
	got, err := FormatCLI("key", Map{{Key: "minions", Value: []string{"m2", "m1"}}}, CLIOptions{})
	if err != nil || got != "Accepted Keys:\nm1\nm2\n" {
		t.Errorf("key: %q %v", got, err)
	}
	if _, err := FormatCLI("key", true, CLIOptions{}); err == nil {
		t.Error("key of a bool: no error")
	}
}
