package body

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Go maps have no order, and Python would write a dict in insertion order,
// which a Go map does not remember. Their keys are written sorted instead, so
// that the same map always gives the same bytes: nil, then bools, then
// numbers by value, then strings, then anything else.

// scalarKey turns a key of a named scalar type (type Name string) into the
// plain value it stands for.
func scalarKey(k any) (any, bool) {
	rv := reflect.ValueOf(k)
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, true
	case reflect.Bool:
		return rv.Bool(), true
	case reflect.String:
		return rv.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint(), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return nil, false
}

type sortKey struct {
	rank int // 0 nil, 1 bool, 2 number, 3 string, 4 other
	sub  int // numbers: 0 signed, 1 unsigned, 2 float
	i    int64
	u    uint64
	f    float64
	s    string
}

func makeSortKey(k any) sortKey {
	v, ok := scalarKey(k)
	if !ok {
		return sortKey{rank: 4, s: fmt.Sprintf("%#v", k)}
	}
	switch x := v.(type) {
	case nil:
		return sortKey{rank: 0}
	case bool:
		if x {
			return sortKey{rank: 1, i: 1}
		}
		return sortKey{rank: 1}
	case int64:
		return sortKey{rank: 2, sub: 0, i: x, f: float64(x)}
	case uint64:
		return sortKey{rank: 2, sub: 1, u: x, f: float64(x)}
	case float64:
		return sortKey{rank: 2, sub: 2, f: x}
	case string:
		return sortKey{rank: 3, s: x}
	}
	panic("unreachable")
}

func compareSortKeys(a, b sortKey) int {
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	switch a.rank {
	case 1:
		return cmp.Compare(a.i, b.i)
	case 2:
		return compareNumbers(a, b)
	case 3, 4:
		return strings.Compare(a.s, b.s)
	}
	return 0
}

func compareNumbers(a, b sortKey) int {
	switch {
	case a.sub == 0 && b.sub == 0:
		return cmp.Compare(a.i, b.i)
	case a.sub == 1 && b.sub == 1:
		return cmp.Compare(a.u, b.u)
	case a.sub == 0 && b.sub == 1:
		if a.i < 0 || uint64(a.i) < b.u {
			return -1
		}
		if uint64(a.i) > b.u {
			return 1
		}
	case a.sub == 1 && b.sub == 0:
		return -compareNumbers(b, a)
	default:
		// cmp.Compare puts NaN first.
		if c := cmp.Compare(a.f, b.f); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.sub, b.sub)
}

type keyValue struct {
	k, v any
}

// sortedPairs returns the entries of a map in key order. It ranges rather
// than looks keys up because a NaN key cannot be looked up.
func sortedPairs(m map[any]any) []keyValue {
	kv := make([]keyValue, 0, len(m))
	for k, v := range m {
		kv = append(kv, keyValue{k, v})
	}
	sortPairs(kv)
	return kv
}

// sortPairs sorts map entries by key. Keys equal in value but of different Go
// types (int 1, int8 1, uint 1) are ordered by type name.
func sortPairs(kv []keyValue) {
	if len(kv) < 2 {
		return
	}
	type entry struct {
		sk sortKey
		kv keyValue
	}
	es := make([]entry, len(kv))
	for i := range kv {
		es[i] = entry{makeSortKey(kv[i].k), kv[i]}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := compareSortKeys(a.sk, b.sk); c != 0 {
			return c
		}
		return strings.Compare(fmt.Sprintf("%T", a.kv.k), fmt.Sprintf("%T", b.kv.k))
	})
	for i := range es {
		kv[i] = es[i].kv
	}
}
