package py

import (
	"errors"
	"slices"
	"testing"
)

func TestShlexSplit(t *testing.T) {
	// Answers from Python's shlex.split.
	cases := []struct {
		in   string
		want []string
	}{
		{`echo hi`, []string{"echo", "hi"}},
		{``, nil},
		{`  a   b  `, []string{"a", "b"}},
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}},
		{`a\ b`, []string{"a b"}},
		{`"a\"b" 'a\b'`, []string{`a"b`, `a\b`}},
		{`"a\$b"`, []string{`a\$b`}},
		{`x''y ""`, []string{"xy", ""}},
		{"ro quiet\tsplash=\"a b\"\n", []string{"ro", "quiet", "splash=a b"}},
	}
	for _, c := range cases {
		got, err := ShlexSplit(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ShlexSplit(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// Python raises; the words read so far come back with the error, for the
// kernelparams grain, which keeps them.
func TestShlexSplitErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  error
	}{
		{`a "open`, []string{"a", "open"}, ErrNoClosingQuotation},
		{`a 'open`, []string{"a", "open"}, ErrNoClosingQuotation},
		{`a "x\`, []string{"a", "x"}, ErrNoClosingQuotation},
		{`a trailing\`, []string{"a", "trailing"}, ErrNoEscapedCharacter},
	} {
		got, err := ShlexSplit(c.in)
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("ShlexSplit(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// shlex.quote's answers, from Python 3.11.
func TestShlexQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":               "''",
		"web1.example":   "web1.example",
		"a b":            "'a b'",
		"it's":           `'it'"'"'s'`,
		"/usr/bin/x-y@z": "/usr/bin/x-y@z",
		"é":              "'é'",
	} {
		if got := ShlexQuote(in); got != want {
			t.Errorf("ShlexQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
