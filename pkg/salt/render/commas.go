package render

import (
	"regexp"
	"strings"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// dropTrailingCommas removes the comma before a closing brace in Jinja
// code ("{'a': 1,}"), which Jinja2 takes and gonja 2.9 refuses; Salt's
// map.jinja files are full of them. Only the comma goes, so lines and
// columns after it stay where they were on their line.
var reCommaBrace = regexp.MustCompile(`,\s*}`)

func dropTrailingCommas(text string) string {
	if !reCommaBrace.MatchString(text) {
		return text
	}
	st := tokens.LexAll(text, jinjaConfig())
	var drop []int
	var prev *tokens.Token
	for !st.End() {
		tok := st.Next() // the stream skips whitespace
		if tok.Type == tokens.RightBrace && prev != nil && prev.Type == tokens.Comma {
			drop = append(drop, prev.Pos)
		}
		prev = tok
	}
	if len(drop) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, pos := range drop {
		if pos < last || pos >= len(text) || text[pos] != ',' {
			continue
		}
		b.WriteString(text[last:pos])
		last = pos + 1
	}
	b.WriteString(text[last:])
	return b.String()
}
