package exec

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"gopkg.in/yaml.v3"
)

// Published arguments arrive as decoded msgpack: nil, bool, int64 (uint64
// above MaxInt64), float64, string, []any and body.Map. The helpers here
// treat them the way the Python functions Salt runs would, so error texts
// and str() renderings match.

// pyTypeName is type(v).__name__.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "int"
	case float32, float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case []any, []string:
		return "list"
	case body.Map, map[string]any, map[any]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyTruthy is Python's bool(v).
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case body.Map:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	if n, ok := asInt64(v); ok {
		return n != 0
	}
	return true
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

// pyInt is Python's int(v): ints as they are, floats truncated, booleans
// 0 and 1, strings parsed in base 10 (surrounding whitespace and single
// underscores allowed). Anything else is a TypeError, an unparsable
// string a ValueError, with Python's messages.
func pyInt(v any) (int64, error) {
	if n, ok := asInt64(v); ok {
		return n, nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(x) {
			return 0, &Exception{Type: "ValueError", Msg: "cannot convert float NaN to integer"}
		}
		if math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return 0, &Exception{Type: "OverflowError", Msg: "cannot convert float infinity to integer"}
		}
		return int64(x), nil
	case string:
		t := strings.TrimSpace(x)
		if t != "" && !strings.HasPrefix(t, "_") && !strings.HasSuffix(t, "_") && !strings.Contains(t, "__") {
			if n, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64); err == nil {
				return n, nil
			}
		}
		return 0, &Exception{Type: "ValueError", Msg: "invalid literal for int() with base 10: " + pyRepr(x)}
	}
	return 0, &TypeError{fmt.Sprintf("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyTypeName(v))}
}

// pyFloat is Python's float(v) for the published types.
func pyFloat(v any) (float64, error) {
	if n, ok := asInt64(v); ok {
		return float64(n), nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		return x, nil
	case string:
		t := strings.TrimSpace(x)
		if f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64); err == nil && t != "" {
			return f, nil
		}
		return 0, &Exception{Type: "ValueError", Msg: "could not convert string to float: " + pyRepr(x)}
	}
	return 0, &TypeError{fmt.Sprintf("float() argument must be a string or a real number, not '%s'", pyTypeName(v))}
}

// isTrue is salt.utils.data.is_true: numbers are true when positive,
// strings when they say "true" in any case, anything else by truthiness.
func isTrue(v any) bool {
	if s, ok := v.(string); ok {
		if n, err := pyInt(s); err == nil {
			return n > 0
		}
		if f, err := pyFloat(s); err == nil {
			return f > 0
		}
		return strings.ToLower(s) == "true"
	}
	if b, ok := v.(bool); ok {
		return b
	}
	if n, ok := asInt64(v); ok {
		return n > 0
	}
	if f, ok := v.(float64); ok {
		return f > 0
	}
	return pyTruthy(v)
}

