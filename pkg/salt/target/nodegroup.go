package target

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// compoundOpers are the words of a compound expression that are not
// targets (salt.utils.minions.nodegroup_comp's opers).
var compoundOpers = []string{"and", "or", "not", "(", ")"}

// Logf receives the errors Salt logs while expanding nodegroups (and then
// carries on without the group); nil drops them.
type Logf func(format string, args ...any)

// NodegroupComp is salt.utils.minions.nodegroup_comp: the compound words
// of the nodegroup name in nodegroups (the master's nodegroups option:
// each a compound string or a list of words), N@ words expanded in place,
// recursively. As in Salt:
//   - a group that names itself, directly or through others, is expanded
//     to nothing there, with Salt's error "Failed nodegroup expansion:
//     illegal nested nodegroup"; an unknown group likewise ("unknown
//     nodegroup");
//   - a group of plain words without operators, engines or wildcards is a
//     list of ids, one L@ word (an E@ word when one of them holds a regular
//     expression's characters);
//   - an expansion that took in another group is enclosed in parentheses,
//     as is every nested group that is not such a list.
//
// Nothing (nil) means the group expanded to nothing.
func NodegroupComp(name string, nodegroups map[string]any, logf Logf) []string {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return nodegroupComp(name, nodegroups, logf, map[string]bool{}, true)
}

func nodegroupComp(name string, nodegroups map[string]any, logf Logf, skip map[string]bool, first bool) []string {
	if skip[name] {
		logf("Failed nodegroup expansion: illegal nested nodegroup %q", name)
		return nil
	}
	def, ok := nodegroups[name]
	if !ok {
		logf("Failed nodegroup expansion: unknown nodegroup %q", name)
		return nil
	}
	var words []string
	switch x := def.(type) {
	case string:
		words = strings.Fields(x)
	case []string:
		words = x
	case []any:
		for _, w := range x {
			words = append(words, py.Str(w))
		}
	default:
		logf("Nodegroup '%s' (%s) is neither a string, list nor tuple", name, py.Repr(def))
		return nil
	}
	skip[name] = true
	defer delete(skip, name)
	var ret []string
	expanded := false
	for _, w := range words {
		switch {
		case slices.Contains(compoundOpers, w):
			ret = append(ret, w)
		case len(w) >= 3 && strings.HasPrefix(w, "N@"):
			expanded = true
			ret = append(ret, nodegroupComp(w[2:], nodegroups, logf, skip, false)...)
		default:
			ret = append(ret, w)
		}
	}
	if len(ret) > 0 {
		ret = append(append([]string{"("}, ret...), ")")
	}
	if expanded || !first {
		if !first {
			if joined := nodegroupRegex(words); joined != "" {
				return []string{joined}
			}
		}
		return ret
	}
	if joined := nodegroupRegex(words); joined != "" {
		return []string{joined}
	}
	return slices.Clone(words)
}

var (
	engineWord = regexp.MustCompile(`^[A-Z]@`)
	regexChars = "([{\\?}])"
)

// nodegroupRegex is salt.utils.minions._nodegroup_regex: words with no
// operator, no engine and no wildcard are one L@ word of ids joined by
// commas, or one E@ word when any holds a regular expression's
// characters; otherwise "".
func nodegroupRegex(words []string) string {
	for _, w := range words {
		if slices.Contains(compoundOpers, w) || strings.Contains(w, "*") || engineWord.MatchString(w) {
			return ""
		}
	}
	if len(words) == 0 {
		// Salt joins an empty list into a bare "L@", which matches no id.
		return "L@"
	}
	for _, w := range words {
		if strings.ContainsAny(w, regexChars) {
			return "E@" + strings.Join(words, ",")
		}
	}
	return "L@" + strings.Join(words, ",")
}

// UnknownNodegroupError is LocalClient._resolve_nodegroup's refusal of a
// nodegroup the config does not define.
type UnknownNodegroupError struct {
	Name, ConfFile string
}

func (e *UnknownNodegroupError) Error() string {
	return fmt.Sprintf("Node group %s unavailable in %s", e.Name, e.ConfFile)
}

// ResolveNodegroups is LocalClient._prep_pub's resolution of nodegroups,
// so that the minions do not have to: a nodegroup target becomes the
// compound expression of the group, and each N@ word of a compound
// expression is replaced by its group's words; the expression is then one
// string of words. Other target types are returned as they are. A group
// that is not in nodegroups is an *UnknownNodegroupError naming confFile
// (for a nested group Salt only logs, through logf).
func ResolveNodegroups(tgtType string, tgt any, nodegroups map[string]any, confFile string, logf Logf) (string, any, error) {
	resolve := func(name string) ([]string, error) {
		if _, ok := nodegroups[name]; !ok {
			return nil, &UnknownNodegroupError{Name: name, ConfFile: confFile}
		}
		return NodegroupComp(name, nodegroups, logf), nil
	}
	var words []string
	switch tgtType {
	case "nodegroup":
		name, ok := tgt.(string)
		if !ok {
			return "", nil, fmt.Errorf("nodegroup target must be a string, got %s", py.Repr(tgt))
		}
		w, err := resolve(name)
		if err != nil {
			return "", nil, err
		}
		words, tgtType = w, "compound"
	case "compound":
		w, err := compoundWords(tgt)
		if err != nil {
			return "", nil, err
		}
		words = w
	default:
		return tgtType, tgt, nil
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		if len(w) > 2 && strings.HasPrefix(w, "N@") {
			r, err := resolve(w[2:])
			if err != nil {
				return "", nil, err
			}
			out = append(out, r...)
			continue
		}
		out = append(out, w)
	}
	return tgtType, strings.Join(out, " "), nil
}

// nodegroupMatch is nodegroup_match.match: a group of m.Nodegroups
// matches as its compound expression; any other name does not.
func (m Matcher) nodegroupMatch(tgt any) (bool, error) {
	name, ok := tgt.(string)
	if !ok {
		return false, nil
	}
	if _, ok := m.Nodegroups[name]; !ok {
		return false, nil
	}
	return m.compoundMatch(strings.Join(NodegroupComp(name, m.Nodegroups, nil), " "))
}

// expandNodegroupWords replaces each N@ word by its group's words, as
// compound_match evaluates them in place; a group that expands to nothing
// leaves nothing.
func (m Matcher) expandNodegroupWords(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if engine, _, pattern := parseWord(w); engine == "N" {
			out = append(out, NodegroupComp(pattern, m.Nodegroups, nil)...)
			continue
		}
		out = append(out, w)
	}
	return out
}

// HasNodegroupWord reports whether a compound target has an N@ word.
func HasNodegroupWord(tgt any) bool {
	words, _ := compoundWords(tgt)
	for _, w := range words {
		if len(w) > 2 && strings.HasPrefix(w, "N@") {
			return true
		}
	}
	return false
}
