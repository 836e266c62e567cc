package job_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// kw builds the trailing keyword mapping ParseInput appends.
func kw(pairs ...any) body.Map {
	m := body.Map{{Key: job.KwargKey, Value: true}}
	for i := 0; i < len(pairs); i += 2 {
		m = append(m, body.Item{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return m
}

// Each case was checked against Salt 3006's parse_input/yamlify_arg run
// with PyYAML's SafeLoader and Salt's loader changes (leading zeros,
// timestamps as strings, duplicate keys refused).
var parseInputCases = []struct {
	name string
	in   []string
	want []any
}{
	{"int", []string{"1"}, []any{int64(1)}},
	{"negative int", []string{"-1"}, []any{int64(-1)}},
	{"leading zeros are decimal", []string{"010"}, []any{int64(10)}},
	{"signed leading zero is octal", []string{"-010"}, []any{int64(-8)}},
	{"not octal stays string", []string{"08"}, []any{"08"}},
	{"hex", []string{"0x1F"}, []any{int64(31)}},
	{"binary", []string{"0b101"}, []any{int64(5)}},
	{"base 60", []string{"1:30"}, []any{int64(90)}},
	{"digits and underscores stay", []string{"1_000"}, []any{"1_000"}},
	{"signed underscores are an int", []string{"-1_000"}, []any{int64(-1000)}},
	{"float", []string{"1.5"}, []any{1.5}},
	{"float needs a dot", []string{"1e3"}, []any{"1e3"}},
	{"float with exponent", []string{"1.0e+3"}, []any{1000.0}},
	{"inf", []string{".inf"}, []any{math.Inf(1)}},
	{"yes", []string{"yes"}, []any{true}},
	{"Off", []string{"Off"}, []any{false}},
	{"True", []string{"True"}, []any{true}},
	{"mixed case is a string", []string{"tRUE"}, []any{"tRUE"}},
	{"y is a string", []string{"y"}, []any{"y"}},
	{"None", []string{"None"}, []any{nil}},
	{"null", []string{"null"}, []any{nil}},
	{"tilde", []string{"~"}, []any{nil}},
	{"empty string", []string{""}, []any{""}},
	{"spaces", []string{"  "}, []any{"  "}},
	{"document marker", []string{"---"}, []any{"---"}},
	{"list", []string{"[a,b]"}, []any{[]any{"a", "b"}}},
	{"typed list", []string{"[1, 2.5, yes, null]"}, []any{[]any{int64(1), 2.5, true, nil}}},
	{"dict", []string{"{a: 1}"}, []any{body.Map{{Key: "a", Value: int64(1)}}}},
	{"nested dict keeps order", []string{"{z: [1, {b: c}], a: x}"},
		[]any{body.Map{{Key: "z", Value: []any{int64(1), body.Map{{Key: "b", Value: "c"}}}}, {Key: "a", Value: "x"}}}},
	{"dict with int keys", []string{"{1: a}"}, []any{map[any]any{int64(1): "a"}}},
	{"duplicate key stays string", []string{"{a: 1, a: 2}"}, []any{"{a: 1, a: 2}"}},
	{"mapping without braces stays", []string{"a: b"}, []any{"a: b"}},
	{"list without brackets stays", []string{"- a"}, []any{"- a"}},
	{"colon without space", []string{"a:b"}, []any{"a:b"}},
	{"url", []string{"http://example.com/x"}, []any{"http://example.com/x"}},
	{"date stays string", []string{"2024-01-01"}, []any{"2024-01-01"}},
	{"quoted", []string{`"1"`}, []any{"1"}},
	{"single quoted", []string{"'a''b'"}, []any{"a'b"}},
	{"comment keeps string", []string{"foo #bar"}, []any{"foo #bar"}},
	{"comment after int", []string{"5 # five"}, []any{int64(5)}},
	{"comment after mapping", []string{"a: 1 # c"}, []any{body.Map{{Key: "a", Value: int64(1)}}}},
	{"hash alone", []string{"#"}, []any{"#"}},
	{"pipe", []string{"|"}, []any{"|"}},
	{"bang", []string{"!"}, []any{"!"}},
	{"greater-than loads empty", []string{">"}, []any{""}},
	{"broken yaml stays", []string{"[1, 2"}, []any{"[1, 2"}},
	{"trailing junk stays", []string{"[1] x"}, []any{"[1] x"}},
	{"mapping error stays", []string{"key: value: x"}, []any{"key: value: x"}},
	{"alias", []string{"[&x 1, *x]"}, []any{[]any{int64(1), int64(1)}}},
	{"merge key", []string{"{<<: {a: 1}, b: 2}"}, []any{body.Map{{Key: "a", Value: int64(1)}, {Key: "b", Value: int64(2)}}}},
	{"tab stays", []string{"a\tb"}, []any{"a\tb"}},
	{"newline stays", []string{"1\n"}, []any{"1\n"}},
	{"explicit str tag", []string{"!!str 5"}, []any{"5"}},
	{"binary tag unsupported", []string{"!!binary aGk="}, []any{"!!binary aGk="}},
	{"unicode", []string{"日本"}, []any{"日本"}},
	{"jid number stays string", []string{"20261122034501123456"}, []any{"20261122034501123456"}},
	{"20-digit uint64 back to string", []string{"12345678901234567890"}, []any{"12345678901234567890"}},
	{"negative 20 chars is a jid to Salt", []string{"-1234567890123456789"}, []any{"-1234567890123456789"}},
	{"uint64", []string{"18446744073709551615"}, []any{"18446744073709551615"}},
	{"19 digits stay an int", []string{"9223372036854775807"}, []any{int64(math.MaxInt64)}},
	{"huge int is its digits", []string{"99999999999999999999999"}, []any{"99999999999999999999999"}},

	{"kwarg", []string{"foo", "bar=baz"}, []any{"foo", kw("bar", "baz")}},
	{"kwarg typed", []string{"k=1"}, []any{kw("k", int64(1))}},
	{"kwarg list", []string{"k=[1,2]"}, []any{kw("k", []any{int64(1), int64(2)})}},
	{"kwarg dict", []string{"k={a: 1}"}, []any{kw("k", body.Map{{Key: "a", Value: int64(1)}})}},
	{"kwarg mapping text stays", []string{"k=a: b"}, []any{kw("k", "a: b")}},
	{"kwarg empty", []string{"k="}, []any{kw("k", "")}},
	{"kwarg value with equals", []string{"k=v=w"}, []any{kw("k", "v=w")}},
	{"kwarg jid stays an int string", []string{"jid=20261122034501123456"}, []any{kw("jid", "20261122034501123456")}},
	{"double equals is no kwarg", []string{"k==v"}, []any{"k==v"}},
	{"digit first is no kwarg", []string{"1k=v"}, []any{"1k=v"}},
	{"dash first is no kwarg", []string{"-k=v"}, []any{"-k=v"}},
	{"space in key is no kwarg", []string{"k x=v"}, []any{"k x=v"}},
	{"empty key is no kwarg", []string{"=v"}, []any{"=v"}},
	{"underscore, dot and dash keys", []string{"_k.x-y=1"}, []any{kw("_k.x-y", int64(1))}},
	{"unicode key", []string{"ü=1"}, []any{kw("ü", int64(1))}},
	{"kwarg with trailing newline", []string{"k=v\n"}, []any{kw("k", "v")}},
	{"kwarg with inner newline is positional", []string{"k=v\nw"}, []any{"k=v\nw"}},
	{"kwargs merged in order, last value wins", []string{"a=1", "x", "b=yes", "a=3", "2"},
		[]any{"x", int64(2), kw("a", int64(3), "b", true)}},
	{"observed test.arg", []string{"1", "2", "a=b"}, []any{int64(1), int64(2), kw("a", "b")}},
	{"no args", []string{}, []any{}},
}

func TestParseInput(t *testing.T) {
	if len(parseInputCases) < 25 {
		t.Fatal("too few cases")
	}
	for _, tc := range parseInputCases {
		t.Run(tc.name, func(t *testing.T) {
			got := job.ParseInput(tc.in)
			if got == nil {
				t.Fatal("nil result")
			}
			if !sameValue(got, tc.want) {
				t.Errorf("ParseInput(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

// sameValue compares decoded values exactly: Go types, map order, NaN.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case body.Map:
		y, ok := b.(body.Map)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !sameValue(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case map[any]any:
		y, ok := b.(map[any]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (x != x && y != y))
	}
	return a == b
}

func TestParseInputNoParse(t *testing.T) {
	got := job.ParseInput([]string{"a=1", "b=1", "1"}, "a")
	want := []any{int64(1), kw("a", "1", "b", int64(1))}
	if !sameValue(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// What the master and minion do with an arg list that went over the wire:
// kwarg mappings merge, their marker goes, strings are typed, and the
// caller's values stay as they were.
func TestParseArgs(t *testing.T) {
	marked := body.Map{{Key: job.KwargKey, Value: true}, {Key: "a", Value: "b"}}
	falseMarked := body.Map{{Key: job.KwargKey, Value: false}, {Key: "c", Value: int64(1)}}
	plain := body.Map{{Key: "d", Value: int64(2)}}
	in := []any{"x=1", marked, "2", falseMarked, plain, int64(7), []any{"3"}}
	got := job.ParseArgs(in)
	want := []any{int64(2), body.Map{{Key: "c", Value: int64(1)}}, plain, int64(7), []any{"3"},
		kw("x", int64(1), "a", "b")}
	if !sameValue(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if len(marked) != 2 || len(falseMarked) != 2 || in[0] != "x=1" {
		t.Errorf("input changed: %#v", in)
	}
	// Parsing the CLI's result again leaves it as it is.
	again := job.ParseArgs(job.ParseInput([]string{"foo", "bar=baz"}))
	if !sameValue(again, []any{"foo", kw("bar", "baz")}) {
		t.Errorf("second parse: %#v", again)
	}
}

func TestParseKwarg(t *testing.T) {
	for _, tc := range []struct {
		in, k, v string
		ok       bool
	}{
		{"a=b", "a", "b", true},
		{"a==b", "", "", false},
		{"a=", "a", "", true},
		{"a=b=c", "a", "b=c", true},
		{"_=1", "_", "1", true},
		{"a.b-c_d=1", "a.b-c_d", "1", true},
		{"1a=b", "", "", false},
		{".a=b", "", "", false},
		{"a b=c", "", "", false},
		{"a=b\n", "a", "b", true},
		{"a=b\n\n", "", "", false},
		{"a=b\rc", "a", "b\rc", true},
		{"noequals", "", "", false},
		{"\u0663a=1", "", "", false}, // Arabic-Indic digit three: \d in Python
		{"a\u0663=1", "a\u0663", "1", true},
	} {
		k, v, ok := job.ParseKwarg(tc.in)
		if k != tc.k || v != tc.v || ok != tc.ok {
			t.Errorf("ParseKwarg(%q) = %q, %q, %v; want %q, %q, %v", tc.in, k, v, ok, tc.k, tc.v, tc.ok)
		}
	}
}

func TestSplitCompound(t *testing.T) {
	// New style: one standalone separator per extra function.
	funs, args, err := job.SplitCompound("test.echo,test.arg,test.ping", []string{"hi", ",", "1", "a=b", ","}, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(funs, "|") != "test.echo|test.arg|test.ping" {
		t.Errorf("funs %q", funs)
	}
	want := []any{[]any{"hi"}, []any{int64(1), kw("a", "b")}, []any{}}
	if got := toAny(args); !sameValue(got, want) {
		t.Errorf("new style args %#v, want %#v", got, want)
	}
	// Old style: the separator inside arguments, empty pieces dropped.
	_, args, err = job.SplitCompound("cmd.run,test.ping,test.echo", []string{"cat /proc/cpuinfo,,foo"}, ",")
	if err != nil {
		t.Fatal(err)
	}
	want = []any{[]any{"cat /proc/cpuinfo"}, []any{}, []any{"foo"}}
	if got := toAny(args); !sameValue(got, want) {
		t.Errorf("old style args %#v, want %#v", got, want)
	}
	// Another separator.
	_, args, err = job.SplitCompound("a.b,c.d", []string{"x", "--", "1"}, "--")
	if err != nil || !sameValue(toAny(args), []any{[]any{"x"}, []any{int64(1)}}) {
		t.Errorf("custom separator: %#v, %v", args, err)
	}
	if _, _, err := job.SplitCompound("a.b,c.d", nil, ","); !errors.Is(err, job.ErrCompoundMissingArgs) {
		t.Errorf("missing args: %v", err)
	}
	if _, _, err := job.SplitCompound("a.b,c.d", []string{"1,2,3"}, ","); !errors.Is(err, job.ErrCompoundExtraArgs) {
		t.Errorf("extra args: %v", err)
	}
	if job.IsCompound("test.ping") || !job.IsCompound("test.ping,test.echo") {
		t.Error("IsCompound")
	}
}

func toAny(l [][]any) []any {
	out := make([]any, len(l))
	for i := range l {
		out[i] = l[i]
	}
	return out
}

func TestSplitListTarget(t *testing.T) {
	for in, want := range map[string]string{
		"min1,min2":  "min1|min2",
		"min1, min2": "min1|min2",
		"min1 min2":  "min1|min2",
		"min1":       "min1",
		"min1,":      "min1|",
		"  a   b  ":  "a|b",
		"a b,c":      "ab|c",
	} {
		if got := strings.Join(job.SplitListTarget(in), "|"); got != want {
			t.Errorf("SplitListTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

// Aliases can make a few bytes stand for a huge tree; such an argument is
// kept as a string, quickly.
func TestYAMLArgAliasBomb(t *testing.T) {
	bomb := "[&a [x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], " +
		"&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]]"
	start := time.Now()
	if got := job.YAMLArg(bomb); got != bomb {
		t.Errorf("alias bomb loaded as %T", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	deep := strings.Repeat("[", 500) + strings.Repeat("]", 500)
	if got := job.YAMLArg(deep); got != deep {
		t.Errorf("deep nesting loaded as %T", got)
	}
}
