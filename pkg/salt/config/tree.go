package config

import (
	"reflect"
	"strconv"
)

// valueKind is what a YAML value became after PyYAML-style resolution.
type valueKind uint8

const (
	kindNull valueKind = iota
	kindBool
	kindInt
	kindFloat
	kindString
	kindMap
	kindSeq
)

// value is one YAML value together with the file and line it was written
// at. Salt merges config files as Python dicts and forgets where a value came
// from; we keep the position on every value so that a type error found after
// merging still names the file and line that has to be edited.
type value struct {
	file string
	line int
	kind valueKind
	text string // the scalar as written

	b bool
	i int64
	f float64

	fields []*field       // kindMap, in file order
	index  map[string]int // kindMap: key → position in fields
	items  []*value       // kindSeq
}

// field is one key of a mapping: the key's own position is the place to
// point at when the whole value is wrong.
type field struct {
	key  string
	file string
	line int
	val  *value
}

func newMap(file string, line int) *value {
	return &value{file: file, line: line, kind: kindMap, index: map[string]int{}}
}

func (v *value) get(key string) *field {
	if v == nil || v.kind != kindMap {
		return nil
	}
	if i, ok := v.index[key]; ok {
		return v.fields[i]
	}
	return nil
}

// set replaces the field with the same key in place (as a Python dict keeps
// the position of a key it updates) or appends it.
func (v *value) set(f *field) {
	if i, ok := v.index[f.key]; ok {
		v.fields[i] = f
		return
	}
	v.index[f.key] = len(v.fields)
	v.fields = append(v.fields, f)
}

// describe names a value in an error message: strings quoted, other scalars
// as written, collections by their YAML name.
func (v *value) describe() string {
	switch v.kind {
	case kindString:
		return strconv.Quote(v.text)
	case kindNull:
		return "nothing (null)"
	case kindMap:
		return "a mapping"
	case kindSeq:
		return "a list"
	default:
		return v.text
	}
}

// raw converts a value to the plain Go shapes PyYAML would have produced:
// map[string]any, []any, string, int, float64, bool and nil.
func (v *value) raw() any {
	switch v.kind {
	case kindNull:
		return nil
	case kindBool:
		return v.b
	case kindInt:
		return int(v.i)
	case kindFloat:
		return v.f
	case kindString:
		return v.text
	case kindMap:
		m := make(map[string]any, len(v.fields))
		for _, f := range v.fields {
			m[f.key] = f.val.raw()
		}
		return m
	case kindSeq:
		s := make([]any, len(v.items))
		for i, it := range v.items {
			s[i] = it.raw()
		}
		return s
	}
	return nil
}

// mergeInto is salt.utils.dictupdate.update(dst, upd, recursive_update=True,
// merge_lists=True), which salt.config.include_config uses to fold included
// files together: mappings merge key by key, lists are joined keeping the
// first copy of each item, anything else is replaced.
func mergeInto(dst, upd *value) {
	for _, f := range upd.fields {
		d := dst.get(f.key)
		switch {
		case d == nil:
			dst.set(f)
		case d.val.kind == kindMap && f.val.kind == kindMap:
			merged := copyMap(d.val)
			mergeInto(merged, f.val)
			dst.set(&field{key: f.key, file: f.file, line: f.line, val: merged})
		case d.val.kind == kindSeq && f.val.kind == kindSeq:
			merged := &value{file: d.val.file, line: d.val.line, kind: kindSeq, items: cloneItems(d.val.items)}
			for _, it := range f.val.items {
				if !containsValue(merged.items, it) {
					merged.items = append(merged.items, it)
				}
			}
			dst.set(&field{key: f.key, file: f.file, line: f.line, val: merged})
		default:
			dst.set(f)
		}
	}
}

// update is dict.update: top-level keys of upd replace those of dst whole.
// Salt applies the included files onto the main file this way
// (master_config: overrides.update(include_config(...))).
func update(dst, upd *value) {
	for _, f := range upd.fields {
		dst.set(f)
	}
}

func copyMap(v *value) *value {
	c := newMap(v.file, v.line)
	for _, f := range v.fields {
		c.set(f)
	}
	return c
}

func cloneItems(items []*value) []*value { return append([]*value(nil), items...) }

func containsValue(items []*value, v *value) bool {
	r := v.raw()
	for _, it := range items {
		if reflect.DeepEqual(it.raw(), r) {
			return true
		}
	}
	return false
}
