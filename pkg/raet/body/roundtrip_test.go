package body

import (
	"math"
	"math/rand"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet"
)

// gen makes random values of the shapes Decode gives. forJSON leaves out
// what JSON cannot carry: bytes, extensions, non-string keys, and strings
// that are not UTF-8.
type gen struct {
	r       *rand.Rand
	forJSON bool
}

func (g gen) value(depth int) any {
	n := 12
	if depth > 4 {
		n = 9 // scalars only
	}
	switch g.r.Intn(n) {
	case 0:
		return nil
	case 1:
		return g.r.Intn(2) == 0
	case 2:
		return g.int()
	case 3:
		return g.float()
	case 4, 5:
		return g.str()
	case 6:
		if g.forJSON {
			return g.str()
		}
		b := make([]byte, g.r.Intn(40))
		g.r.Read(b)
		return b
	case 7:
		if g.forJSON {
			return g.int()
		}
		b := make([]byte, []int{0, 1, 2, 3, 4, 8, 12, 16, 17, 300}[g.r.Intn(10)])
		g.r.Read(b)
		return Ext{Type: int8(g.r.Intn(256) - 128), Data: b}
	case 8:
		return uint64(math.MaxInt64) + 1 + uint64(g.r.Int63())
	case 9:
		l := make([]any, g.r.Intn(20))
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 10:
		if !g.forJSON && g.r.Intn(4) == 0 {
			m := map[any]any{}
			for range g.r.Intn(6) {
				var k any
				switch g.r.Intn(5) {
				case 0:
					k = nil
				case 1:
					k = g.r.Intn(2) == 0
				case 2:
					k = g.int()
				case 3:
					f := g.float()
					if math.IsNaN(f) {
						f = 0.5
					}
					k = f
				default:
					k = g.str()
				}
				m[k] = g.value(depth + 1)
			}
			m[int64(g.r.Intn(100))] = nil // at least one key that is not a string
			return m
		}
		fallthrough
	default:
		return g.mapping(depth, g.r.Intn(20))
	}
}

func (g gen) mapping(depth, n int) Map {
	m := Map{}
	for i := range n {
		// Unique keys: a repeated key would collapse on the way back.
		m = append(m, Item{g.str() + "#" + strconv.Itoa(i), g.value(depth + 1)})
	}
	return m
}

func (g gen) int() int64 {
	switch g.r.Intn(4) {
	case 0:
		return int64(g.r.Intn(300)) - 150
	case 1:
		return int64(g.r.Intn(1<<17)) - 1<<16
	case 2:
		return int64(g.r.Uint32()) - 1<<31
	}
	return int64(g.r.Uint64())
}

func (g gen) float() float64 {
	switch g.r.Intn(8) {
	case 0:
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e16, 1e-5, 5e-324}[g.r.Intn(8)]
	case 1:
		return float64(g.r.Intn(2000) - 1000)
	case 2:
		return g.r.NormFloat64()
	case 3:
		return g.r.NormFloat64() * math.Pow(10, float64(g.r.Intn(40)-20))
	}
	for {
		f := math.Float64frombits(g.r.Uint64())
		if !math.IsNaN(f) {
			return f
		}
	}
}

func (g gen) str() string {
	var b []byte
	for range g.r.Intn(12) {
		switch g.r.Intn(6) {
		case 0:
			b = append(b, byte(g.r.Intn(0x80))) // controls, DEL, quotes...
		case 1:
			b = utf8.AppendRune(b, rune(0x80+g.r.Intn(0x800)))
		case 2:
			r := rune(0x800 + g.r.Intn(0x10000-0x800))
			if r >= 0xd800 && r < 0xe000 {
				r = 0xfffd
			}
			b = utf8.AppendRune(b, r)
		case 3:
			b = utf8.AppendRune(b, rune(0x10000+g.r.Intn(0x100000)))
		case 4:
			if !g.forJSON {
				b = append(b, byte(0x80+g.r.Intn(0x80))) // not UTF-8: old peers' bytes
				continue
			}
			fallthrough
		default:
			b = append(b, "abc/\\\""[g.r.Intn(6)])
		}
	}
	return string(b)
}

func TestRoundTripRandom(t *testing.T) {
	for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
		g := gen{r: rand.New(rand.NewSource(20261122)), forJSON: kind == raet.BodyJSON}
		for i := range 3000 {
			v := g.mapping(0, 1+g.r.Intn(8))
			b, err := Encode(kind, v)
			if err != nil {
				t.Fatalf("%v #%d: Encode(%s): %v", kind, i, show(v), err)
			}
			got, err := Decode(kind, b)
			if err != nil {
				t.Fatalf("%v #%d: Decode(%q): %v", kind, i, b, err)
			}
			if !equal(got, v) {
				t.Fatalf("%v #%d: round trip\n got %s\nwant %s\nbytes %q", kind, i, show(got), show(v), b)
			}
			again, err := Encode(kind, got)
			if err != nil || string(again) != string(b) {
				t.Fatalf("%v #%d: encoding the decoded value gives other bytes:\n%q\n%q", kind, i, again, b)
			}
		}
	}
}

// Hand-picked values that random generation would rarely hit.
func TestRoundTripEdges(t *testing.T) {
	for _, v := range []Map{
		{{"", ""}},
		{{"k", []any{}}, {"m", Map{}}, {"l", []any{[]any{Map{}}}}},
		{{"i", int64(math.MinInt64)}, {"j", int64(math.MaxInt64)}, {"u", uint64(math.MaxUint64)}},
		{{"f", math.MaxFloat64}, {"g", math.SmallestNonzeroFloat64}, {"h", -math.MaxFloat64}},
		{{"\U0010ffff\u0000\u007f\u2028", "\ud7ff\ue000\ufffd\uffff"}},
		{{"big", seqList(70000)}},
		{{"wide", seqMap(70000)}},
	} {
		for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
			b, err := Encode(kind, v)
			if err != nil {
				t.Fatalf("%v: Encode: %v", kind, err)
			}
			got, err := Decode(kind, b)
			if err != nil || !equal(got, v) {
				t.Errorf("%v: round trip of %.200s: %.200s, %v", kind, show(v), show(got), err)
			}
		}
	}
}