// pyStr is Python's str(v); containers render their members with repr.
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(v) for the published types.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return pyQuote(x)
	case []byte:
		return "b" + pyQuote(string(x))
	case float32:
		return pyFloatRepr(float64(x))
	case float64:
		return pyFloatRepr(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyQuote(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case body.Map:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = pyQuote(it.Key) + ": " + pyRepr(it.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyQuote(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	if n, ok := asInt64(v); ok {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprint(v)
}

// pyTuple is repr() of a tuple: "()", "(1,)", "(1, 2)".
func pyTuple(items []any) string {
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = pyRepr(e)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// pyQuote is repr() of a str.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// pyFloatRepr is Python's float repr: shortest round-trip digits, fixed
// notation (with a fractional part) for exponents -4..15.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// YAML 1.1 implicit types as PyYAML's SafeLoader resolves them; Salt
// YAML-loads argument text with it (salt.utils.args.yamlify_arg).
var (
	yamlBoolRE  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlIntRE   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloatRE = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlNullRE  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yamlTimeRE  = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

// errNotPlain marks a YAML value yamlify does not convert (a timestamp,
// a binary, an unknown tag): the argument then stays text.
var errNotPlain = fmt.Errorf("not a plain YAML value")

// yamlify is salt.utils.args.yamlify_arg: the text of an argument becomes
// the YAML value it spells when that is a number, boolean, None, or a
// bracketed list or braced mapping; otherwise it stays text.
func yamlify(arg string) any {
	trimmed := strings.TrimSpace(arg)
	if trimmed == "" || trimmed == "---" || trimmed == "..." {
		return arg
	}
	if strings.Contains(arg, "_") && strings.Trim(trimmed, "0123456789_") == "" {
		return arg
	}
	if arg == "None" {
		return nil
	}
	v, err := yamlLoad(arg)
	if err != nil {
		return arg
	}
	if strings.Contains(arg, "#") {
		if _, isStr := v.(string); isStr || v == nil {
			return arg
		}
		return v
	}
	switch v.(type) {
	case body.Map:
		if !strings.HasPrefix(arg, "{") {
			return arg
		}
		return v
	case []any:
		if !strings.HasPrefix(arg, "[") {
			return arg
		}
		return v
	case string:
		if v == "" && (arg == "|" || arg == "!") {
			return arg
		}
		return v
	case nil:
		if strings.HasPrefix(trimmed, "#") || trimmed == "!" {
			return arg
		}
		return nil
	}
	return v
}

func yamlLoad(s string) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	return yamlValue(doc.Content[0], 0)
}

func yamlValue(n *yaml.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, errNotPlain
	}
	switch n.Kind {
	case yaml.AliasNode:
		return yamlValue(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := body.Map{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := yamlValue(n.Content[i], depth+1)
			if err != nil {
				return nil, err
			}
			v, err := yamlValue(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out.Set(pyStr(k), v)
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, errNotPlain
}

func yamlScalar(n *yaml.Node) (any, error) {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	tag := ""
	if n.Style&yaml.TaggedStyle != 0 {
		tag = n.Tag
	}
	s := n.Value
	switch {
	case tag == "!!str":
		return s, nil
	case tag == "" && yamlNullRE.MatchString(s), tag == "!!null":
		return nil, nil
	case tag == "" && yamlBoolRE.MatchString(s), tag == "!!bool":
		switch strings.ToLower(s) {
		case "yes", "true", "on":
			return true, nil
		case "no", "false", "off":
			return false, nil
		}
		return nil, errNotPlain
	case tag == "" && yamlIntRE.MatchString(s), tag == "!!int":
		return yamlInt(s)
	case tag == "" && yamlFloatRE.MatchString(s), tag == "!!float":
		return yamlFloat(s)
	case tag == "" && yamlTimeRE.MatchString(s):
		return nil, errNotPlain
	case tag == "":
		return s, nil
	}
	return nil, errNotPlain
}

// yamlInt is PyYAML's construct_yaml_int.
func yamlInt(s string) (any, error) {
	v := strings.ReplaceAll(s, "_", "")
	sign := int64(1)
	if strings.HasPrefix(v, "-") {
		sign = -1
	}
	v = strings.TrimLeft(v, "+-")
	var n *big.Int
	switch {
	case v == "0":
		return int64(0), nil
	case strings.HasPrefix(v, "0b"):
		n, _ = new(big.Int).SetString(v[2:], 2)
	case strings.HasPrefix(v, "0x"):
		n, _ = new(big.Int).SetString(v[2:], 16)
	case strings.HasPrefix(v, "0"):
		n, _ = new(big.Int).SetString(v[1:], 8)
	case strings.Contains(v, ":"):
		n = new(big.Int)
		for _, part := range strings.Split(v, ":") {
			d, _ := strconv.ParseInt(part, 10, 64)
			n.Mul(n, big.NewInt(60)).Add(n, big.NewInt(d))
		}
	default:
		n, _ = new(big.Int).SetString(v, 10)
	}
	if n == nil || !n.IsInt64() {
		return nil, errNotPlain
	}
	return sign * n.Int64(), nil
}

// yamlFloat is PyYAML's construct_yaml_float.
func yamlFloat(s string) (any, error) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if strings.HasPrefix(v, "-") {
		sign = -1
	}
	v = strings.TrimLeft(v, "+-")
	switch {
	case v == ".inf":
		return sign * math.Inf(1), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		parts := strings.Split(v, ":")
		f := 0.0
		for _, p := range parts {
			d, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return nil, errNotPlain
			}
			f = f*60 + d
		}
		return sign * f, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, errNotPlain
	}
	return sign * f, nil
}
