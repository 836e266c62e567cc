package output

import (
	"os"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// goldenCases reads a file of goldens written by Python: a JSON object
// whose "cases" is a list.
func goldenCases(t *testing.T, file string) (body.Map, []any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	top := v.(body.Map)
	cases, _ := top.Get("cases")
	return top, cases.([]any)
}

// highstateOpts turns a case's Salt opts into HighstateOptions.
func highstateOpts(t *testing.T, m body.Map) HighstateOptions {
	var o HighstateOptions
	for _, it := range m {
		switch it.Key {
		case "color":
			o.Color = it.Value == true
		case "state_output":
			o.StateOutput = it.Value.(string)
		case "state_verbose":
			o.Quiet = it.Value == false
		case "state_output_profile":
			o.NoProfile = it.Value == false
		default:
			t.Fatalf("opt %s not known to the test", it.Key)
		}
	}
	return o
}

// TestHighstateAgainstSalt compares the highstate outputter with what Salt
// 3006.3's salt/output/highstate.py printed for the same returns and opts
// (testdata/highstate_outputs.py made the file).
func TestHighstateAgainstSalt(t *testing.T) {
	top, cases := goldenCases(t, "testdata/highstate_outputs.json")
	if s, _ := top.String("salt"); s != "3006.3" {
		t.Fatalf("goldens from Salt %q", s)
	}
	if len(cases) < 25 {
		t.Fatalf("only %d cases", len(cases))
	}
	for i, c := range cases {
		m := c.(body.Map)
		optsV, _ := m.Get("opts")
		value, _ := m.Get("value")
		want, _ := m.String("text")
		got := Highstate(value, highstateOpts(t, optsV.(body.Map)))
		if got != want {
			t.Errorf("case %d opts %v:\n got:\n%s\nwant:\n%s", i, py.Repr(optsV), got, want)
		}
	}
}

func TestWrapFill(t *testing.T) {
	got := wrapFill("aaa bbb\nccc "+strings.Repeat("x", 30), 20, 4)
	want := "    aaa bbb ccc\n    xxxxxxxxxxxxxxxx\n    xxxxxxxxxxxxxx"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
