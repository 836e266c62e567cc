package output

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// YAML is the yaml outputter (salt/output/yaml_out.py without
// output_indent): salt.utils.yaml.safe_dump(data, default_flow_style=False),
// which is PyYAML's dump with the safe representers, allow_unicode, block
// style for every non-empty list and dict ([] and {} for empty ones), dict
// keys sorted (PyYAML's sort_keys, which applies to Salt's plain dicts, so
// a Map is sorted too), an indent of 2 with list items not indented under
// their key, and lines folded at 80 columns. Strings are written plain when
// PyYAML would, else in single quotes, else in double quotes with escapes.
// What is here is a port of the parts of PyYAML's emitter
// (yaml/emitter.py, 6.0) these values reach, so that the text is the same
// byte for byte.
func YAML(data any) (string, error) {
	n, err := yamlRepresent(data, 0)
	if err != nil {
		return "", fmt.Errorf("output: yaml: %w", err)
	}
	e := &yamlEmitter{indent: -1, whitespace: true, indention: true}
	e.node(n, true, false, false, false)
	// Document end, then stream end.
	e.writeIndent()
	if e.openEnded {
		e.writeIndicator("...", true, false, false)
		e.writeIndent()
	}
	return e.out.String(), nil
}

// yamlNode is a represented value: a scalar (its text, and whether it is a
// string, which decides how it may be written), a sequence or a mapping.
type yamlNode struct {
	kind  byte // 's' scalar, 'q' sequence, 'm' mapping
	text  string
	isStr bool
	items []yamlNode
	keys  []yamlNode
}

func yamlRepresent(v any, depth int) (yamlNode, error) {
	if depth > py.MaxDepth {
		return yamlNode{}, fmt.Errorf("nested deeper than %d levels", py.MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		return yamlNode{kind: 's', text: "null"}, nil
	case bool:
		if x {
			return yamlNode{kind: 's', text: "true"}, nil
		}
		return yamlNode{kind: 's', text: "false"}, nil
	case string:
		return yamlNode{kind: 's', text: x, isStr: true}, nil
	case float64:
		return yamlNode{kind: 's', text: yamlFloat(x)}, nil
	case float32:
		return yamlNode{kind: 's', text: yamlFloat(float64(x))}, nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return yamlNode{kind: 's', text: fmt.Sprint(x)}, nil
	}
	if items, ok := py.DictItems(v); ok {
		items = slices.Clone(items)
		slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		n := yamlNode{kind: 'm'}
		for _, it := range items {
			val, err := yamlRepresent(it.Value, depth+1)
			if err != nil {
				return yamlNode{}, err
			}
			n.keys = append(n.keys, yamlNode{kind: 's', text: it.Key, isStr: true})
			n.items = append(n.items, val)
		}
		return n, nil
	}
	if list, ok := py.ListItems(v); ok {
		n := yamlNode{kind: 'q'}
		for _, x := range list {
			val, err := yamlRepresent(x, depth+1)
			if err != nil {
				return yamlNode{}, err
			}
			n.items = append(n.items, val)
		}
		return n, nil
	}
	return yamlNode{}, fmt.Errorf("cannot represent a value of type %T", v)
}

// yamlFloat is SafeRepresenter.represent_float.
func yamlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strings.ToLower(py.FloatRepr(f))
	if !strings.Contains(s, ".") && strings.Contains(s, "e") {
		s = strings.Replace(s, "e", ".0e", 1)
	}
	return s
}

// The implicit resolvers of PyYAML's SafeLoader (yaml/resolver.py): a plain
// scalar matching one of these would read back as something other than a
// string, so a string that looks like one must be quoted. Each applies only
// to scalars starting with one of its characters.
var yamlResolvers = []struct {
	first string
	re    *regexp.Regexp
}{
	{"yYnNtTfFoO", regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)},
	{"-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{"-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{"<", regexp.MustCompile(`^(?:<<)$`)},
	{"~nN", regexp.MustCompile(`^(?:~|null|Null|NULL)$`)},
	{"0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"=", regexp.MustCompile(`^(?:=)$`)},
}

// yamlPlainIsStr reports whether s, written plain, reads back as a string:
// the event's implicit[0].
func yamlPlainIsStr(s string) bool {
	if s == "" {
		return false // the empty plain scalar is null
	}
	first := []rune(s)[0]
	for _, r := range yamlResolvers {
		if strings.ContainsRune(r.first, first) && r.re.MatchString(s) {
			return false
		}
	}
	return true
}
