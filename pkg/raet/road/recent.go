package road

// recent is a map that remembers at most kept keys, forgetting the oldest
// first: the workers' and the loop's bounded memories of datagrams and
// hellos seen lately (verifyseen.go, allowprep.go, allowlimit.go). It does
// not lock; its owner does.
type recent[K comparable, V any] struct {
	kept int
	m    map[K]V
	ring []K // insertion order, to forget the oldest; grows as used
	next int
}

func newRecent[K comparable, V any](kept int) recent[K, V] {
	return recent[K, V]{kept: kept, m: map[K]V{}}
}

// get returns what is remembered for k.
func (r *recent[K, V]) get(k K) (V, bool) {
	v, ok := r.m[k]
	return v, ok
}

// put remembers v for k: in place when k is remembered already, else as
// the newest, forgetting the oldest beyond kept.
func (r *recent[K, V]) put(k K, v V) {
	if r.m == nil {
		r.m = map[K]V{}
	}
	if _, ok := r.m[k]; ok {
		r.m[k] = v
		return
	}
	if len(r.ring) < r.kept {
		r.ring = append(r.ring, k)
	} else {
		delete(r.m, r.ring[r.next])
		r.ring[r.next] = k
		r.next = (r.next + 1) % r.kept
	}
	r.m[k] = v
}

// len is how many keys are remembered.
func (r *recent[K, V]) len() int { return len(r.m) }
