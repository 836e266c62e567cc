package output

import (
	"os"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

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
	b, err := os.ReadFile("testdata/highstate_outputs.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	top := v.(body.Map)
	if s, _ := top.String("salt"); s != "3006.3" {
		t.Fatalf("goldens from Salt %q", s)
	}
	casesV, _ := top.Get("cases")
	cases := casesV.([]any)
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
