package job

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// YAMLArg types one command-line argument as salt.utils.args.yamlify_arg of
// Salt 3006 does: the string is loaded with Salt's YAML loader
// (salt.utils.yamlloader.SaltYamlSafeLoader, which is PyYAML's SafeLoader,
// so YAML 1.1) and the result kept only when it is a type Salt accepts
// there; anything else, and anything that fails to load, stays the original
// string. In detail:
//
//   - "", whitespace, "---" and "..." stay as they are; so do strings of
//     only digits and underscores with at least one underscore ("1_000";
//     YAML would read 1000), and strings holding a tab, CR or LF.
//   - "None" is nil. So are "null", "Null", "NULL" and "~" (YAML).
//   - YAML 1.1 booleans: yes/no/true/false/on/off in lower, Title or UPPER
//     case ("y" and "n" are strings). So `salt '*' test.arg yes` gets True.
//   - YAML 1.1 ints: decimal, 0x hex, 0b binary, base 60 ("1:30" is 90) and
//     underscores inside. Salt strips leading zeros before reading, so
//     "010" is 10, not octal 8; a signed "-010" escapes the stripping and is
//     octal (-8), as in Salt.
//   - YAML 1.1 floats need a dot ("1.5", "1.", ".5", "1.0e+3", "1:30.5");
//     "1e3" is a string. ".inf", "-.inf" and ".nan" are floats.
//   - Dates and times stay strings (Salt constructs timestamps as scalars).
//   - A mapping is kept only if the argument starts with "{", a list only if
//     it starts with "["; "a: b" and "- a" stay strings. Mappings become
//     body.Map in the order written (map[any]any when a key is not a
//     string); a repeated key makes the argument stay a string (Salt's
//     loader refuses it).
//   - With a "#" in the argument, a result that is a string or nil gives
//     the original string back (nothing lost to a comment); any other result
//     is kept even if it is a mapping without braces, as in Salt.
//   - "|" and "!" stay as they are; a bare ">" loads as "" (Salt does not
//     guard that one); an argument whose result is nil and which starts with
//     "#" stays as it is.
//
// Integers of 2**64 and more become their decimal string, which is what
// salt.payload writes for them (and how a jid typed as a number survives).
//
// Where this is not Python: an integer below -2**63, which Salt would fail
// to serialise, stays the original string; the YAML text is parsed by
// gopkg.in/yaml.v3, whose tokenizer differs from PyYAML's in corners (an
// explicit "?" key inside a flow sequence, "[?]", is refused here and gives
// the original string); "!!set", "!!omap", "!!pairs" and Python tags are
// refused (original string). Beyond these, results were compared with
// Salt 3006's yamlify_arg and parse_input code run under PyYAML 6 with
// Salt's loader changes, on the test table and some twelve thousand
// generated arguments, and agreed.
func YAMLArg(arg string) any {
	if plainText(arg) {
		return arg
	}
	stripped := strings.TrimSpace(arg)
	switch stripped {
	case "", "---", "...":
		return arg
	}
	if strings.Contains(arg, "_") && strings.Trim(stripped, "0123456789_") == "" {
		return arg
	}
	if strings.ContainsAny(arg, "\t\r\n") {
		return arg
	}
	if strings.Contains(arg, "#") {
		v, err := safeLoad(arg)
		if err != nil {
			return arg
		}
		if _, isStr := v.(string); isStr || v == nil {
			return arg
		}
		return v
	}
	var v any
	if arg != "None" {
		var err error
		if v, err = safeLoad(arg); err != nil {
			return arg
		}
	}
	switch x := v.(type) {
	case body.Map, map[any]any:
		if !strings.HasPrefix(arg, "{") {
			return arg
		}
		return v
	case []any:
		if !strings.HasPrefix(arg, "[") {
			return arg
		}
		return v
	case nil:
		if strings.HasPrefix(stripped, "#") || arg == "!" {
			return arg
		}
		return nil
	case string:
		if x == "" && (arg == "|" || arg == "!") {
			return arg
		}
		return x
	case bool, int64, uint64, float64:
		return v
	}
	// bytes (!!binary) and anything else: "we don't support this type".
	return arg
}

