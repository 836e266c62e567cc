package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// observedReturns reads a spec/salt-3006-observed file: for each run, its
// command line, its stdout, and the returns of its job (the last job
// published that is not a saltutil.find_job) in the order they came.
func observedReturns(t *testing.T, name string) []struct {
	cmdline, stdout string
	rets            []body.Map
} {
	t.Helper()
	var out []struct {
		cmdline, stdout string
		rets            []body.Map
	}
	for _, r := range testutil.ObservedRuns(t, name) {
		cmdline, _ := r.String("cmdline")
		stdout, _ := r.String("stdout")
		evs, _ := r.Get("events")
		jid := ""
		for _, ev := range evs.([]any) {
			tag, _ := ev.(body.Map).String("tag")
			data, _ := ev.(body.Map).Map("data")
			if fun, _ := data.String("fun"); strings.HasSuffix(tag, "/new") && fun != "saltutil.find_job" {
				jid, _ = data.String("jid")
			}
		}
		var rets []body.Map
		for _, ev := range evs.([]any) {
			tag, _ := ev.(body.Map).String("tag")
			if strings.HasPrefix(tag, "salt/job/"+jid+"/ret/") {
				data, _ := ev.(body.Map).Map("data")
				rets = append(rets, data)
			}
		}
		if len(rets) == 0 {
			t.Fatalf("%s: %s: no returns", name, cmdline)
		}
		out = append(out, struct {
			cmdline, stdout string
			rets            []body.Map
		}{cmdline, stdout, rets})
	}
	return out
}

