package render

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// The YAML the yaml and yaml_encode filters write: PyYAML's safe_dump in
// flow style ({a: 1, b: [x, y]}, keys sorted), on one line (PyYAML folds
// at 80 columns; that is not done here), and in block style through the
// yaml outputter's emitter.

// flowYAML writes v in flow style.
func flowYAML(v any) string {
	var b strings.Builder
	writeFlow(&b, v)
	return b.String()
}

func writeFlow(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(yamlScalar(k))
			b.WriteString(": ")
			writeFlow(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFlow(b, e)
		}
		b.WriteByte(']')
	default:
		b.WriteString(yamlScalar(x))
	}
}

// yamlScalar is one scalar as PyYAML's safe representer and emitter write
// it in a flow collection.
func yamlScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return yamlFloat(x)
	case string:
		switch {
		case plainOK(x):
			return x
		case !strings.ContainsFunc(x, func(r rune) bool { return r == '\n' || !unicode.IsPrint(r) }):
			return yamlSquote(x)
		}
		return yamlDquote(x)
	}
	return yamlSquote(py.Str(v))
}

// yamlFloat is represent_float: repr, with ".0" before an exponent that
// lacks a dot, and .inf/.nan.
func yamlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := py.FloatRepr(f)
	if i := strings.IndexByte(s, 'e'); i >= 0 && !strings.Contains(s, ".") {
		s = s[:i] + ".0" + s[i:]
	}
	return s
}

// plainOK reports that s can be written plain in a flow collection and
// reads back as the same string.
func plainOK(s string) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") {
		return false
	}
	if strings.ContainsAny(s, ",[]{}\n") || strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return false
	}
	got, err := job.YAMLValue(&yaml.Node{Kind: yaml.ScalarNode, Value: s}, 1)
	return err == nil && got == s
}

// yamlSquote is salt.utils.yamlencoding.yaml_squote.
func yamlSquote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// yamlDquote is salt.utils.yamlencoding.yaml_dquote: a double-quoted
// scalar with YAML's escapes.
func yamlDquote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == 0:
			b.WriteString(`\0`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		case !unicode.IsPrint(r) && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// blockYAML is safe_dump(default_flow_style=False), stripped.
func blockYAML(v any) (string, error) {
	s, err := output.YAML(v)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	return strings.TrimSuffix(s, "\n..."), nil
}
