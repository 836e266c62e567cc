package target

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// DefaultDelimiter separates nested keys in grain targets and grain paths
// (salt.defaults.DEFAULT_TARGET_DELIM).
const DefaultDelimiter = ":"

// dict is a read-only view of the mappings grains come in: Go maps built by
// the grains package, ordered Maps decoded from msgpack, or map[any]any when
// a decoded mapping had non-string keys.
type dict interface {
	get(key string) (any, bool)
	keys() []string
}

type goDict map[string]any

func (d goDict) get(k string) (any, bool) { v, ok := d[k]; return v, ok }
func (d goDict) keys() []string           { return slices.Sorted(maps.Keys(d)) }

type mapDict body.Map

func (d mapDict) get(k string) (any, bool) { return body.Map(d).Get(k) }
func (d mapDict) keys() []string           { return body.Map(d).Keys() }

type anyDict map[any]any

func (d anyDict) get(k string) (any, bool) {
	if v, ok := d[k]; ok {
		return v, true
	}
	for key, v := range d {
		if py.Str(key) == k {
			return v, true
		}
	}
	return nil, false
}

func (d anyDict) keys() []string {
	ks := make([]string, 0, len(d))
	for k := range d {
		ks = append(ks, py.Str(k))
	}
	sort.Strings(ks)
	return ks
}

func asDict(v any) (dict, bool) {
	switch x := v.(type) {
	case goDict, mapDict, anyDict:
		return x.(dict), true
	case map[string]any:
		return goDict(x), true
	case body.Map:
		return mapDict(x), true
	case *body.Map:
		if x != nil {
			return mapDict(*x), true
		}
	case map[any]any:
		return anyDict(x), true
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return goDict(m), true
	}
	return nil, false
}

// Traverse walks data along key split on delimiter, as Salt's
// salt.utils.data.traverse_dict_and_list does for grains.get and grain
// targets: a mapping is indexed by the next part; in a list, a numeric part
// is an index (negative counts from the end) and any other part selects the
// first member mapping that has it. Whatever cannot be followed gives def.
func Traverse(data any, key, delimiter string, def any) any {
	if delimiter == "" {
		delimiter = DefaultDelimiter
	}
	ptr := data
	for _, each := range strings.Split(key, delimiter) {
		if list, ok := py.ListItems(ptr); ok {
			idx, err := py.Int(each)
			if err != nil {
				found := false
				for _, member := range list {
					if d, ok := asDict(member); ok {
						if v, ok := d.get(each); ok {
							ptr, found = v, true
							break
						}
					}
				}
				if !found {
					return def
				}
				continue
			}
			if idx < 0 {
				idx += int64(len(list))
			}
			if idx < 0 || idx >= int64(len(list)) {
				return def
			}
			ptr = list[idx]
			continue
		}
		d, ok := asDict(ptr)
		if !ok {
			return def
		}
		v, ok := d.get(each)
		if !ok {
			return def
		}
		ptr = v
	}
	return ptr
}

// notFound marks "no such path" for SubdictMatch, which Salt spells as a
// traversal default of {}.
type notFoundT struct{}

var notFound = notFoundT{}

// SubdictMatch reports whether expr, a path and a value joined by
// delimiter, matches data, as salt.utils.data.subdict_match does for grain
// (glob) and grain_pcre (regex) targets. Every split of expr into path and
// value is tried, longest path first; a list along the way matches when any
// member does; the comparison is of str(value).lower() against the pattern,
// so it is case-insensitive and booleans read as "true"/"false". An
// expression without the delimiter matches nothing. A value pattern that is
// not a valid regular expression is reported in err when nothing matched
// (Salt logs it and treats that split as a mismatch).
func SubdictMatch(data any, expr, delimiter string, regex bool) (matched bool, err error) {
	if delimiter == "" {
		delimiter = DefaultDelimiter
	}
	m := subdictMatcher{regex: regex, delimiter: delimiter}
	ok := m.subdict(data, expr)
	if !ok && m.err != nil {
		return false, m.err
	}
	return ok, nil
}

type subdictMatcher struct {
	regex     bool
	delimiter string
	cache     map[string]*regexp.Regexp
	err       error
}

func (m *subdictMatcher) subdict(data any, expr string) bool {
	splits := strings.Split(expr, m.delimiter)
	if len(splits) == 1 {
		return false
	}
	for idx := len(splits) - 1; idx > 0; idx-- {
		key := strings.Join(splits[:idx], m.delimiter)
		var matchstr string
		var match any
		if key == "*" {
			matchstr, match = expr, data
		} else {
			matchstr = strings.Join(splits[idx:], m.delimiter)
			match = Traverse(data, key, m.delimiter, notFound)
		}
		if match == notFound {
			continue
		}
		if d, ok := asDict(match); ok {
			if len(d.keys()) == 0 {
				continue // Salt cannot tell an empty mapping from "not found"
			}
			if m.dictMatch(d, matchstr) {
				return true
			}
			continue
		}
		if list, ok := py.ListItems(match); ok {
			for _, member := range list {
				if d, ok := asDict(member); ok && m.dictMatch(d, matchstr) {
					return true
				}
				if m.match(member, matchstr) {
					return true
				}
			}
			continue
		}
		if m.match(match, matchstr) {
			return true
		}
	}
	return false
}

func (m *subdictMatcher) dictMatch(target dict, pattern string) bool {
	wildcard := strings.HasPrefix(pattern, "*:")
	if wildcard {
		pattern = pattern[2:]
	}
	if pattern == "*" {
		return true
	}
	if _, ok := target.get(pattern); ok {
		return true
	}
	if m.subdict(target, pattern) {
		return true
	}
	if wildcard {
		for _, k := range target.keys() {
			v, _ := target.get(k)
			if d, ok := asDict(v); ok {
				if m.dictMatch(d, pattern) {
					return true
				}
			} else if list, ok := py.ListItems(v); ok {
				for _, item := range list {
					if m.match(item, pattern) {
						return true
					}
				}
			} else if m.match(v, pattern) {
				return true
			}
		}
	}
	return false
}

// match compares one value: glob on both sides lowercased, or a regex
// matched from the start of the lowercased value, case-insensitively. Salt
// lowercases the regex itself, which turns \D into \d; the (?i) flag keeps
// the pattern's meaning instead.
func (m *subdictMatcher) match(target any, pattern string) bool {
	value := strings.ToLower(py.Str(target))
	if !m.regex {
		return Glob(strings.ToLower(pattern), value)
	}
	re, ok := m.cache[pattern]
	if !ok {
		var err error
		re, err = py.CompileRegexp("(?i)" + pattern)
		if err != nil {
			if m.err == nil {
				m.err = fmt.Errorf("invalid regex %q in grain match: %v", pattern, err)
			}
			re = nil
		}
		if m.cache == nil {
			m.cache = map[string]*regexp.Regexp{}
		}
		m.cache[pattern] = re
	}
	return re != nil && re.MatchString(value)
}
