// Package parts gathers the numbered parts of one message as they arrive in
// any order: the segments of a road tray, the pages of a lane book.
package parts

// Parts holds the parts received so far, by number. The zero value holds
// none; Init sets how many make the whole.
type Parts struct {
	slots [][]byte // nil while missing
	have  int      // parts present
	size  int      // bytes present
}

// Init expects n parts, forgetting any held.
func (p *Parts) Init(n int) { *p = Parts{slots: make([][]byte, n)} }

// Count is the number of parts that make the whole; 0 before Init.
func (p *Parts) Count() int { return len(p.slots) }

// Has reports whether part i has arrived.
func (p *Parts) Has(i int) bool { return p.slots[i] != nil }

// Size is the number of bytes received.
func (p *Parts) Size() int { return p.size }

// Put stores part i, which must not be there yet. The part is kept, not copied.
func (p *Parts) Put(i int, b []byte) {
	if b == nil {
		b = []byte{}
	}
	p.slots[i] = b
	p.have++
	p.size += len(b)
}

// Complete reports whether every part has arrived.
func (p *Parts) Complete() bool { return len(p.slots) > 0 && p.have == len(p.slots) }

// Join returns the parts in order as one buffer and lets go of them.
func (p *Parts) Join() []byte {
	whole := make([]byte, 0, p.size)
	for _, s := range p.slots {
		whole = append(whole, s...)
	}
	*p = Parts{}
	return whole
}

// Missing lists the part numbers in [begin, end) that have not arrived.
func (p *Parts) Missing(begin, end int) []int {
	var out []int
	for i := max(begin, 0); i < min(end, len(p.slots)); i++ {
		if p.slots[i] == nil {
			out = append(out, i)
		}
	}
	return out
}
