// Package parts gathers the numbered parts of one message as they arrive in
// any order: the segments of a road tray, the pages of a lane book.
package parts

// Parts holds the parts received so far, by number. The zero value holds
// none; Init sets how many make the whole.
//
// Memory follows what has arrived, never what the first part declared: a
// peer that announces 65,535 segments and sends one costs one slot, not a
// table of 65,535.
type Parts struct {
	count int            // parts that make the whole
	slots map[int][]byte // the parts present, by number
	size  int            // bytes present
}

// Init expects n parts, forgetting any held.
func (p *Parts) Init(n int) { *p = Parts{count: n} }

// Count is the number of parts that make the whole; 0 before Init.
func (p *Parts) Count() int { return p.count }

// Has reports whether part i has arrived.
func (p *Parts) Has(i int) bool {
	_, ok := p.slots[i]
	return ok
}

// Have is the number of parts received.
func (p *Parts) Have() int { return len(p.slots) }

// Size is the number of bytes received.
func (p *Parts) Size() int { return p.size }

// Put stores part i, which must not be there yet. The part is kept, not copied.
func (p *Parts) Put(i int, b []byte) {
	if p.slots == nil {
		p.slots = map[int][]byte{}
	}
	p.slots[i] = b
	p.size += len(b)
}

// Complete reports whether every part has arrived.
func (p *Parts) Complete() bool { return p.count > 0 && len(p.slots) == p.count }

// Join returns the parts in order as one buffer and lets go of them.
func (p *Parts) Join() []byte {
	whole := make([]byte, 0, p.size)
	for i := range p.count {
		whole = append(whole, p.slots[i]...)
	}
	*p = Parts{}
	return whole
}

// Missing lists the part numbers in [begin, end) that have not arrived, at
// most limit of them (limit <= 0: all). With a limit the work is bounded by
// the parts present and the limit, not by the range.
func (p *Parts) Missing(begin, end, limit int) []int {
	var out []int
	for i := max(begin, 0); i < min(end, p.count); i++ {
		if _, ok := p.slots[i]; !ok {
			out = append(out, i)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
