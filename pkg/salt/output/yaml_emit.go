package output

import (
	"fmt"
	"strings"
)

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
		ch := runeAt(text, end)
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
		ch := runeAt(text, end)
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
		ch := runeAt(text, end)
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

// runeAt is text[i], or -1 past its end: the writers look one past the
// last character, as PyYAML's do, to write out what is pending.
func runeAt(text []rune, i int) rune {
	if i < len(text) {
		return text[i]
	}
	return -1
}
