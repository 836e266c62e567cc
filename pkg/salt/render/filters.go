package render

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Salt's own Jinja filters (salt/utils/jinja.py SerializerExtension and the
// @jinja_filter functions of salt.utils.*). gonja's dictsort and tojson are
// Jinja's and stay.
var saltFilters = map[string]exec.FilterFunction{
	"yaml":          filterYAML,
	"json":          filterJSON,
	"yaml_encode":   filterYAMLEncode,
	"yaml_dquote":   stringFilter(yamlDquote),
	"yaml_squote":   stringFilter(yamlSquote),
	"load_yaml":     loadFilter("yaml", loadYAML),
	"load_json":     loadFilter("json", loadJSON),
	"regex_match":   regexFilter(regexMatch),
	"regex_search":  regexFilter(regexSearch),
	"regex_replace": filterRegexReplace,
	"unique":        filterUnique,
	"to_bool":       filterToBool,
	"quote":         stringFilter(shellQuote),
	"sequence":      filterSequence,
	"tojson":        filterToJSON,
	"dictsort":      filterDictSort,
}

func fail(err error) *exec.Value { return exec.AsValue(err) }

func failf(format string, args ...any) *exec.Value { return fail(fmt.Errorf(format, args...)) }

// stringFilter is a filter of one string to another.
func stringFilter(fn func(string) string) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		return exec.AsSafeValue(fn(in.String()))
	}
}

// filterYAML is SerializerExtension.format_yaml: safe_dump in flow style
// (flow_style=True by default), stripped, without a document end marker.
func filterYAML(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	flow := true
	if v, ok := params.KwArgs["flow_style"]; ok {
		flow = v.IsTrue()
	} else if len(params.Args) > 0 {
		flow = params.Args[0].IsTrue()
	}
	v := goValue(in)
	if !flow {
		s, err := blockYAML(v)
		if err != nil {
			return fail(err)
		}
		return exec.AsSafeValue(s)
	}
	return exec.AsSafeValue(flowYAML(v))
}

// filterJSON is SerializerExtension.format_json: json.dumps with
// sort_keys=True and indent=None unless given.
func filterJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	s, err := dumpJSON(in, params, false)
	if err != nil {
		return fail(err)
	}
	return exec.AsSafeValue(strings.TrimSpace(s))
}

// dumpJSON is json.dumps(in, sort_keys=True, indent=indent), indent
// given by keyword (or, when positional, as the first argument).
func dumpJSON(in *exec.Value, params *exec.VarArgs, positional bool) (string, error) {
	indent := -1
	if v, ok := params.KwArgs["indent"]; ok && !v.IsNil() {
		indent = v.Integer()
	} else if positional && len(params.Args) > 0 && !params.Args[0].IsNil() {
		indent = params.Args[0].Integer()
	}
	b, err := py.AppendJSONLayout(nil, goValue(in), indent, true)
	return string(b), err
}

// filterYAMLEncode is salt.utils.yamlencoding.yaml_encode: a scalar as
// YAML writes it, strings always double-quoted.
func filterYAMLEncode(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	switch v := goValue(in).(type) {
	case string:
		return exec.AsSafeValue(yamlDquote(v))
	case nil:
		return exec.AsSafeValue("null")
	case bool, int, int64, uint64, float64:
		return exec.AsSafeValue(flowYAML(v))
	default:
		return failf("yaml_encode() only works with YAML scalar data; failed for %s", py.TypeName(v))
	}
}

// loadFilter is load_yaml or load_json: the text read as data.
func loadFilter(kind string, load func(file, text string, ordered bool) (any, error)) exec.FilterFunction {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
		if in.IsError() {
			return in
		}
		v, err := load("load_"+kind, in.String(), false)
		if err != nil {
			return failf("Encountered error loading %s: %v", kind, err)
		}
		return exec.AsValue(v)
	}
}

// filterUnique is salt.utils.data's unique: first occurrences, in order,
// compared exactly (Jinja's own is case-insensitive).
func filterUnique(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	var out []any
	in.Iterate(func(_, _ int, key, _ *exec.Value) bool {
		v := goValue(key)
		for _, seen := range out {
			if reflect.DeepEqual(seen, v) {
				return true
			}
		}
		out = append(out, v)
		return true
	}, func() {})
	if out == nil {
		out = []any{}
	}
	return exec.AsValue(out)
}

// filterToBool is salt.utils.jinja's to_bool.
func filterToBool(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	switch v := goValue(in).(type) {
	case nil:
		return exec.AsValue(false)
	case bool:
		return exec.AsValue(v)
	case string:
		s := strings.ToLower(v)
		return exec.AsValue(s == "yes" || s == "1" || s == "true")
	case int64:
		return exec.AsValue(v > 0)
	case int:
		return exec.AsValue(v > 0)
	case uint64:
		return exec.AsValue(v > 0)
	case []any:
		return exec.AsValue(len(v) > 0)
	case map[string]any:
		return exec.AsValue(len(v) > 0)
	}
	return exec.AsValue(false)
}

// filterSequence is salt.utils.jinja's ensure_sequence_filter.
func filterSequence(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	switch v := goValue(in).(type) {
	case []any, map[string]any:
		return exec.AsValue(v)
	default:
		return exec.AsValue([]any{v})
	}
}

// shellQuote is shlex.quote.
func shellQuote(s string) string { return py.ShlexQuote(s) }

// filterToJSON is Jinja2's tojson (htmlsafe_json_dumps): json.dumps with
// sorted keys, then <, >, & and ' escaped.
func filterToJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	s, err := dumpJSON(in, params, true)
	if err != nil {
		return fail(err)
	}
	return exec.AsSafeValue(htmlSafe.Replace(s))
}

var htmlSafe = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`)

// filterDictSort is Jinja's dictsort (gonja's), given a dict literal as a
// plain mapping: gonja's own sees no items in its literal type.
func filterDictSort(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	sorter, _ := builtins.Filters.Get("dictsort")
	if in.IsDict() {
		in = exec.AsValue(goValue(in))
	}
	return sorter(e, in, params)
}
