package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Reading one config file into values: yaml.v3 parses it, and plain
// scalars are resolved as PyYAML's SafeLoader (YAML 1.1) resolves them,
// since that is what Salt reads its config files with. tree.go holds the
// values and how included files merge.

// readFile reads one config file the way salt.config._read_conf_file does:
// an empty file is an empty mapping, anything but a mapping at the top is an
// error, and (PyYAML safe_load) a second document is an error. A missing
// file returns (nil, nil): the caller decides whether that matters.
func readFile(path string) (*value, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read: " + unwrapPathError(err)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return newMap(path, 1), nil
		}
		return nil, yamlError(path, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &Error{File: path, Line: extra.Line, Msg: "a second YAML document starts here; a Salt config file holds one mapping"}
	case err != io.EOF:
		return nil, yamlError(path, data, err)
	}
	if len(doc.Content) == 0 {
		return newMap(path, 1), nil
	}
	root, err := (&converter{file: path}).convert(doc.Content[0], 0)
	if err != nil {
		return nil, err
	}
	switch root.kind {
	case kindMap:
		return root, nil
	case kindNull:
		return newMap(path, 1), nil
	}
	return nil, &Error{File: path, Line: root.line, Msg: "want a mapping of option: value at the top of the file, got " + root.describe()}
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// yaml.v3 parser problems (parserc.go). For these, v3.0.1 prints a 0-based
// line (it adds one only for scanner errors), so we add it.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var (
	yamlLineRe   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorRe = regexp.MustCompile(`^yaml: unknown anchor '([^']*)' referenced$`)
)

// yamlError turns a yaml.v3 syntax error into file:line: problem. yaml.v3
// omits the line when the problem is on the first line, and prints parser
// (not scanner) problems 0-based; both are corrected here so the number is
// the line an editor shows.
func yamlError(path string, data []byte, err error) error {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line++
		}
		return &Error{File: path, Line: line, Msg: "YAML: " + m[2]}
	}
	if m := yamlAnchorRe.FindStringSubmatch(msg); m != nil {
		return &Error{File: path, Line: lineOf(data, "*"+m[1]), Msg: fmt.Sprintf("YAML: alias *%s refers to no anchor &%s", m[1], m[1])}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if parserProblems[msg] || !strings.Contains(msg, "anchor") {
		return &Error{File: path, Line: 1, Msg: "YAML: " + msg}
	}
	return &Error{File: path, Msg: "YAML: " + msg}
}

// lineOf is the 1-based line of the first occurrence of s in data, 0 if none.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// maxDepth and maxValues bound nesting and alias expansion, so that a
// hostile or mistaken file ("billion laughs") is an error, not a hang.
const (
	maxDepth  = 64
	maxValues = 1 << 17
)

// converter turns one file's yaml.v3 nodes into values, resolving plain
// scalars the way PyYAML's SafeLoader (YAML 1.1) does, because that is what
// Salt's config loader uses: `yes`, `off` are booleans, `0755` is octal.
type converter struct {
	file  string
	count int
}

func (c *converter) convert(n *yaml.Node, depth int) (*value, error) {
	c.count++
	if depth > maxDepth || c.count > maxValues {
		return nil, &Error{File: c.file, Line: n.Line, Msg: fmt.Sprintf("YAML: nested deeper than %d levels or aliases expand to more than %d values", maxDepth, maxValues)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		v, err := c.convert(n.Alias, depth+1)
		if err != nil {
			return nil, err
		}
		return relocate(v, n.Line), nil
	case yaml.ScalarNode:
		return scalar(c.file, n)
	case yaml.SequenceNode:
		v := &value{file: c.file, line: n.Line, kind: kindSeq}
		for _, e := range n.Content {
			item, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		return v, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &value{file: c.file, line: n.Line, kind: kindNull}, nil
		}
		return c.convert(n.Content[0], depth+1)
	}
	return nil, &Error{File: c.file, Line: n.Line, Msg: "YAML: unexpected node"}
}

// relocate makes an alias's copy point at the alias, not at the anchor: the
// alias is where the option was given.
func relocate(v *value, line int) *value {
	c := *v
	c.line = line
	return &c
}

func (c *converter) mapping(n *yaml.Node, depth int) (*value, error) {
	file := c.file
	v := newMap(file, n.Line)
	var merges []*value
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && k.Style == 0 {
			// YAML 1.1 merge key: the keys of the merged mapping(s)
			// fill in what this mapping does not say itself.
			m, err := c.convert(vn, depth+1)
			if err != nil {
				return nil, err
			}
			switch m.kind {
			case kindMap:
				merges = append(merges, m)
			case kindSeq:
				for _, it := range m.items {
					if it.kind != kindMap {
						return nil, &Error{File: file, Line: it.line, Msg: "YAML: a merge key (<<) takes mappings, got " + it.describe()}
					}
					merges = append(merges, it)
				}
			default:
				return nil, &Error{File: file, Line: vn.Line, Msg: "YAML: a merge key (<<) takes a mapping, got " + m.describe()}
			}
			continue
		}
		kv, err := c.convert(k, depth+1)
		if err != nil {
			return nil, err
		}
		switch kv.kind {
		case kindMap, kindSeq:
			return nil, &Error{File: file, Line: k.Line, Msg: "YAML: a key must be a plain value, got " + kv.describe()}
		}
		key := kv.text
		if prev := v.get(key); prev != nil {
			// PyYAML keeps the last silently; a key given twice is
			// almost always a mistake, and which one wins surprises.
			return nil, &Error{File: file, Line: k.Line, Key: key, Msg: fmt.Sprintf("given twice in one mapping (first at line %d)", prev.line)}
		}
		val, err := c.convert(vn, depth+1)
		if err != nil {
			return nil, err
		}
		v.set(&field{key: key, file: file, line: k.Line, val: val})
	}
	for _, m := range merges {
		for _, f := range m.fields {
			if v.get(f.key) == nil {
				v.set(f)
			}
		}
	}
	return v, nil
}

