package target

import "unicode/utf8"

// Glob reports whether name matches the shell pattern, with the semantics of
// Python's fnmatch.fnmatch on Linux (salt/matchers/glob_match.py): case
// sensitive, `*` matches any run of characters including `/` and newlines,
// `?` any one character, `[seq]` a set with ranges, `[!seq]` its complement.
// A backslash is an ordinary character, and a `[` with no closing `]` is a
// literal `[`, as fnmatch.translate makes them.
func Glob(pattern, name string) bool {
	return globMatch(parseGlob(pattern), name)
}

type globKind uint8

const (
	globLit globKind = iota
	globAny
	globStar
	globSet
)

type runeRange struct{ lo, hi rune }

type globTok struct {
	kind   globKind
	r      rune        // globLit
	negate bool        // globSet
	ranges []runeRange // globSet; empty never matches (or always, negated)
}

// parseGlob follows fnmatch.translate: it decides where a set ends exactly
// as Python does, including the rule that a `]` right after `[` or `[!` is a
// member, and that descending ranges such as `z-a` match nothing.
func parseGlob(pat string) []globTok {
	rs := []rune(pat)
	var toks []globTok
	n := len(rs)
	for i := 0; i < n; {
		c := rs[i]
		i++
		switch c {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != globStar {
				toks = append(toks, globTok{kind: globStar})
			}
		case '?':
			toks = append(toks, globTok{kind: globAny})
		case '[':
			j := i
			if j < n && rs[j] == '!' {
				j++
			}
			if j < n && rs[j] == ']' {
				j++
			}
			for j < n && rs[j] != ']' {
				j++
			}
			if j >= n {
				toks = append(toks, globTok{kind: globLit, r: '['})
				continue
			}
			body := rs[i:j]
			i = j + 1
			tok := globTok{kind: globSet}
			if len(body) > 0 && body[0] == '!' {
				tok.negate = true
				body = body[1:]
			}
			for k := 0; k < len(body); {
				if k+2 < len(body) && body[k+1] == '-' {
					if body[k] <= body[k+2] {
						tok.ranges = append(tok.ranges, runeRange{body[k], body[k+2]})
					}
					k += 3
					continue
				}
				tok.ranges = append(tok.ranges, runeRange{body[k], body[k]})
				k++
			}
			toks = append(toks, tok)
		default:
			toks = append(toks, globTok{kind: globLit, r: c})
		}
	}
	return toks
}

func (t *globTok) matches(r rune) bool {
	switch t.kind {
	case globLit:
		return t.r == r
	case globAny:
		return true
	case globSet:
		in := false
		for _, rg := range t.ranges {
			if rg.lo <= r && r <= rg.hi {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// globMatch is the classic single-backtrack wildcard algorithm: on a
// mismatch it returns to the last `*` and lets it swallow one more rune.
// It is linear in practice and never recurses, so hostile patterns such as
// `*a*a*a*b` cannot blow up.
func globMatch(toks []globTok, name string) bool {
	ti, ni := 0, 0
	starT, starN := -1, 0
	for ni < len(name) || ti < len(toks) {
		if ti < len(toks) {
			t := &toks[ti]
			if t.kind == globStar {
				starT, starN = ti, ni
				ti++
				continue
			}
			if ni < len(name) {
				r, size := utf8.DecodeRuneInString(name[ni:])
				if t.matches(r) {
					ti++
					ni += size
					continue
				}
			}
		}
		if starT >= 0 && starN < len(name) {
			_, size := utf8.DecodeRuneInString(name[starN:])
			starN += size
			ti, ni = starT+1, starN
			continue
		}
		return false
	}
	return true
}
