package target

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// targetWord is salt.utils.minions.TARGET_REX: an optional engine letter,
// for G, P, I and J an optional one-character delimiter, then '@', then a
// non-empty pattern. Go's regexp has no lookbehind, so the delimiter rule
// is applied after matching.
var targetWord = regexp.MustCompile(`^(?:([GPIJLNSER])(.)?@)?(.+)$`)

// parseWord splits a compound word into engine, delimiter and pattern as
// salt.utils.minions.parse_target does; a word without a recognised engine
// prefix is a glob.
func parseWord(word string) (engine, delim, pattern string) {
	if m := targetWord.FindStringSubmatch(word); m != nil && m[1] != "" {
		engine, delim, pattern = m[1], m[2], m[3]
		if delim == "" || strings.ContainsAny(engine, "GPIJ") {
			return engine, delim, pattern
		}
	}
	return "", "", word
}

var compoundEngines = map[string]string{
	"G": "grain",
	"P": "grain_pcre",
	"I": "pillar",
	"J": "pillar_pcre",
	"L": "list",
	"S": "ipcidr",
	"E": "pcre",
}

// compoundMatch follows compound_match: each word is evaluated by its
// engine (a bare word as a glob) and the results are combined with and,
// or, not and parentheses, with Python's precedence (not binds tightest,
// then and, then or). As in Salt, a `not` that follows a value implies an
// `and` ("web* not G@os:Debian"), parentheses must be words of their own,
// and an expression starting with a binary operator is refused.
func (m Matcher) compoundMatch(tgt any) (bool, error) {
	words, err := compoundWords(tgt)
	if err != nil {
		return false, err
	}
	if m.Nodegroups != nil {
		words = m.expandNodegroupWords(words)
	}
	var toks []string // "True", "False", "and", "or", "not", "(", ")"
	for _, word := range words {
		switch word {
		case "and", "or", "not", "(", ")":
			if len(toks) == 0 {
				if word != "(" && word != "not" {
					return false, fmt.Errorf("invalid compound target %q: it begins with the operator %q", joinTgt(tgt), word)
				}
				toks = append(toks, word)
				continue
			}
			last := toks[len(toks)-1]
			if last == "(" && (word == "and" || word == "or") {
				return false, fmt.Errorf("invalid compound target %q: %q right after \"(\"", joinTgt(tgt), word)
			}
			if word == "not" && last != "and" && last != "or" && last != "(" {
				toks = append(toks, "and")
			}
			toks = append(toks, word)
			continue
		}
		engine, delim, pattern := parseWord(word)
		var (
			ok  bool
			err error
		)
		switch engine {
		case "":
			ok = Glob(word, m.ID)
		case "I", "J":
			if !m.HasPillar {
				return false, unsupported(fmt.Sprintf("pillar target %q in compound expression", word))
			}
			if m.pillarGreedy() {
				ok = true // as a G@ word without grains
				break
			}
			ok, err = m.compoundWord(tgt, engine, delim, pattern)
		case "N":
			if m.Nodegroups != nil {
				continue // a group that expanded to nothing: Salt skips the word
			}
			return false, unsupported(fmt.Sprintf("nodegroup %q in compound expression (nodegroups are expanded by the master)", word))
		case "R":
			return false, unsupported(fmt.Sprintf("range target %q in compound expression", word))
		case "G", "P", "S":
			if m.greedy() {
				// A word that needs the grains the master lacks
				// matches, whatever its pattern.
				ok = true
				break
			}
			fallthrough
		default:
			ok, err = m.compoundWord(tgt, engine, delim, pattern)
		}
		if err != nil {
			return false, err
		}
		if ok {
			toks = append(toks, "True")
		} else {
			toks = append(toks, "False")
		}
	}
	p := boolParser{toks: toks}
	v, err := p.parse()
	if err != nil {
		return false, fmt.Errorf("invalid compound target %q: %v", joinTgt(tgt), err)
	}
	return v, nil
}

