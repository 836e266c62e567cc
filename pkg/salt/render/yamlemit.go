package render

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// The YAML the yaml and yaml_encode filters write: PyYAML's safe_dump in
// flow style ({a: 1, b: [x, y]}, keys sorted) on one line (PyYAML folds
// long collections at 80 columns; that is not done here), scalars and the
// block style through the yaml outputter's emitter.

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
// it (the yaml outputter's port of them), quoted when it is a string whose
// plain form would break a flow collection.
func yamlScalar(v any) string {
	s, err := blockYAML(v)
	if err != nil {
		return yamlSquote(py.Str(v))
	}
	if str, ok := v.(string); ok && s == str && strings.ContainsAny(s, ",[]{}") {
		return yamlSquote(str)
	}
	return s
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
