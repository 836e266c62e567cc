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

const (
	yamlBestIndent = 2
	yamlBestWidth  = 80
)

type yamlEmitter struct {
	out        strings.Builder
	column     int
	indent     int // -1 stands for PyYAML's None
	indents    []int
	whitespace bool
	indention  bool
	openEnded  bool
	flowLevel  int

	rootCtx, seqCtx, mapCtx, simpleKeyCtx bool
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0:
		if flow {
			e.indent = yamlBestIndent
		} else {
			e.indent = 0
		}
	case !indentless:
		e.indent += yamlBestIndent
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

// node is expect_node.
func (e *yamlEmitter) node(n yamlNode, root, seq, mapping, simpleKey bool) {
	e.rootCtx, e.seqCtx, e.mapCtx, e.simpleKeyCtx = root, seq, mapping, simpleKey
	switch n.kind {
	case 's':
		e.increaseIndent(true, false)
		e.scalar(n)
		e.popIndent()
	case 'q':
		if e.flowLevel > 0 || len(n.items) == 0 {
			e.emptyFlow("[", "]")
			return
		}
		e.increaseIndent(false, e.mapCtx && !e.indention)
		for _, it := range n.items {
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			e.node(it, false, true, false, false)
		}
		e.popIndent()
	case 'm':
		if e.flowLevel > 0 || len(n.items) == 0 {
			e.emptyFlow("{", "}")
			return
		}
		e.increaseIndent(false, false)
		for i, k := range n.keys {
			e.writeIndent()
			if yamlSimpleKey(k) {
				e.node(k, false, false, true, true)
				e.writeIndicator(":", false, false, false)
			} else {
				e.writeIndicator("?", true, false, true)
				e.node(k, false, false, true, false)
				e.writeIndent()
				e.writeIndicator(":", true, false, true)
			}
			e.node(n.items[i], false, false, true, false)
		}
		e.popIndent()
	}
}

// emptyFlow writes an empty sequence or mapping, the only ones written in
// flow style: expect_flow_sequence or expect_flow_mapping meeting the end
// at once.
func (e *yamlEmitter) emptyFlow(open, end string) {
	e.writeIndicator(open, true, true, false)
	e.flowLevel++
	e.increaseIndent(true, false)
	e.popIndent()
	e.flowLevel--
	e.writeIndicator(end, false, false, false)
}

// yamlSimpleKey is check_simple_key for a scalar key: shorter than 128
// characters counting its "!!str" tag, not empty and on one line.
func yamlSimpleKey(k yamlNode) bool {
	if k.kind != 's' {
		return false
	}
	a := analyzeScalar(k.text)
	return 5+len([]rune(k.text)) < 128 && !a.empty && !a.multiline
}

// scalar is process_scalar after choose_scalar_style.
func (e *yamlEmitter) scalar(n yamlNode) {
	a := analyzeScalar(n.text)
	implicit := !n.isStr || yamlPlainIsStr(n.text)
	split := !e.simpleKeyCtx
	style := byte('"')
	switch {
	case implicit && !(e.simpleKeyCtx && (a.empty || a.multiline)) &&
		((e.flowLevel > 0 && a.allowFlowPlain) || (e.flowLevel == 0 && a.allowBlockPlain)):
		style = 0
	case a.allowSingleQuoted && !(e.simpleKeyCtx && a.multiline):
		style = '\''
	}
	text := []rune(n.text)
	switch style {
	case 0:
		e.writePlain(text, split)
	case '\'':
		e.writeSingleQuoted(text, split)
	default:
		e.writeDoubleQuoted(text, split)
	}
}

type scalarAnalysis struct {
	empty, multiline                  bool
	allowFlowPlain, allowBlockPlain   bool
	allowSingleQuoted, allowBlockText bool
}

func isBreak(r rune) bool { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

func isSpaceOrBreakZ(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isBreak(r)
}

// analyzeScalar is Emitter.analyze_scalar with allow_unicode.
func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, allowBlockPlain: true, allowSingleQuoted: true}
	}
	text := []rune(s)
	var blockInd, flowInd, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockInd, flowInd = true, true
	}
	precededByWS := true
	followedByWS := len(text) == 1 || isSpaceOrBreakZ(text[1])
	prevSpace, prevBreak := false, false
	for i, ch := range text {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				flowInd, blockInd = true, true
			}
			if ch == '?' || ch == ':' {
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			}
			if ch == '-' && followedByWS {
				flowInd, blockInd = true, true
			}
		} else {
			if strings.ContainsRune(",?[]{}", ch) {
				flowInd = true
			}
			if ch == ':' {
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			}
			if ch == '#' && precededByWS {
				flowInd, blockInd = true, true
			}
		}
		if isBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7e)) {
			unicodeOK := (ch == 0x85 || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd) ||
				(ch >= 0x10000 && ch < 0x10ffff)) && ch != 0xfeff
			if !unicodeOK {
				special = true
			}
		}
		switch {
		case ch == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(text)-1 {
				trailingSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case isBreak(ch):
			if i == 0 {
				leadingBreak = true
			}
			if i == len(text)-1 {
				trailingBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = isSpaceOrBreakZ(ch)
		followedByWS = i+2 >= len(text) || isSpaceOrBreakZ(text[i+2])
	}
	a := scalarAnalysis{multiline: lineBreaks, allowFlowPlain: true, allowBlockPlain: true, allowSingleQuoted: true, allowBlockText: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if trailingSpace {
		a.allowBlockText = false
	}
	if breakSpace {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted = false, false, false
	}
	if spaceBreak || special {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted, a.allowBlockText = false, false, false, false
	}
	if lineBreaks {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if flowInd {
		a.allowFlowPlain = false
	}
	if blockInd {
		a.allowBlockPlain = false
	}
	return a
}

func (e *yamlEmitter) write(s string) {
	e.column += len([]rune(s))
	e.out.WriteString(s)
}

func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		ind = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.openEnded = false
	e.write(ind)
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeLineBreak("")
	}
	if e.column < indent {
		e.whitespace = true
		e.out.WriteString(strings.Repeat(" ", indent-e.column))
		e.column = indent
	}
}

func (e *yamlEmitter) writeLineBreak(data string) {
	if data == "" {
		data = "\n"
	}
	e.whitespace = true
	e.indention = true
	e.column = 0
	e.out.WriteString(data)
}

// writeBreaks writes the line breaks text[start:end] as write_plain and
// write_single_quoted do: a leading \n doubled (a single break in a flow
// scalar folds into a space), each break as itself.
func (e *yamlEmitter) writeBreaks(text []rune) {
	if text[0] == '\n' {
		e.writeLineBreak("")
	}
	for _, br := range text {
		if br == '\n' {
			e.writeLineBreak("")
		} else {
			e.writeLineBreak(string(br))
		}
	}
}

func (e *yamlEmitter) writePlain(text []rune, split bool) {
	if e.rootCtx {
		e.openEnded = true
	}
	if len(text) == 0 {
		return
	}
	if !e.whitespace {
		e.write(" ")
	}
	e.whitespace = false
	e.indention = false
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		var ch rune = -1
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > yamlBestWidth && split {
					e.writeIndent()
					e.whitespace = false
					e.indention = false
				} else {
					e.write(string(text[start:end]))
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isBreak(ch) {
				e.writeBreaks(text[start:end])
				e.writeIndent()
				e.whitespace = false
				e.indention = false
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isBreak(ch) {
				e.write(string(text[start:end]))
				start = end
			}
		}
		if ch != -1 {
			spaces = ch == ' '
			breaks = isBreak(ch)
		}
	}
}

func (e *yamlEmitter) writeSingleQuoted(text []rune, split bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		var ch rune = -1
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch == -1 || ch != ' ' {
				if start+1 == end && e.column > yamlBestWidth && split && start != 0 && end != len(text) {
					e.writeIndent()
				} else {
					e.write(string(text[start:end]))
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isBreak(ch) {
				e.writeBreaks(text[start:end])
				e.writeIndent()
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isBreak(ch) || ch == '\'' {
				if start < end {
					e.write(string(text[start:end]))
					start = end
				}
			}
		}
		if ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if ch != -1 {
			spaces = ch == ' '
			breaks = isBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

var yamlEscapes = map[rune]string{
	0: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

func (e *yamlEmitter) writeDoubleQuoted(text []rune, split bool) {
	e.writeIndicator("\"", true, false, false)
	start := 0
	for end := 0; end <= len(text); end++ {
		var ch rune = -1
		if end < len(text) {
			ch = text[end]
		}
		if ch == -1 || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff ||
			!((ch >= 0x20 && ch <= 0x7e) || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd)) {
			if start < end {
				e.write(string(text[start:end]))
				start = end
			}
			if ch != -1 {
				var data string
				if esc, ok := yamlEscapes[ch]; ok {
					data = "\\" + esc
				} else if ch <= 0xff {
					data = fmt.Sprintf("\\x%02X", ch)
				} else if ch <= 0xffff {
					data = fmt.Sprintf("\\u%04X", ch)
				} else {
					data = fmt.Sprintf("\\U%08X", ch)
				}
				e.write(data)
				start = end + 1
			}
		}
		if end > 0 && end < len(text)-1 && (ch == ' ' || start >= end) &&
			e.column+(end-start) > yamlBestWidth && split {
			data := string(text[start:end]) + "\\"
			if start < end {
				start = end
			}
			e.write(data)
			e.writeIndent()
			e.whitespace = false
			e.indention = false
			if text[start] == ' ' {
				e.write("\\")
			}
		}
	}
	e.writeIndicator("\"", false, false, false)
}
