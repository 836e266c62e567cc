package render

import (
	"regexp"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Salt's regex filters (salt/utils/stringutils.py via salt.utils.jinja):
// the pattern is Python's, translated by pkg/salt/internal/py.

// compileFlags compiles rgx with the ignorecase and multiline keywords.
func compileFlags(rgx string, params *exec.VarArgs) (*regexp.Regexp, error) {
	flags := ""
	if v, ok := params.KwArgs["ignorecase"]; ok && v.IsTrue() {
		flags += "i"
	}
	if v, ok := params.KwArgs["multiline"]; ok && v.IsTrue() {
		flags += "m"
	}
	if flags != "" {
		rgx = "(?" + flags + ")" + rgx
	}
	tr, err := py.TranslateRegexp(rgx)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(tr)
}

// regexFilter is a filter of (txt, rgx, ignorecase=False, multiline=False).
func regexFilter(fn func(re *regexp.Regexp, txt string) any) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		if len(params.Args) < 1 {
			return failf("a regular expression is required")
		}
		re, err := compileFlags(params.Args[0].String(), params)
		if err != nil {
			return fail(err)
		}
		return exec.AsValue(fn(re, in.String()))
	}
}

// regexMatch is re.match(rgx, txt).groups(), or None.
func regexMatch(re *regexp.Regexp, txt string) any {
	// re.match anchors at the start.
	anchored, err := regexp.Compile(`\A(?:` + re.String() + `)`)
	if err != nil {
		return nil
	}
	loc := anchored.FindStringSubmatchIndex(txt)
	if loc == nil {
		return nil
	}
	return groups(txt, loc)
}

// regexSearch is re.search(rgx, txt).groups(), or None.
func regexSearch(re *regexp.Regexp, txt string) any {
	loc := re.FindStringSubmatchIndex(txt)
	if loc == nil {
		return nil
	}
	return groups(txt, loc)
}

// groups is Python's Match.groups(): each group, None when it took no part.
func groups(txt string, loc []int) []any {
	out := make([]any, 0, len(loc)/2-1)
	for i := 2; i+1 < len(loc); i += 2 {
		if loc[i] < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, txt[loc[i]:loc[i+1]])
	}
	return out
}

// filterRegexReplace is re.sub(rgx, val, txt) with Python's \1 references.
func filterRegexReplace(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if len(params.Args) < 2 {
		return failf("regex_replace needs a regular expression and a replacement")
	}
	re, err := compileFlags(params.Args[0].String(), params)
	if err != nil {
		return fail(err)
	}
	return exec.AsValue(re.ReplaceAllString(in.String(), pyReplacement(params.Args[1].String())))
}

var reBackref = regexp.MustCompile(`\\(\d+)|\\g<(\w+)>|\$`)

// pyReplacement turns a Python replacement ("\1", "\g<name>") into Go's.
func pyReplacement(s string) string {
	return reBackref.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$" {
			return "$$"
		}
		sub := reBackref.FindStringSubmatch(m)
		name := sub[1]
		if name == "" {
			name = sub[2]
		}
		return "${" + name + "}"
	})
}
