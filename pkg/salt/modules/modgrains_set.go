package modules

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// missingGrain stands for a grain that does not exist (Salt's
// _non_existent sentinel).
type missingGrain struct{}

// valueKind is set()'s _value_type: "simple", "complex" (a dict or a
// list) or "" for a missing grain.
func valueKind(v any) string {
	if _, ok := v.(missingGrain); ok {
		return ""
	}
	if _, ok := py.DictItems(v); ok {
		return "complex"
	}
	if _, ok := v.([]any); ok {
		return "complex"
	}
	return "simple"
}

// grainsSet is grains.set: it sets a grain, nested along key, refusing to
// replace a dict or list (or a value with one) unless force, and returns
// {comment, changes, result} with changes setval's return.
func grainsSet(c *Call, key string, val any, force, destructive bool, delim string) (any, error) {
	ret := body.Map{{Key: "comment", Value: ""}, {Key: "changes", Value: body.Map{}}, {Key: "result", Value: true}}
	fail := func(format string, args ...any) (any, error) {
		ret.Set("comment", fmt.Sprintf(format, args...))
		ret.Set("result", false)
		return ret, nil
	}
	existing := grainCopy(c, key, missingGrain{}, delim)
	newKind, oldKind := valueKind(val), valueKind(existing)
	if oldKind != "" && pyEqual(existing, val) && (val != nil || !destructive) {
		ret.Set("comment", "Grain is already set")
		return ret, nil
	}
	if existing != nil && !force {
		switch {
		case oldKind == "complex":
			return fail("The key '%s' exists but is a dict or a list. Use 'force=True' to overwrite.", key)
		case newKind == "complex" && oldKind != "":
			return fail("The key '%s' exists and the given value is a dict or a list. Use 'force=True' to overwrite.", key)
		}
	}
	value := py.Plain(val)
	for delim != "" && strings.Contains(key, delim) {
		i := strings.LastIndex(key, delim)
		parentKey, rest := key[:i], key[i+len(delim):]
		parent := grainCopy(c, parentKey, map[string]any{}, delim)
		switch p := parent.(type) {
		case map[string]any:
			if value == nil && destructive {
				delete(p, rest)
			} else {
				p[rest] = value
			}
		case []any:
			parent = setInList(p, rest, value)
		default:
			if s, ok := parent.(string); !(ok && s == rest) && !force {
				return fail("The key '%s' value is '%s', which is different from the provided key '%s'. Use 'force=True' to overwrite.",
					parentKey, py.Str(parent), rest)
			}
			parent = map[string]any{rest: value}
		}
		key, value = parentKey, parent
	}
	out, err := setval(c, key, value, destructive, true)
	if err != nil {
		return nil, err
	}
	if _, ok := py.DictItems(out); ok {
		ret.Set("changes", out)
	} else {
		return fail("%s", py.Str(out))
	}
	return ret, nil
}

// setInList is set()'s handling of a list parent: an item equal to rest
// becomes {rest: value}, a dict item holding rest gets value, and when
// neither is there {rest: value} is appended.
func setInList(list []any, rest string, value any) []any {
	updated := false
	for i, item := range list {
		if py.Str(item) == rest && isStr(item) {
			list[i] = map[string]any{rest: value}
			updated = true
		} else if m, ok := item.(map[string]any); ok {
			if _, has := m[rest]; has {
				m[rest] = value
				updated = true
			}
		}
	}
	if !updated {
		list = append(list, map[string]any{rest: value})
	}
	return list
}

func isStr(v any) bool { _, ok := v.(string); return ok }
