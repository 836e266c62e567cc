package body

// mapBuilder collects the entries of a mapping being decoded with the
// semantics of OrderedDict(pairs), the object_pairs_hook of the reference:
// a repeated key keeps its first position and takes its last value.
// Small mappings are searched linearly; big ones get an index, so that a
// hostile body of many distinct keys costs linear time, not quadratic.
//
// The entries go to *items from start on: a parser shares one scratch
// slice among all the mappings it is inside of, so that each finished
// mapping costs one allocation of its exact size.
type mapBuilder struct {
	items *[]Item
	start int
	idx   map[string]int
}

// indexAbove is the size from which an index pays for itself.
const indexAbove = 16

func newMapBuilder(items *[]Item) mapBuilder {
	return mapBuilder{items: items, start: len(*items)}
}

func (b *mapBuilder) add(key string, v any) {
	m := (*b.items)[b.start:]
	if b.idx != nil {
		if i, ok := b.idx[key]; ok {
			m[i].Value = v
			return
		}
		b.idx[key] = len(m)
	} else {
		for i := range m {
			if m[i].Key == key {
				m[i].Value = v
				return
			}
		}
		if len(m) == indexAbove {
			b.idx = make(map[string]int, 2*indexAbove)
			for i := range m {
				b.idx[m[i].Key] = i
			}
			b.idx[key] = len(m)
		}
	}
	*b.items = append(*b.items, Item{Key: key, Value: v})
}

// done returns the mapping, never nil (an empty mapping is still a mapping),
// and gives the scratch space back.
func (b *mapBuilder) done() Map {
	m := make(Map, len(*b.items)-b.start)
	copy(m, (*b.items)[b.start:])
	b.drop()
	return m
}

// drop gives the scratch space back without making a mapping of it.
func (b *mapBuilder) drop() {
	clear((*b.items)[b.start:])
	*b.items = (*b.items)[:b.start]
}

// takeValues returns (*vals)[start:] as a list of its own and gives the
// scratch space back, as done does for mappings.
func takeValues(vals *[]any, start int) []any {
	l := make([]any, len(*vals)-start)
	copy(l, (*vals)[start:])
	clear((*vals)[start:])
	*vals = (*vals)[:start]
	return l
}

// maxPooledScratch bounds the scratch a pooled parser keeps, so that one
// huge body does not pin its memory for good.
const maxPooledScratch = 1 << 12

// resetScratch empties scratch slices for reuse. A parse that failed leaves
// entries behind; they are cleared so that they can be collected.
func resetScratch(items []Item, vals []any) ([]Item, []any) {
	clear(items)
	clear(vals)
	if cap(items) > maxPooledScratch {
		items = nil
	}
	if cap(vals) > maxPooledScratch {
		vals = nil
	}
	return items[:0], vals[:0]
}

func errTooDeep(format string, limit int) error {
	return errf("%s body: nested deeper than %d levels", format, limit)
}
