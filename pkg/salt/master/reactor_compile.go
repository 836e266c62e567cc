package master

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// reactionTypes are the reactions the reactor runs (ReactWrap's local,
// runner, wheel), with Salt's alias cmd for local. caller, which runs a
// function on a masterless minion, has no place on a master here.
var reactionTypes = map[string]string{"local": "local", "cmd": "local", "runner": "runner", "wheel": "wheel"}

// compileReactions turns a rendered reactor sls into its low chunks, in
// the order the file writes them, as the state compiler reads high data:
//
//	<id>:
//	  <type>.<fun>:          local.test.ping, runner.jobs.list_jobs, wheel.key.accept
//	    - tgt: '*'           each mapping merged into the chunk
//	    - arg: [...]
//
// (or <type>: [<fun>, {...}, ...]). Each chunk has state (the type, cmd
// still cmd), fun, __id__, __sls__ and name besides its arguments.
// Anything else is an error naming the file and the id.
func compileReactions(file string, text []byte, out any) ([]body.Map, error) {
	high, ok := out.(body.Map)
	if !ok {
		if m, isMap := out.(map[string]any); isMap && len(m) == 0 {
			return nil, nil
		}
		return nil, &render.Error{File: file, Err: fmt.Errorf("the sls is %T, not a mapping of ids to reactions", out)}
	}
	var lows []body.Map
	var errs []error
	for _, it := range high {
		if strings.HasPrefix(it.Key, "__") { // __extend__, __exclude__: no meaning here
			continue
		}
		decl, ok := it.Value.(body.Map)
		if !ok {
			errs = append(errs, idError(file, text, it.Key, fmt.Errorf("ID %s is not a dictionary", it.Key)))
			continue
		}
		for _, st := range decl {
			low, err := compileReaction(file, it.Key, st)
			if err != nil {
				errs = append(errs, idError(file, text, it.Key, err))
				continue
			}
			lows = append(lows, low)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return lows, nil
}

// compileReaction compiles one <type>.<fun> of the id.
func compileReaction(file, id string, st body.Item) (body.Map, error) {
	if strings.HasPrefix(st.Key, "__") || st.Key == "order" || st.Key == "name" {
		return nil, fmt.Errorf("ID %s: %q is not a reaction", id, st.Key)
	}
	typ, fun, _ := strings.Cut(st.Key, ".")
	if _, ok := reactionTypes[typ]; !ok {
		return nil, fmt.Errorf("ID %s: %q is not a reaction: its type %q is none of local (cmd), runner, wheel", id, st.Key, typ)
	}
	// state keeps cmd as written: Salt sorts before it resolves the alias.
	low := body.Map{{Key: "state", Value: typ}, {Key: "__id__", Value: id}, {Key: "name", Value: id}}
	var args []any
	switch v := st.Value.(type) {
	case []any:
		args = v
	case nil:
	default:
		return nil, fmt.Errorf("ID %s: the arguments of %s are %T, not a list", id, st.Key, v)
	}
	for _, a := range args {
		switch a := a.(type) {
		case string:
			if fun != "" {
				return nil, fmt.Errorf("ID %s: %s names its function twice (%s, %s)", id, st.Key, fun, a)
			}
			fun = a
		case body.Map:
			for _, kv := range a {
				low.Set(kv.Key, kv.Value)
			}
		default:
			return nil, fmt.Errorf("ID %s: an argument of %s is %T, not a mapping", id, st.Key, a)
		}
	}
	if fun == "" {
		return nil, fmt.Errorf("ID %s: %s names no function", id, st.Key)
	}
	low.Set("fun", fun)
	low.Set("__sls__", file)
	return low, nil
}

// orderReactions is what the reactor runs of the reactions of all the
// files of one event, in Salt's order: an id a later file declares again
// replaces the earlier one's (high.update), then Compiler.order_chunks
// sorts by order (a number; first; last; none is after every number) and
// then by state, name and fun written together.
func orderReactions(lows []body.Map) []body.Map {
	last := map[string]int{} // id: index of the file (by __sls__ order) that declared it last
	files := []string{}
	for _, l := range lows {
		sls, _ := l.String("__sls__")
		if !slices.Contains(files, sls) {
			files = append(files, sls)
		}
		id, _ := l.String("__id__")
		last[id] = slices.Index(files, sls)
	}
	var kept []body.Map
	for _, l := range lows {
		sls, _ := l.String("__sls__")
		id, _ := l.String("__id__")
		if last[id] == slices.Index(files, sls) {
			kept = append(kept, l)
		}
	}
	capOrder := 1.0
	for _, l := range kept {
		if o, ok := orderNumber(l); ok && o > capOrder-1 && o > 0 {
			capOrder = o + 100
		}
	}
	rank := func(l body.Map) float64 {
		v, has := l.Get("order")
		if !has {
			return capOrder
		}
		if o, ok := orderNumber(l); ok {
			if o < 0 {
				return capOrder + 1000000 + o
			}
			return o
		}
		switch v {
		case "first":
			return 0
		case "last":
			return capOrder + 1000000
		}
		return capOrder
	}
	key := func(l body.Map) string {
		s, _ := l.Get("state")
		n, _ := l.Get("name")
		f, _ := l.Get("fun")
		return fmt.Sprint(s, n, f)
	}
	slices.SortStableFunc(kept, func(a, b body.Map) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return strings.Compare(key(a), key(b))
	})
	return kept
}

// orderNumber reads a reaction's numeric order.
func orderNumber(l body.Map) (float64, bool) {
	switch v, _ := l.Get("order"); v := v.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// idError is err in the file, at the line that declares the id when the
// file's text writes it as it is (an id a template makes is not found:
// the error then names the file only).
func idError(file string, text []byte, id string, err error) error {
	line := 0
	for i, l := range strings.Split(string(text), "\n") {
		for _, form := range []string{id, "'" + id + "'", `"` + id + `"`} {
			if strings.HasPrefix(l, form+":") {
				line = i + 1
				break
			}
		}
		if line > 0 {
			break
		}
	}
	return &render.Error{File: file, Line: line, Err: err}
}
