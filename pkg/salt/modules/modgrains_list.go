package modules

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// grains.append and grains.remove: a value added to or taken from a list
// grain, which may be nested (key a path); the top-level grain that holds
// it is then written whole with setval.

// grainsAppend is grains.append.
func grainsAppend(c *Call) (any, error) {
	key, delim := py.Str(c.Arg("key")), py.Str(c.Arg("delimiter"))
	val := c.Arg("val")
	grains := grainCopy(c, key, []any{}, delim)
	if isTrue(c.Arg("convert")) {
		if _, ok := grains.([]any); !ok {
			if grains == nil {
				grains = []any{}
			} else {
				grains = []any{grains}
			}
		}
	}
	list, ok := grains.([]any)
	if !ok {
		return fmt.Sprintf("The key %s is not a valid list", key), nil
	}
	if pyIn(val, list) {
		return fmt.Sprintf("The val %s was already in the list %s", py.Str(val), key), nil
	}
	if vl, ok := val.([]any); ok {
		list = append(list, py.Plain(vl).([]any)...)
	} else {
		list = append(list, py.Plain(val))
	}
	top, value := nestUp(c, key, delim, list, map[string]any{})
	return setval(c, top, value, false, true)
}

// grainsRemove is grains.remove.
func grainsRemove(c *Call) (any, error) {
	key, delim := py.Str(c.Arg("key")), py.Str(c.Arg("delimiter"))
	val := c.Arg("val")
	list, ok := grainCopy(c, key, []any{}, delim).([]any)
	if !ok {
		return fmt.Sprintf("The key %s is not a valid list", key), nil
	}
	i := -1
	for j, x := range list {
		if pyEqual(x, val) {
			i = j
			break
		}
	}
	if i < 0 {
		return fmt.Sprintf("The val %s was not in the list %s", py.Str(val), key), nil
	}
	list = append(list[:i], list[i+1:]...)
	top, value := nestUp(c, key, delim, list, nil)
	return setval(c, top, value, false, true)
}

// nestUp puts value back at key's place in copies of its parents, as the
// loops of append and remove do: each parent that is a mapping gets it
// under the last part of the path; a parent that is not replaces it (a
// missing parent is def). It returns the top-level key and its new value.
func nestUp(c *Call, key, delim string, value, def any) (string, any) {
	for delim != "" && strings.Contains(key, delim) {
		i := strings.LastIndex(key, delim)
		parentKey, rest := key[:i], key[i+len(delim):]
		parent := grainCopy(c, parentKey, def, delim)
		if m, ok := parent.(map[string]any); ok {
			m[rest] = value
		}
		key, value = parentKey, parent
	}
	return key, value
}
