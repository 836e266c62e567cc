package output

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Raw is the raw outputter (salt/output/raw.py): str(data), which for a
// string is the string itself and for anything else its Python repr.
func Raw(data any) string { return py.Str(data) }

// Txt is the txt outputter (salt/output/txt.py). For a dict, each key is
// written as "key: value" — a string value once per line of it (none for
// an empty string, as str.splitlines gives none), anything else as str()
// writes it. A string is written as it is; anything else as
// pprint.pformat writes it (Pprint).
func Txt(data any) string {
	var b strings.Builder
	if pairs, ok := py.DictItems(data); ok {
		for _, it := range pairs {
			key := py.Str(it.Key)
			if s, ok := it.Value.(string); ok {
				for _, line := range py.SplitLines(s) {
					b.WriteString(key + ": " + line + "\n")
				}
				continue
			}
			b.WriteString(key + ": " + py.Str(it.Value) + "\n")
		}
		return b.String()
	}
	if s, ok := data.(string); ok {
		return s + "\n"
	}
	return Pprint(data, nil) + "\n"
}

// Repr is Python's repr() of the value: 'text' with Python's escapes,
// None, True, False, integers, floats in repr form, [a, b] and {'k': v}.
// It is py.Repr, which the minion's functions and the targeting use too.
func Repr(v any) string { return py.Repr(v) }
