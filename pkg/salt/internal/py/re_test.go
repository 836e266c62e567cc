package py

import "testing"

// TestTranslateRegexp pins the Python-to-RE2 translation and the matches
// Python's re.match gives for the same pattern and subject.
func TestTranslateRegexp(t *testing.T) {
	cases := []struct {
		pat, subject string
		want         bool
	}{
		{`abc$`, "abc\n", true},   // Python's $ matches before a final newline
		{`abc\Z`, "abc\n", false}, // \Z does not
		{`(?m)^b$`, "a\nb\nc", false},
		{`a{,2}$`, "aa", true},
		{`a{,2}$`, "aaa", false},
		{`a{,}b`, "aaab", true},
		{`[[]x`, "[x", true},
		{`[\b]`, "\b", true},
		{`\x41\101\u0041`, "AAA", true},
		{`\0`, "\x00", true},
		{`a(?#comment)b`, "ab", true},
		{`(?u)\w+`, "héllo", true},
		{`(?i:WEB)1`, "web1", true},
		{`\-\/\ `, "-/ ", true},
		{`web\.`, "webX", false},
		{`.`, "\n", false},
		{`(?s).`, "\n", true},
	}
	for _, c := range cases {
		re, err := CompileRegexp(c.pat)
		if err != nil {
			t.Errorf("CompileRegexp(%q): %v", c.pat, err)
			continue
		}
		if got := re.MatchString(c.subject); got != c.want {
			t.Errorf("re.match(%q, %q) = %v, want %v (RE2: %s)", c.pat, c.subject, got, c.want, re)
		}
	}
	for _, bad := range []string{`(?<=a)b`, `(?!a)`, `(?P=n)`, `(?x)a b`, `\N{DIGIT ONE}`, `\q`, `(?(1)a|b)`, `a*+`, `(?>a)`, `[a`} {
		if _, err := CompileRegexp(bad); err == nil {
			t.Errorf("CompileRegexp(%q) succeeded, want an error", bad)
		}
	}
}