// TestObservedNestedAndJSON prints each observed return as the salt command
// does — {id: return} with the nested outputter, or json for --out json,
// one document per return (all in one with --static) — and compares the
// whole of stdout with what Salt 3006 printed, byte for byte.
func TestObservedNestedAndJSON(t *testing.T) {
	files := []string{
		"01-test.ping.json", "02-test.echo.json", "03-cmd.run.json", "04-test.arg.json",
		"05-grains.get.json", "06-grains.items.json", "07-test.sleep-timeout.json",
		"07b-test.sleep-long-timeout.json", "08-nonexistent-function.json",
		"09-nonexistent-module.json", "11-async.json", "12-test.ping-static.json",
	}
	checked := 0
	for _, name := range files {
		for _, run := range observedReturns(t, name) {
			if strings.Contains(run.cmdline, "--async") {
				continue // prints the jid only
			}
			outName := "nested"
			if strings.Contains(run.cmdline, "--out json") {
				outName = "json"
			}
			var buf bytes.Buffer
			if strings.Contains(run.cmdline, "--static") {
				all := Map{}
				for _, ret := range run.rets {
					id, _ := ret.String("id")
					v, _ := ret.Get("return")
					all = append(all, Item{Key: id, Value: v})
				}
				if err := DisplayCLI(&buf, outName, all, CLIOptions{}); err != nil {
					t.Fatal(err)
				}
			} else {
				for _, ret := range run.rets {
					id, _ := ret.String("id")
					v, _ := ret.Get("return")
					rc, _ := ret.Int("retcode")
					if err := DisplayCLI(&buf, outName, Map{{Key: id, Value: v}}, CLIOptions{Retcode: int(rc)}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if buf.String() != run.stdout {
				t.Errorf("%s: %s:\n got  %q\n want %q", name, run.cmdline, buf.String(), run.stdout)
			}
			checked++
		}
	}
	if checked < 19 {
		t.Errorf("only %d runs checked", checked)
	}
}

func TestNestedShapes(t *testing.T) {
	data := Map{{Key: "m1", Value: Map{
		{Key: "z", Value: []any{"a", int64(1), 2.5, nil, true, []any{"x", Map{{Key: "k", Value: "v"}}}, Map{}, []any{}}},
		{Key: "b", Value: "line1\nline2\n"},
		{Key: "empty", Value: ""},
		{Key: "esc", Value: "\x1b[31mred"},
		{Key: "a", Value: map[string]any{"y": false, "x": float64(3)}},
	}}}
	want := "m1:\n" +
		"    ----------\n" +
		"    a:\n" +
		"        ----------\n" +
		"        x:\n" +
		"            3.0\n" +
		"        y:\n" +
		"            False\n" +
		"    b:\n" +
		"        line1\n" +
		"        line2\n" +
		"    empty:\n" +
		"    esc:\n" +
		"        ?[31mred\n" +
		"    z:\n" +
		"        - a\n" +
		"        - 1\n" +
		"        - 2.5\n" +
		"        - None\n" +
		"        - True\n" +
		"        |_\n" +
		"          - x\n" +
		"          |_\n" +
		"            ----------\n" +
		"            k:\n" +
		"                v\n" +
		"        |_\n" +
		"          ----------\n" +
		"        |_"
	if got := Nested(data, NestedOptions{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A string in a list: the lines after the first under the first.
	if got := Nested([]any{"a\nb"}, NestedOptions{}); got != "- a\n  b" {
		t.Errorf("multi-line item: %q", got)
	}
	// The base indent, and escapes kept on request.
	if got := Nested("\x1b", NestedOptions{Indent: 2, KeepEscapes: true}); got != "  \x1b" {
		t.Errorf("indent: %q", got)
	}
}

func TestNestedColor(t *testing.T) {
	data := Map{{Key: "m1", Value: Map{{Key: "k", Value: []any{"s", int64(5), []any{"n"}}}}}}
	ok := Nested(data, NestedOptions{Color: true})
	want := "\x1b[0;36mm1\x1b[0;0m:\n" +
		"    \x1b[0;36m----------\x1b[0;0m\n" +
		"    \x1b[0;36mk\x1b[0;0m:\n" +
		"        \x1b[0;32m- s\x1b[0;0m\n" +
		"        \x1b[0;1;33m- 5\x1b[0;0m\n" +
		"        \x1b[0;32m|_\x1b[0;0m\n" +
		"          \x1b[0;32m- n\x1b[0;0m"
	if ok != want {
		t.Errorf("retcode 0:\n got  %q\n want %q", ok, want)
	}
	failed := Nested(data, NestedOptions{Color: true, Retcode: 1})
	want = "\x1b[0;31mm1\x1b[0;0m:\n" +
		"    \x1b[0;31m----------\x1b[0;0m\n" +
		"    \x1b[0;31mk\x1b[0;0m:\n" +
		"        \x1b[0;32m- s\x1b[0;0m\n" +
		"        \x1b[0;1;33m- 5\x1b[0;0m\n" +
		"        \x1b[0;31m|_\x1b[0;0m\n" +
		"          \x1b[0;32m- n\x1b[0;0m"
	if failed != want {
		t.Errorf("retcode 1:\n got  %q\n want %q", failed, want)
	}
}

func TestNoReturn(t *testing.T) {
	data := Map{{Key: "m2", Value: "Minion did not return. [No response]\n\nmore"}}
	if got := NoReturn(data, false); got != "m2:\n    Minion did not return. [No response]\n    \n    more\n" {
		t.Errorf("plain: %q", got)
	}
	if got := NoReturn(Map{{Key: "m2", Value: "x"}}, true); got != "\x1b[0;36mm2\x1b[0;0m:\n\x1b[0;31m    x\x1b[0;0m\n" {
		t.Errorf("colour: %q", got)
	}
	var buf bytes.Buffer
	if err := DisplayCLI(&buf, "no_return", Map{{Key: "m2", Value: "x"}}, CLIOptions{}); err != nil || buf.String() != "m2:\n    x\n" {
		t.Errorf("display: %q %v", buf.String(), err)
	}
}

func TestJSONOut(t *testing.T) {
	v := Map{{Key: "b", Value: []any{int64(1), "é😀\x7f\x01\"\\", Map{}, []any{}, []byte("a'\x00")}}, {Key: "a", Value: Map{{Key: "z", Value: nil}, {Key: "y", Value: 1.5}}}}
	ip := func(i int) *int { return &i }
	// Each want is what CPython's json.dumps(..., ensure_ascii=False) writes.
	for _, c := range []struct {
		indent *int
		pretty bool
		want   string
	}{
		{nil, false, "{\n    \"b\": [\n        1,\n        \"é😀\x7f\\u0001\\\"\\\\\",\n        {},\n        [],\n        \"b\\\"a'\\\\x00\\\"\"\n    ],\n    \"a\": {\n        \"z\": null,\n        \"y\": 1.5\n    }\n}"},
		{ip(0), false, "{\n\"b\": [\n1,\n\"é😀\x7f\\u0001\\\"\\\\\",\n{},\n[],\n\"b\\\"a'\\\\x00\\\"\"\n],\n\"a\": {\n\"z\": null,\n\"y\": 1.5\n}\n}"},
		{ip(-1), false, "{\"b\": [1, \"é😀\x7f\\u0001\\\"\\\\\", {}, [], \"b\\\"a'\\\\x00\\\"\"], \"a\": {\"z\": null, \"y\": 1.5}}"},
		{ip(2), true, "{\n    \"a\": {\n        \"y\": 1.5,\n        \"z\": null\n    },\n    \"b\": [\n        1,\n        \"é😀\x7f\\u0001\\\"\\\\\",\n        {},\n        [],\n        \"b\\\"a'\\\\x00\\\"\"\n    ]\n}"},
	} {
		got, err := JSONOut(v, c.indent, c.pretty)
		if err != nil || got != c.want {
			t.Errorf("indent %v pretty %v:\n got  %q %v\n want %q", c.indent, c.pretty, got, err, c.want)
		}
	}
}

func TestCLINamesAndFallback(t *testing.T) {
	for in, want := range map[string]string{"text": "txt", "nested": "nested", "no_return": "no_return", "json": "json"} {
		if got, ok := CLICanonical(in); !ok || got != want {
			t.Errorf("CLICanonical(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := CLICanonical("highstate"); ok {
		t.Error("highstate accepted")
	}
	// An outputter the command does not have is nested, as in Salt.
	got, err := FormatCLI("highstate", Map{{Key: "m", Value: true}}, CLIOptions{})
	if err != nil || got != "m:\n    True" {
		t.Errorf("fallback: %q %v", got, err)
	}
	// An empty result prints nothing; nested's text gets its newline back.
	var buf bytes.Buffer
	DisplayCLI(&buf, "nested", Map{}, CLIOptions{})
	DisplayCLI(&buf, "json", Map{}, CLIOptions{})
	DisplayCLI(&buf, "nested", Map{{Key: "m", Value: "out  \n\n"}}, CLIOptions{})
	if buf.String() != "{}\nm:\n    out\n" {
		t.Errorf("display: %q", buf.String())
	}
	// The existing outputters are unchanged: salt-key's Names do not grow.
	if strings.Join(Names(), ",") != "json,key,nested,raw,txt,yaml" {
		t.Errorf("Names() = %v", Names())
	}
}
