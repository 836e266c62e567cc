package py

import "github.com/saltraet/saltraet/pkg/raet/body"

// Plain turns the mappings in v into map[string]any (a body.Map keeps
// its values, a map with non-string keys gets their Python str()), and
// lists into []any, so that templates and merges see one type.
func Plain(v any) any {
	switch x := v.(type) {
	case body.Map:
		m := make(map[string]any, len(x))
		for _, it := range x {
			m[it.Key] = Plain(it.Value)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Plain(e)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[Str(k)] = Plain(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = Plain(e)
		}
		return l
	}
	return v
}