// plainText reports an argument that YAML can only read as itself, so that
// a large one (a file's contents in base64, say) is not scanned by the YAML
// parser, which takes some 20 ms per megabyte: at least 64 bytes (longer
// than any bool, null, timestamp or special float YAML resolves) of letters,
// digits and "+/=._-" only (no indicator, space or quote: one plain
// scalar), with at least one character no number has (a letter past f
// other than o and x, "/" or "=").
func plainText(arg string) bool {
	if len(arg) < 64 {
		return false
	}
	var seen uint8
	for i := 0; i < len(arg); i++ {
		c := plainChars[arg[i]]
		if c == 0 {
			return false
		}
		seen |= c
	}
	return seen&notInNumbers != 0
}

// plainChars classes the bytes of plainText: 0 for one that ends it,
// else plainChar, with notInNumbers for one no number has.
var plainChars = func() (t [256]uint8) {
	for c := range 256 {
		l := byte(c) | 0x20
		switch {
		case c == '/' || c == '=' || (l >= 'g' && l <= 'z' && l != 'o' && l != 'x'):
			t[c] = plainChar | notInNumbers
		case c >= '0' && c <= '9', l >= 'a' && l <= 'z', c == '+', c == '.', c == '_', c == '-':
			t[c] = plainChar
		}
	}
	return t
}()

const (
	plainChar    = 1
	notInNumbers = 2
)

// errYAML is what the loader returns for anything Salt's loader would raise
// on; YAMLArg turns it into "keep the original string".
var errYAML = errors.New("yaml")

func yamlErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errYAML}, args...)...)
}

// safeLoad is salt.utils.yaml.safe_load for one document.
func safeLoad(s string) (any, error) {
	var doc, next yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErrorf("%v", err)
	}
	// yaml.v3 stops after a flow collection or quoted scalar and ignores
	// what follows ("[1] x"); PyYAML refuses it, as it refuses a second
	// document. Both show as anything but EOF on a second read.
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, yamlErrorf("expected a single document")
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // empty document (only a comment, say)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, yamlErrorf("expected a single document")
	}
	if err := checkAnchors(doc.Content[0], map[string]bool{}, 0); err != nil {
		return nil, err
	}
	c := constructor{budget: maxYAMLNodes}
	return c.construct(doc.Content[0], 0)
}

// Limits on what one argument may expand to: aliases can make a small text
// name an enormous tree.
const (
	maxYAMLDepth = 100
	maxYAMLNodes = 10000
)

type constructor struct {
	budget int
}

func (c *constructor) construct(n *yaml.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, yamlErrorf("nested too deep")
	}
	if c.budget--; c.budget < 0 {
		return nil, yamlErrorf("too many nodes")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, yamlErrorf("unknown alias")
		}
		return c.construct(n.Alias, depth+1)
	case yaml.ScalarNode:
		return c.scalar(n)
	case yaml.SequenceNode:
		if tag := explicitTag(n); tag != "" && tag != "!" && tag != "!!seq" {
			return nil, yamlErrorf("unsupported tag %s", tag)
		}
		l := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.construct(item, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.MappingNode:
		if tag := explicitTag(n); tag != "" && tag != "!" && tag != "!!map" {
			return nil, yamlErrorf("unsupported tag %s", tag)
		}
		return c.mapping(n, depth)
	}
	return nil, yamlErrorf("unexpected node kind %v", n.Kind)
}

// explicitTag is the tag written in the text, or "" for none.
func explicitTag(n *yaml.Node) string {
	if n.Style&yaml.TaggedStyle == 0 {
		return ""
	}
	return n.Tag
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxYAMLDepth; i++ {
		n = n.Alias
	}
	return n
}

// isMergeKey reports a plain "<<" key (YAML 1.1 merge).
func isMergeKey(n *yaml.Node) bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	if tag := explicitTag(n); tag != "" {
		return tag == "!!merge"
	}
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && n.Value == "<<"
}

// isValueKey reports a plain "=" key (the YAML 1.1 value key).
func isValueKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && explicitTag(n) == "" && n.Value == "=" &&
		n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// checkAnchors refuses an anchor defined twice, as PyYAML's composer does