// compoundWord evaluates one word of a compound expression with its
// engine; a failure Salt's matcher turns into False is false here too.
func (m Matcher) compoundWord(tgt any, engine, delim, pattern string) (bool, error) {
	if delim == "" {
		delim = m.delimiter()
	}
	ok, err := m.match(compoundEngines[engine], pattern, delim)
	var se *softError
	if errors.As(err, &se) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("compound target %q: %w", joinTgt(tgt), err)
	}
	return ok, nil
}

// compoundWords splits a compound target into its words: a string at
// white space, a list as it is (every word a string).
func compoundWords(tgt any) ([]string, error) {
	if s, ok := tgt.(string); ok {
		return strings.Fields(s), nil
	}
	list, ok := py.ListItems(tgt)
	if !ok {
		return nil, fmt.Errorf("compound target must be a string or a list, got %s", py.Repr(tgt))
	}
	words := make([]string, 0, len(list))
	for _, w := range list {
		s, ok := w.(string)
		if !ok {
			return nil, fmt.Errorf("compound target word %s is not a string", py.Repr(w))
		}
		words = append(words, s)
	}
	return words, nil
}

// NeedsPillar reports whether matching tgt, read as tgtType, looks at the
// minion's pillar: pillar and pillar_pcre targets, and compound
// expressions with an I@ or J@ word. The master reads its pillar cache
// only for those.
func NeedsPillar(tgtType string, tgt any) bool {
	switch tgtType {
	case "pillar", "pillar_pcre":
		return true
	case "compound":
		words, _ := compoundWords(tgt)
		for _, w := range words {
			if engine, _, _ := parseWord(w); engine == "I" || engine == "J" {
				return true
			}
		}
	}
	return false
}

// NeedsGrains reports whether matching tgt, read as tgtType, looks at the
// minion's grains: grain, grain_pcre and ipcidr targets, and compound
// expressions with a G@, P@ or S@ word. The master reads its grains cache
// only for those.
func NeedsGrains(tgtType string, tgt any) bool {
	switch tgtType {
	case "grain", "grain_pcre", "ipcidr":
		return true
	case "compound":
		words, _ := compoundWords(tgt)
		for _, w := range words {
			if engine, _, _ := parseWord(w); engine == "G" || engine == "P" || engine == "S" {
				return true
			}
		}
	}
	return false
}

func joinTgt(tgt any) string {
	if s, ok := tgt.(string); ok {
		return s
	}
	return py.Repr(tgt)
}

// boolParser evaluates the token list as Python's eval would the string
// Salt builds from it; anything eval would reject is an error here.
type boolParser struct {
	toks []string
	pos  int
}

func (p *boolParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *boolParser) parse() (bool, error) {
	if len(p.toks) == 0 {
		return false, errors.New("empty expression")
	}
	v, err := p.or()
	if err != nil {
		return false, err
	}
	if p.pos != len(p.toks) {
		return false, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return v, nil
}

func (p *boolParser) or() (bool, error) {
	v, err := p.and()
	if err != nil {
		return false, err
	}
	for p.peek() == "or" {
		p.pos++
		w, err := p.and()
		if err != nil {
			return false, err
		}
		v = v || w
	}
	return v, nil
}

func (p *boolParser) and() (bool, error) {
	v, err := p.not()
	if err != nil {
		return false, err
	}
	for p.peek() == "and" {
		p.pos++
		w, err := p.not()
		if err != nil {
			return false, err
		}
		v = v && w
	}
	return v, nil
}

func (p *boolParser) not() (bool, error) {
	if p.peek() == "not" {
		p.pos++
		v, err := p.not()
		return !v, err
	}
	return p.atom()
}

func (p *boolParser) atom() (bool, error) {
	switch t := p.peek(); t {
	case "True", "False":
		p.pos++
		return t == "True", nil
	case "(":
		p.pos++
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if p.peek() != ")" {
			return false, errors.New("unbalanced parentheses")
		}
		p.pos++
		return v, nil
	case "":
		return false, errors.New("unexpected end of expression")
	default:
		return false, fmt.Errorf("unexpected %q", t)
	}
}
