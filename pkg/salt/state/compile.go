package state

import (
	"slices"
	"sort"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// requisiteKeywords is STATE_REQUISITE_KEYWORDS: the requisites a chunk
// carries to the runtime.
var requisiteKeywords = []string{
	"onchanges", "onchanges_any", "onfail", "onfail_any", "onfail_all", "onfail_stop",
	"prereq", "prerequired", "watch", "watch_any", "require", "require_any", "listen",
}

// requisiteInKeywords are the forms the compiler turns around (and use,
// whose arguments it copies): not passed on as arguments.
var requisiteInKeywords = []string{
	"onchanges_in", "onfail_in", "prereq_in", "watch_in", "require_in", "listen_in", "use", "use_in",
}

// Compile compiles high data to low chunks in the order they run, as
// State.call_high does before calling them: extend reconciled, the data
// verified, the _in requisites turned around onto the states they name,
// exclude applied, names expanded, and the chunks ordered (order,
// state_auto_order's definition order, then state, name and function).
// Errors are Salt's list of strings; with errors there are no chunks.
// h is not changed.
func Compile(h High) ([]Low, []string) {
	high, _ := render.Ordered(h).(body.Map)
	high, errs := reconcileExtend(high, false)
	errs = append(errs, verifyHigh(high)...)
	if len(errs) > 0 {
		return nil, errs
	}
	high, errs = requisiteIn(high)
	high = applyExclude(high)
	if len(errs) > 0 {
		return nil, errs
	}
	chunks := orderChunks(compileHighData(high))
	low := make([]Low, len(chunks))
	for i, c := range chunks {
		low[i] = lowOf(c)
	}
	listenIn(low)
	return low, nil
}

// listenIn gives each chunk a listen_in names (by state, and ID or name)
// a listen on the chunk that named it, as State.call_listen pairs them.
func listenIn(low []Low) {
	for _, from := range low {
		for _, e := range listOf(mustGet(from.Chunk, "listen_in")) {
			for _, kv := range asMap(e) {
				ref := py.Str(kv.Value)
				for i := range low {
					to := &low[i]
					if to.State == kv.Key && (to.ID == ref || to.Name == ref) {
						to.Reqs = append(to.Reqs, Requisite{Kind: "listen", State: from.State, Ref: from.ID})
					}
				}
			}
		}
	}
}

// compileHighData is State.compile_high_data: one chunk per ID, state
// and function, and one per entry of names (a name given as {name:
// [{arg: val}]} gets those arguments too); the chunks' keys in Salt's
// order.
func compileHighData(high body.Map) []body.Map {
	var chunks []body.Map
	for _, it := range high {
		decl, ok := it.Value.(body.Map)
		if strings.HasPrefix(it.Key, "__") || !ok {
			continue
		}
		for _, d := range decl {
			if strings.HasPrefix(d.Key, "__") {
				continue
			}
			chunk := body.Map{{Key: "state", Value: d.Key}, {Key: "name", Value: it.Key}}
			for _, k := range []string{"__sls__", "__env__"} {
				if v, ok := decl.Get(k); ok {
					chunk.Set(k, v)
				}
			}
			chunk.Set("__id__", it.Key)
			var funcs []string
			var names []any
			for _, arg := range listOf(d.Value) {
				switch a := arg.(type) {
				case string:
					if !slices.Contains(funcs, a) {
						funcs = append(funcs, a)
					}
				case body.Map:
					names = chunkArgs(&chunk, a, it.Key, names)
				}
			}
			chunks = append(chunks, expandNames(chunk, funcs, names)...)
		}
	}
	return chunks
}

// chunkArgs puts one argument mapping into chunk; names are gathered.
func chunkArgs(chunk *body.Map, a body.Map, id string, names []any) []any {
	for _, kv := range a {
		switch {
		case kv.Key == "names":
			for _, n := range listOf(kv.Value) {
				if !slices.ContainsFunc(names, func(x any) bool { return pyEqual(x, n) }) {
					names = append(names, n)
				}
			}
		case kv.Key == "state":
		case kv.Key == "name":
			if _, ok := kv.Value.(string); !ok {
				chunk.Set("name", id)
				continue
			}
			chunk.Set("name", kv.Value)
		default:
			chunk.Set(kv.Key, kv.Value)
		}
	}
	return names
}

// expandNames makes the chunks of one state declaration: one per
// function, or per name and function with names.
func expandNames(chunk body.Map, funcs []string, names []any) []body.Map {
	var out []body.Map
	withFun := func(live body.Map) {
		for _, f := range funcs {
			c := copyMap(live)
			c.Set("fun", f)
			out = append(out, c)
		}
	}
	if len(names) == 0 {
		withFun(chunk)
		return out
	}
	for i, entry := range names {
		live := copyMap(chunk)
		if m, ok := entry.(body.Map); ok && len(m) > 0 {
			live.Set("name", m[0].Key)
			for _, upd := range listOf(m[0].Value) {
				if um, ok := upd.(body.Map); ok {
					for _, kv := range um {
						live.Set(kv.Key, kv.Value)
					}
				}
			}
		} else {
			live.Set("name", entry)
		}
		live.Set("name_order", int64(i+1))
		withFun(live)
	}
	return out
}

// copyMap is a deep copy of m.
func copyMap(m body.Map) body.Map {
	c, _ := render.Ordered(m).(body.Map)
	return c
}

// orderChunks is State.order_chunks: a chunk without an order gets the
// cap (100 past the first order above it, from 1), "first" is 0, "last"
// and negative orders go after the cap, names keep their place within
// their declaration; then a stable sort by order, then state+name+fun.
func orderChunks(chunks []body.Map) []body.Map {
	capOrder := 1.0
	for _, c := range chunks {
		if v, ok := c.Get("order"); ok {
			if n, isInt := v.(int64); isInt && float64(n) > capOrder-1 && n > 0 {
				capOrder = float64(n) + 100
			}
		}
	}
	orders := make([]float64, len(chunks))
	for i := range chunks {
		orders[i] = chunkOrder(&chunks[i], capOrder)
	}
	idx := make([]int, len(chunks))
	for i := range idx {
		idx[i] = i
	}
	sortKey := func(c body.Map) string {
		return py.Str(mustGet(c, "state")) + py.Str(mustGet(c, "name")) + py.Str(mustGet(c, "fun"))
	}
	sort.SliceStable(idx, func(a, b int) bool {
		oa, ob := orders[idx[a]], orders[idx[b]]
		if oa != ob {
			return oa < ob
		}
		return sortKey(chunks[idx[a]]) < sortKey(chunks[idx[b]])
	})
	out := make([]body.Map, len(chunks))
	for i, j := range idx {
		out[i] = chunks[j]
	}
	return out
}

// chunkOrder sets one chunk's order as order_chunks does and returns it.
func chunkOrder(c *body.Map, capOrder float64) float64 {
	v, ok := c.Get("order")
	if !ok {
		c.Set("order", pyNumber(capOrder))
		return capOrder
	}
	var order float64
	switch x := v.(type) {
	case int64:
		order = float64(x)
	case float64:
		order = x
	case string:
		switch x {
		case "last":
			order = capOrder + 1000000
		case "first":
			order = 0
		default:
			order = capOrder
		}
	default:
		order = capOrder
	}
	if no, ok := c.Get("name_order"); ok {
		c.Delete("name_order")
		n, _ := body.AsInt64(no)
		order += float64(n) / 10000.0
	}
	if order < 0 {
		order = capOrder + 1000000 + order
	}
	c.Set("order", pyNumber(order))
	return order
}

// pyNumber is an order as Python keeps it: an int when whole (unless it
// was made a float by a name's fraction).
func pyNumber(f float64) any {
	if f == float64(int64(f)) {
		return int64(f)
	}
	return f
}

// lowOf is the Low of one compiled chunk.
func lowOf(c body.Map) Low {
	l := Low{
		State: py.Str(mustGet(c, "state")), Fun: py.Str(mustGet(c, "fun")),
		ID: py.Str(mustGet(c, "__id__")), Name: py.Str(mustGet(c, "name")),
		SLS: getStr(c, "__sls__"), Env: getStr(c, "__env__"),
		Args: body.Map{}, Chunk: c,
	}
	switch o := mustGet(c, "order").(type) {
	case int64:
		l.Order = int(o)
	case float64:
		l.Order = int(o)
	}
	for _, kv := range c {
		switch {
		case slices.Contains(requisiteKeywords, kv.Key):
			l.Reqs = append(l.Reqs, requisitesOf(kv.Key, kv.Value)...)
		case slices.Contains(requisiteInKeywords, kv.Key), strings.HasPrefix(kv.Key, "__"),
			slices.Contains([]string{"state", "fun", "name", "order"}, kv.Key):
		default:
			l.Args = append(l.Args, kv)
		}
	}
	return l
}

// requisitesOf is one requisite list: {state: ref} entries, or a bare ID.
func requisitesOf(kind string, v any) []Requisite {
	var out []Requisite
	for _, e := range listOf(v) {
		m, ok := e.(body.Map)
		if !ok {
			out = append(out, Requisite{Kind: kind, Ref: py.Str(e)})
			continue
		}
		for _, kv := range m {
			out = append(out, Requisite{Kind: kind, State: kv.Key, Ref: py.Str(kv.Value)})
		}
	}
	return out
}