// ("found duplicate anchor"); yaml.v3 lets the second one win.
func checkAnchors(n *yaml.Node, seen map[string]bool, depth int) error {
	if n == nil || n.Kind == yaml.AliasNode {
		return nil
	}
	if depth > maxYAMLDepth {
		return yamlErrorf("nested too deep")
	}
	if n.Anchor != "" {
		if seen[n.Anchor] {
			return yamlErrorf("found duplicate anchor %q", n.Anchor)
		}
		seen[n.Anchor] = true
	}
	for _, c := range n.Content {
		if err := checkAnchors(c, seen, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// flatten is SaltYamlSafeLoader.flatten_mapping: the pairs of merged
// mappings go first, except those whose key text the mapping has itself.
func flatten(n *yaml.Node, depth int) ([][2]*yaml.Node, error) {
	if depth > maxYAMLDepth {
		return nil, yamlErrorf("nested too deep")
	}
	var own, merge [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMergeKey(k) {
			own = append(own, [2]*yaml.Node{k, v})
			continue
		}
		v = deref(v)
		switch {
		case v != nil && v.Kind == yaml.MappingNode:
			sub, err := flatten(v, depth+1)
			if err != nil {
				return nil, err
			}
			merge = append(merge, sub...)
		case v != nil && v.Kind == yaml.SequenceNode:
			var subs [][][2]*yaml.Node
			for _, s := range v.Content {
				s = deref(s)
				if s == nil || s.Kind != yaml.MappingNode {
					return nil, yamlErrorf("expected a mapping for merging")
				}
				sub, err := flatten(s, depth+1)
				if err != nil {
					return nil, err
				}
				subs = append(subs, sub)
			}
			for i := len(subs) - 1; i >= 0; i-- {
				merge = append(merge, subs[i]...)
			}
		default:
			return nil, yamlErrorf("expected a mapping or list of mappings for merging")
		}
	}
	if len(merge) == 0 {
		return own, nil
	}
	have := make(map[string]bool, len(own))
	for _, p := range own {
		if k := deref(p[0]); k != nil {
			have[k.Value] = true
		}
	}
	out := make([][2]*yaml.Node, 0, len(merge)+len(own))
	for _, p := range merge {
		if k := deref(p[0]); k == nil || !have[k.Value] {
			out = append(out, p)
		}
	}
	return append(out, own...), nil
}

// pyKey is a key as Python's dict compares it: True == 1 == 1.0.
func pyKey(k any) any {
	switch x := k.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x)
		}
	case []byte:
		return struct{ b string }{string(x)}
	}
	return k
}

func (c *constructor) mapping(n *yaml.Node, depth int) (any, error) {
	pairs, err := flatten(n, depth)
	if err != nil {
		return nil, err
	}
	seen := make(map[any]bool, len(pairs))
	m := make(body.Map, 0, len(pairs))
	var keys, vals []any
	allStrings := true
	for _, p := range pairs {
		var k any
		if isValueKey(p[0]) {
			// flatten_mapping retags a "=" key as a string.
			k = "="
		} else if k, err = c.construct(p[0], depth+1); err != nil {
			return nil, err
		}
		switch k.(type) {
		case nil, bool, int64, uint64, float64, string, []byte:
		default:
			return nil, yamlErrorf("found unacceptable key")
		}
		v, err := c.construct(p[1], depth+1)
		if err != nil {
			return nil, err
		}
		pk := pyKey(k)
		if f, ok := pk.(float64); !ok || f == f { // NaN never equals itself
			if seen[pk] {
				return nil, yamlErrorf("found conflicting ID '%v'", k)
			}
			seen[pk] = true
		}
		if b, ok := k.([]byte); ok {
			k = string(b)
			allStrings = false
		}
		if s, ok := k.(string); ok && allStrings {
			m = append(m, body.Item{Key: s, Value: v})
		} else {
			allStrings = false
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	if allStrings {
		return m, nil
	}
	out := make(map[any]any, len(keys))
	for i := range keys {
		out[keys[i]] = vals[i]
	}
	return out, nil
}
