package py

import (
	"errors"
	"slices"
	"unicode/utf8"
)

// Fnmatch is Python's fnmatch.fnmatch(name, pat) on POSIX, which is
// fnmatch.fnmatchcase: Salt tests glob targets, salt-key globs and autosign
// lines with it, so all three go through this one function and cannot
// disagree. The match is case-sensitive and covers the whole name: `*`
// matches any run of characters (including `/` and newlines), `?` any one
// character, `[seq]` one character in seq and `[!seq]` one not in it. A
// backslash is an ordinary character, and a `[` with no closing `]` is a
// literal `[`.
//
// Sets are read exactly as fnmatch.translate writes them and re then reads
// them, quirks included: a `]` right after `[` or `[!` is a member, a
// reversed range such as `z-a` is dropped, and when dropping one leaves a
// `!` in front the set becomes negated ("[z-a!x]" is "[!x]", "[z-a!]"
// matches any character). A pattern whose set re would refuse (a bad range
// that dropping did not remove) raises in Python; here it matches nothing.
func Fnmatch(name, pat string) bool {
	toks, err := compileGlob(pat)
	if err != nil {
		return false
	}
	return matchGlob(toks, name)
}

// FnmatchFilter is fnmatch.filter: the names matching pat, in order
// (the sls names a top file, include or exclude glob names).
func FnmatchFilter(names []string, pat string) []string {
	toks, err := compileGlob(pat)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if matchGlob(toks, n) {
			out = append(out, n)
		}
	}
	return out
}

// errBadRange is compileGlob's error for a set Python's re would refuse
// after fnmatch.translate ("bad character range"). Dropping reversed
// ranges seems to leave none: no such pattern was found among every set of
// up to seven characters from "-!ab]\\^", so this is a guard, not a case.
var errBadRange = errors.New("bad character range in glob")

// compileGlob reads pat into tokens, one per character of the name.
func compileGlob(pat string) ([]globTok, error) {
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
			j := setEnd(rs, i)
			if j >= n {
				toks = append(toks, globTok{kind: globLit, r: '['})
				continue
			}
			tok, err := parseSet(translateSet(rs[i:j]))
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i = j + 1
		default:
			toks = append(toks, globTok{kind: globLit, r: c})
		}
	}
	return toks, nil
}

// setEnd is where fnmatch.translate ends the set that starts at i (just
// after its '['): the first ']' that is not the set's first member;
// len(rs) when there is none.
func setEnd(rs []rune, i int) int {
	j := i
	if j < len(rs) && rs[j] == '!' {
		j++
	}
	if j < len(rs) && rs[j] == ']' {
		j++
	}
	for j < len(rs) && rs[j] != ']' {
		j++
	}
	return j
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

// matchGlob reports whether the whole of name matches. It is the classic
// single-backtrack wildcard algorithm: on a mismatch it returns to the last
// `*` and lets it swallow one more rune, so it is linear in practice and
// never recurses, and hostile patterns such as `*a*a*a*b` cannot blow up.
func matchGlob(toks []globTok, name string) bool {
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

// classAtom is one character of the text between the brackets of the
// regular expression fnmatch.translate writes for a set; esc marks one it
// wrote with a backslash, which re always reads as a literal.
type classAtom struct {
	r   rune
	esc bool
}

// translateSet is what fnmatch.translate makes of the set seq (the text
// between '[' and ']'): it splits seq into chunks at the hyphens that make
// ranges, drops each reversed range by joining its neighbours, and escapes
// backslashes, the hyphens that are members, and '&', '~' and '|'.
func translateSet(seq []rune) []classAtom {
	if !slices.Contains(seq, '-') {
		return escapeChunk(nil, seq)
	}
	var chunks [][]rune
	i, k := 0, 1
	if seq[0] == '!' {
		k = 2
	}
	for {
		k = indexRune(seq, '-', k)
		if k < 0 {
			break
		}
		chunks = append(chunks, append([]rune(nil), seq[i:k]...))
		i, k = k+1, k+3
	}
	if i < len(seq) {
		chunks = append(chunks, append([]rune(nil), seq[i:]...))
	} else {
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], '-')
	}
	// Remove empty ranges, as translate does, from the right.
	for k := len(chunks) - 1; k > 0; k-- {
		prev, next := chunks[k-1], chunks[k]
		if len(prev) > 0 && len(next) > 0 && prev[len(prev)-1] > next[0] {
			chunks[k-1] = append(prev[:len(prev)-1:len(prev)-1], next[1:]...)
			chunks = append(chunks[:k], chunks[k+1:]...)
		}
	}
	var out []classAtom
	for n, c := range chunks {
		if n > 0 {
			out = append(out, classAtom{r: '-'})
		}
		out = escapeChunk(out, c)
	}
	return out
}

func escapeChunk(out []classAtom, chunk []rune) []classAtom {
	for _, r := range chunk {
		switch r {
		case '\\', '-', '&', '~', '|':
			out = append(out, classAtom{r: r, esc: true})
		default:
			out = append(out, classAtom{r: r})
		}
	}
	return out
}

// parseSet reads the translated set as Python's re does: empty never
// matches, a lone '!' matches anything, a leading '!' negates, and an atom,
// an unescaped '-' and another atom make a range ("bad character range"
// when it runs backwards), a '-' at the end being a member.
func parseSet(atoms []classAtom) (globTok, error) {
	bare := func(i int, r rune) bool { return i < len(atoms) && !atoms[i].esc && atoms[i].r == r }
	switch {
	case len(atoms) == 0:
		return globTok{kind: globSet}, nil
	case len(atoms) == 1 && bare(0, '!'):
		return globTok{kind: globAny}, nil
	}
	tok := globTok{kind: globSet}
	if bare(0, '!') {
		tok.negate = true
		atoms = atoms[1:]
	}
	for i := 0; i < len(atoms); {
		lo := atoms[i].r
		i++
		if !bare(i, '-') {
			tok.ranges = append(tok.ranges, runeRange{lo, lo})
			continue
		}
		if i+1 >= len(atoms) {
			tok.ranges = append(tok.ranges, runeRange{lo, lo}, runeRange{'-', '-'})
			break
		}
		hi := atoms[i+1].r
		if hi < lo {
			return globTok{}, errBadRange
		}
		tok.ranges = append(tok.ranges, runeRange{lo, hi})
		i += 2
	}
	return tok, nil
}

// indexRune is str.find(r, from): -1 when from is past the end.
func indexRune(rs []rune, r rune, from int) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}
