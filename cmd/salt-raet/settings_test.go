package main

import (
	"io"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// TestJobFromCommandLine: the job read from the command line, before any
// config is read: a -L target as a list, a compound command as lists.
func TestJobFromCommandLine(t *testing.T) {
	s := &saltCmd{o: &options{argsSeparator: ","}, tgtType: "list"}
	j, err := s.job("a,b", "test.arg", []string{"1", "k=v"})
	if err != nil {
		t.Fatal(err)
	}
	want := jobSpec{
		tgt: []string{"a", "b"},
		fun: "test.arg",
		arg: []any{int64(1), map[string]any{"__kwarg__": true, "k": "v"}},
	}
	if jsonOf(j.tgt) != jsonOf(want.tgt) || j.fun != want.fun || jsonOf(j.arg) != jsonOf(want.arg) {
		t.Errorf("job = %#v, want %#v", j, want)
	}

	s.tgtType = "glob"
	j, err = s.job("web*", "test.echo,test.ping", []string{"hi", ","})
	if err != nil {
		t.Fatal(err)
	}
	if j.tgt != "web*" || !reflect.DeepEqual(j.fun, []string{"test.echo", "test.ping"}) || jsonOf(j.arg) != `[["hi"],[]]` {
		t.Errorf("compound job = %#v", j)
	}
	if _, err := s.job("*", "test.echo,test.ping", []string{"a", ",", "b", ",", "c"}); err == nil {
		t.Error("a compound command with more argument lists than functions was accepted")
	}
}

// TestOutputOptions: --out-indent wins over the config's output_indent,
// which is a number or "pretty".
func TestOutputOptions(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		raw    any
		indent int // -100: none
		pretty bool
	}{
		{nil, nil, -100, false},
		{nil, 2, 2, false},
		{nil, "pretty", -100, true},
		{[]string{"--out-indent", "7"}, "pretty", 7, false},
		{[]string{"--output-indent", "-1"}, 2, -1, false},
	} {
		var o options
		root := newRoot(&o)
		if err := root.ParseFlags(tc.args); err != nil {
			t.Fatal(err)
		}
		s := &saltCmd{o: &o, stdout: io.Discard, cfg: masterWithRaw("output_indent", tc.raw)}
		got := s.outputOptions()
		indent := -100
		if got.OutputIndent != nil {
			indent = *got.OutputIndent
		}
		if indent != tc.indent || got.Pretty != tc.pretty || got.Color {
			t.Errorf("%v with output_indent %#v: indent %d pretty %v color %v", tc.args, tc.raw, indent, got.Pretty, got.Color)
		}
	}
}

func masterWithRaw(key string, v any) *config.Master {
	m := &config.Master{}
	m.Raw = map[string]any{}
	if v != nil {
		m.Raw[key] = v
	}
	return m
}