// PyYAML 1.1 implicit resolvers (yaml/resolver.py), the patterns Salt's
// config files are read with.
var (
	pyNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	pyBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	pyInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	pyFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

func scalar(file string, n *yaml.Node) (*value, error) {
	v := &value{file: file, line: n.Line, text: n.Value, kind: kindString}
	var tag string
	switch {
	case n.Style&yaml.TaggedStyle != 0:
		tag = n.Tag
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return v, nil
	default:
		tag = resolvePlain(n.Value)
	}
	switch tag {
	case "!!str", "!!binary", "!!timestamp":
		return v, nil
	case "!!null":
		v.kind = kindNull
	case "!!bool":
		b, ok := parseBool(n.Value)
		if !ok {
			return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("YAML: %q is not a !!bool", n.Value)}
		}
		v.kind, v.b = kindBool, b
	case "!!int":
		i, ok := pyParseInt(n.Value)
		if !ok {
			// Out of range for int64 (Python would keep a big int):
			// keep the text; an int option then says it is too big.
			return v, nil
		}
		v.kind, v.i = kindInt, i
	case "!!float":
		f, ok := pyParseFloat(n.Value)
		if !ok {
			return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("YAML: %q is not a !!float", n.Value)}
		}
		v.kind, v.f = kindFloat, f
	default:
		// safe_load refuses tags it does not know (!!python/..., !foo).
		return nil, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("YAML: tag %s is not supported in a Salt config", n.Tag)}
	}
	return v, nil
}

func resolvePlain(s string) string {
	switch {
	case pyNull.MatchString(s):
		return "!!null"
	case pyBool.MatchString(s):
		return "!!bool"
	case pyInt.MatchString(s):
		return "!!int"
	case pyFloat.MatchString(s):
		return "!!float"
	}
	return "!!str"
}

// parseBool accepts the YAML 1.1 boolean words in any case. PyYAML resolves
// only three spellings of each (yes, Yes, YES); a bool option is lenient
// because "yEs" can only mean one thing.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "on":
		return true, true
	case "no", "false", "off":
		return false, true
	}
	return false, false
}

// pyParseInt is PyYAML's construct_yaml_int: underscores ignored, 0b binary,
// 0x hex, a leading 0 octal, colons sexagesimal.
func pyParseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	sign := int64(1)
	if strings.HasPrefix(s, "-") {
		sign = -1
	}
	s = strings.TrimLeft(s, "+-")
	var (
		u   uint64
		err error
	)
	switch {
	case s == "0":
		return 0, true
	case strings.HasPrefix(s, "0b"):
		u, err = strconv.ParseUint(s[2:], 2, 63)
	case strings.HasPrefix(s, "0x"):
		u, err = strconv.ParseUint(s[2:], 16, 63)
	case strings.HasPrefix(s, "0"):
		u, err = strconv.ParseUint(s[1:], 8, 63)
	case strings.Contains(s, ":"):
		for _, part := range strings.Split(s, ":") {
			d, perr := strconv.ParseUint(part, 10, 63)
			if perr != nil || u > (math.MaxInt64-d)/60 {
				return 0, false
			}
			u = u*60 + d
		}
	default:
		u, err = strconv.ParseUint(s, 10, 63)
	}
	if err != nil {
		return 0, false
	}
	return sign * int64(u), true
}

// pyParseFloat is PyYAML's construct_yaml_float.
func pyParseFloat(s string) (float64, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if strings.HasPrefix(s, "-") {
		sign = -1
	}
	s = strings.TrimLeft(s, "+-")
	switch {
	case s == ".inf":
		return sign * math.Inf(1), true
	case s == ".nan":
		return math.NaN(), true
	case strings.Contains(s, ":"):
		var f float64
		for _, part := range strings.Split(s, ":") {
			d, err := strconv.ParseFloat(part, 64)
			if err != nil {
				return 0, false
			}
			f = f*60 + d
		}
		return sign * f, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return sign * f, true
}
