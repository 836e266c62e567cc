package route

import (
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// ErrInvalidRoute says a body has no route, or one the router cannot read.
var ErrInvalidRoute = errors.New("route: invalid route")

// Addr is one end of a route. An empty field is the reference's None: the
// default, which for an estate or a yard means "here".
type Addr struct{ Estate, Yard, Share string }

// Route is a message's "route": where it comes from, so that a reply can
// find its way back, and where it goes.
type Route struct{ Src, Dst Addr }

func (a Addr) String() string { return fmt.Sprintf("(%q, %q, %q)", a.Estate, a.Yard, a.Share) }

func (r Route) String() string { return "src " + r.Src.String() + " dst " + r.Dst.String() }

// ParseRoute reads body["route"]: a mapping holding "src" and "dst", each an
// array of exactly three items, estate, yard and share, every one a string
// or null (None), null and "" both meaning the default.
//
// A shorter or longer array is refused rather than padded: the reference
// unpacks these triples by position, so a short one passed along by the
// router would break a Python peer further on, where nobody counts it. A
// missing or null src or dst is refused for the same reason.
func ParseRoute(m body.Map) (Route, error) {
	v, ok := m.Get("route")
	if !ok {
		return Route{}, fmt.Errorf("%w: the body has no route", ErrInvalidRoute)
	}
	rm, ok := asMap(v)
	if !ok {
		return Route{}, fmt.Errorf("%w: the route is %s, not a mapping", ErrInvalidRoute, describe(v))
	}
	var r Route
	var err error
	if r.Src, err = parseAddr(rm, "src"); err != nil {
		return Route{}, err
	}
	if r.Dst, err = parseAddr(rm, "dst"); err != nil {
		return Route{}, err
	}
	return r, nil
}

func asMap(v any) (body.Map, bool) {
	switch x := v.(type) {
	case body.Map:
		return x, true
	case *body.Map:
		if x != nil {
			return *x, true
		}
	case map[string]any: // built by Go code; decoded bodies are body.Map
		m := make(body.Map, 0, len(x))
		for _, k := range []string{"src", "dst"} {
			if v, ok := x[k]; ok {
				m = append(m, body.Item{Key: k, Value: v})
			}
		}
		return m, true
	}
	return nil, false
}

func parseAddr(rm body.Map, end string) (Addr, error) {
	v, ok := rm.Get(end)
	if !ok {
		return Addr{}, fmt.Errorf("%w: the route has no %s", ErrInvalidRoute, end)
	}
	var items [3]string
	switch x := v.(type) {
	case []any:
		if len(x) != 3 {
			return Addr{}, fmt.Errorf("%w: route %s has %d items, not 3 (estate, yard, share)", ErrInvalidRoute, end, len(x))
		}
		for i, item := range x {
			switch s := item.(type) {
			case nil:
			case string:
				items[i] = s
			default:
				return Addr{}, fmt.Errorf("%w: route %s[%d] is %s, not a string or null", ErrInvalidRoute, end, i, describe(item))
			}
		}
	case []string:
		if len(x) != 3 {
			return Addr{}, fmt.Errorf("%w: route %s has %d items, not 3 (estate, yard, share)", ErrInvalidRoute, end, len(x))
		}
		copy(items[:], x)
	default:
		return Addr{}, fmt.Errorf("%w: route %s is %s, not an array of 3", ErrInvalidRoute, end, describe(v))
	}
	return Addr{Estate: items[0], Yard: items[1], Share: items[2]}, nil
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// Value is the wire form of an Addr, [estate, yard, share]: "" goes back to
// null, as the reference writes None, so that Python peers testing "is
// None" see what they expect. Whoever writes a route by field uses it, so
// that the form has one definition.
func (a Addr) Value() []any {
	out := make([]any, 3)
	for i, s := range [3]string{a.Estate, a.Yard, a.Share} {
		if s != "" {
			out[i] = s
		}
	}
	return out
}

// Put returns a copy of m whose route is r; m itself is left alone, since
// a body may still be held by whoever handed it over. The route keeps its
// place among m's keys, and any key it held besides src and dst.
func (r Route) Put(m body.Map) body.Map {
	out := make(body.Map, len(m), len(m)+1)
	copy(out, m)
	var rm body.Map
	if v, ok := m.Get("route"); ok {
		if old, ok := asMap(v); ok {
			rm = make(body.Map, len(old), len(old)+2)
			copy(rm, old)
		}
	}
	rm.Set("src", r.Src.Value())
	rm.Set("dst", r.Dst.Value())
	out.Set("route", rm)
	return out
}
