package output

import (
	"strings"
)

// The analysis of a scalar decides which styles may write it: PyYAML's
// Emitter.analyze_scalar (yaml/emitter.py, 6.0) with allow_unicode.

type scalarAnalysis struct {
	empty, multiline                  bool
	allowFlowPlain, allowBlockPlain   bool
	allowSingleQuoted, allowBlockText bool
}

func isBreak(r rune) bool { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

func isSpaceOrBreakZ(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isBreak(r)
}

// analyzeScalar is Emitter.analyze_scalar with allow_unicode: the
// indicators in the text, then its spaces and breaks, decide the styles.
func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, allowBlockPlain: true, allowSingleQuoted: true}
	}
	text := []rune(s)
	flowInd, blockInd := scalarIndicators(s, text)
	w := scalarSpacing(text)
	a := scalarAnalysis{multiline: w.lineBreaks, allowFlowPlain: true, allowBlockPlain: true, allowSingleQuoted: true, allowBlockText: true}
	if w.leadingSpace || w.leadingBreak || w.trailingSpace || w.trailingBreak {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if w.trailingSpace {
		a.allowBlockText = false
	}
	if w.breakSpace {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted = false, false, false
	}
	if w.spaceBreak || w.special {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingleQuoted, a.allowBlockText = false, false, false, false
	}
	if w.lineBreaks {
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

// scalarIndicators reports whether the text holds an indicator that keeps
// it from being written plain in flow context, and in block context.
func scalarIndicators(s string, text []rune) (flowInd, blockInd bool) {
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		flowInd, blockInd = true, true
	}
	precededByWS := true
	followedByWS := len(text) == 1 || isSpaceOrBreakZ(text[1])
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
		precededByWS = isSpaceOrBreakZ(ch)
		followedByWS = i+2 >= len(text) || isSpaceOrBreakZ(text[i+2])
	}
	return flowInd, blockInd
}

// spacing is what analyze_scalar learns of a text's spaces, line breaks
// and characters that cannot be written unescaped.
type spacing struct {
	lineBreaks, special                                      bool
	leadingSpace, leadingBreak, trailingSpace, trailingBreak bool
	breakSpace, spaceBreak                                   bool // a space after a break; a break after a space
}

func scalarSpacing(text []rune) spacing {
	var w spacing
	prevSpace, prevBreak := false, false
	// mark notes a space or a break at i: at the start, at the end, and
	// right after the other kind.
	mark := func(i int, afterOther bool, leading, trailing, mixed *bool) {
		*leading = *leading || i == 0
		*trailing = *trailing || i == len(text)-1
		*mixed = *mixed || afterOther
	}
	for i, ch := range text {
		if isBreak(ch) {
			w.lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7e)) {
			unicodeOK := (ch == 0x85 || (ch >= 0xa0 && ch <= 0xd7ff) || (ch >= 0xe000 && ch <= 0xfffd) ||
				(ch >= 0x10000 && ch < 0x10ffff)) && ch != 0xfeff
			if !unicodeOK {
				w.special = true
			}
		}
		switch {
		case ch == ' ':
			mark(i, prevBreak, &w.leadingSpace, &w.trailingSpace, &w.breakSpace)
			prevSpace, prevBreak = true, false
		case isBreak(ch):
			mark(i, prevSpace, &w.leadingBreak, &w.trailingBreak, &w.spaceBreak)
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
	}
	return w
}
