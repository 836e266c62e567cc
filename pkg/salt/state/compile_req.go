package state

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// verifyHigh is State.verify_high: the structural checks of high data,
// in Salt's words.
func verifyHigh(high body.Map) []string {
	var errs []string
	v := &verifier{reqs: map[string]map[string]string{}}
	for _, it := range high {
		if strings.HasPrefix(it.Key, "__") {
			continue
		}
		decl, ok := it.Value.(body.Map)
		if !ok {
			errs = append(errs, fmt.Sprintf("The type %s in %s is not formatted as a dictionary", it.Key, py.Str(it.Value)))
			continue
		}
		sls := getStr(decl, "__sls__")
		for _, d := range decl {
			if strings.HasPrefix(d.Key, "__") {
				continue
			}
			errs = append(errs, v.decl(it.Key, sls, d)...)
		}
	}
	return errs
}

// verifier is one verify_high: the requisites seen so far, per ID (the
// declaring state under "state", each required ID's requisite kind), to
// find two states that require each other.
type verifier struct {
	reqs map[string]map[string]string
}

// decl checks one state declaration of id.
func (v *verifier) decl(id, sls string, d body.Item) []string {
	if d.Value == nil {
		return []string{fmt.Sprintf("ID '%s' in SLS '%s' contains a short declaration (%s) with a trailing colon. "+
			"When not passing any arguments to a state, the colon must be omitted.", id, sls, d.Key)}
	}
	run, ok := d.Value.([]any)
	if !ok {
		return []string{fmt.Sprintf("State '%s' in SLS '%s' is not formed as a list", id, sls)}
	}
	var errs []string
	fun := 0
	if strings.Contains(d.Key, ".") {
		fun++
	}
	for _, arg := range run {
		switch a := arg.(type) {
		case string:
			fun++
			if strings.Contains(strings.TrimSpace(a), " ") {
				errs = append(errs, fmt.Sprintf("The function \"%s\" in state \"%s\" in SLS \"%s\" has whitespace, a function with "+
					"whitespace is not supported, perhaps this is an argument that is missing a \":\"", a, id, sls))
			}
		case body.Map:
			errs = append(errs, v.arg(id, sls, d.Key, a)...)
		}
	}
	switch {
	case fun == 0 && d.Key != "require" && d.Key != "watch":
		errs = append(errs, fmt.Sprintf("No function declared in state '%s' in SLS '%s'", d.Key, sls))
	case fun > 1:
		errs = append(errs, fmt.Sprintf("Too many functions declared in state '%s' in SLS '%s'", d.Key, sls))
	}
	return errs
}

// verifyArg checks one argument mapping: names and requisites are lists
// of single-key mappings (or IDs), requisite types have no dots.
func (v *verifier) arg(id, sls, state string, a body.Map) []string {
	if len(a) == 0 {
		return nil
	}
	var errs []string
	first := a[0]
	if _, isList := first.Value.([]any); first.Key == "names" && !isList {
		errs = append(errs, fmt.Sprintf("The 'names' argument in state '%s' in SLS '%s' needs to be formed as a list", id, sls))
	}
	switch first.Key {
	case "require", "watch", "prereq", "onchanges":
		list, isList := first.Value.([]any)
		if !isList {
			errs = append(errs, fmt.Sprintf("The %s statement in state '%s' in SLS '%s' needs to be formed as a list", first.Key, id, sls))
			break
		}
		v.reqs[id] = map[string]string{"state": state}
		for _, req := range list {
			errs = append(errs, v.req(id, sls, state, req)...)
		}
	}
	if len(a) != 1 {
		errs = append(errs, fmt.Sprintf("Multiple dictionaries defined in argument of state '%s' in SLS '%s'", id, sls))
	}
	return errs
}

// req checks one requisite entry.
func (v *verifier) req(id, sls, state string, req any) []string {
	if s, ok := req.(string); ok {
		req = body.Map{{Key: "id", Value: s}}
	}
	m, ok := req.(body.Map)
	if !ok || len(m) == 0 {
		return []string{fmt.Sprintf("Requisite declaration %s in SLS %s is not formed as a single key dictionary", py.Repr(req), sls)}
	}
	var errs []string
	key, val := m[0].Key, m[0].Value
	if i := strings.IndexByte(key, '.'); i >= 0 {
		errs = append(errs, fmt.Sprintf("Invalid requisite type '%s' in state '%s', in SLS '%s'. Requisite types must not contain dots, did you mean '%s'?",
			key, id, sls, key[:i]))
	}
	switch val.(type) {
	case body.Map, []any:
		return append(errs, fmt.Sprintf("Illegal requisite \"%s\", please check your syntax.\n", py.Repr(val)))
	}
	ref := py.Str(val)
	v.reqs[id][ref] = key
	if other, ok := v.reqs[ref]; ok && other[id] == state && other["state"] == v.reqs[id][ref] {
		errs = append(errs, fmt.Sprintf("A recursive requisite was found, SLS \"%s\" ID \"%s\" ID \"%s\"", sls, id, ref))
	}
	return errs
}

// reqIn is what requisite_in gathers: per ID, per state, the arguments
// to extend it with, in the order first named.
type reqIn struct {
	ext body.Map
}

// add appends {rkey: [{state: id}]} to name's state declaration, or
// extends the rkey list already there.
func (r *reqIn) add(name, state, rkey string, ref body.Map, env, sls any) {
	decl, _ := mustGet(r.ext, name).(body.Map)
	run := listOf(mustGet(decl, state))
	if env != nil {
		decl.Set(state, run)
		decl.Set("__env__", env)
		decl.Set("__sls__", sls)
	}
	for _, a := range run {
		if m, ok := a.(body.Map); ok && len(m) > 0 && m[0].Key == rkey {
			m[0].Value = append(listOf(m[0].Value), ref)
			decl.Set(state, run)
			r.ext.Set(name, decl)
			return
		}
	}
	decl.Set(state, append(run, body.Map{{Key: rkey, Value: []any{ref}}}))
	r.ext.Set(name, decl)
}

// requisiteIn is State.requisite_in: each require_in, watch_in,
// onchanges_in, onfail_in and prereq(_in) is turned into the requisite on
// the state it names, and use(_in) copies arguments, through an extend
// reconciled strictly. listen_in stays: the runtime turns it (Compile
// gives it to the chunks it names as listen).
func requisiteIn(high body.Map) (body.Map, []string) {
	r := &reqIn{}
	var errs []string
	for _, it := range high {
		decl, ok := it.Value.(body.Map)
		if !ok || strings.HasPrefix(it.Key, "__") {
			continue
		}
		for _, d := range decl {
			if strings.HasPrefix(d.Key, "__") {
				continue
			}
			for _, arg := range listOf(d.Value) {
				a, ok := arg.(body.Map)
				if !ok || len(a) == 0 {
					continue
				}
				switch a[0].Key {
				case "require_in", "watch_in", "onfail_in", "onchanges_in", "prereq", "prereq_in", "use", "use_in":
					errs = append(errs, r.turn(high, it.Key, d.Key, decl, a[0])...)
				}
			}
		}
	}
	ext := make([]any, 0, len(r.ext))
	for _, it := range r.ext {
		ext = append(ext, body.Map{it})
	}
	high.Set("__extend__", ext)
	high, extErrs := reconcileExtend(high, true)
	return high, append(errs, extErrs...)
}

// turn turns one requisite-in argument of id's state declaration.
func (r *reqIn) turn(high body.Map, id, state string, decl body.Map, arg body.Item) []string {
	key := arg.Key
	rkey, _, _ := strings.Cut(key, "_")
	env, sls := mustGet(decl, "__env__"), mustGet(decl, "__sls__")
	var errs []string
	var hinges []idState
	items, isMap := arg.Value.(body.Map)
	if !isMap {
		items = nil
		for _, ind := range listOf(arg.Value) {
			m, ok := ind.(body.Map)
			if !ok {
				m = bareRef(high, py.Str(ind))
			}
			if len(m) == 0 {
				continue
			}
			if m[0].Key == "sls" {
				hinges = findName(py.Str(m[0].Value), "sls", high, false)
			} else {
				hinges = append(hinges, idState{py.Str(m[0].Value), m[0].Key})
			}
		}
	} else {
		for _, kv := range items {
			hinges = append(hinges, idState{py.Str(kv.Value), kv.Key})
		}
	}
	for _, h := range hinges {
		st := h.state
		if i := strings.IndexByte(st, '.'); i >= 0 {
			errs = append(errs, fmt.Sprintf("Invalid requisite in %s: %s for %s, in SLS '%s'. Requisites must not contain dots, did you mean '%s'?",
				rkey, st, h.id, py.Str(sls), st[:i]))
			st = st[:i]
		}
		switch key {
		case "use", "use_in":
			r.use(high, key == "use_in", id, state, h, st)
			continue
		case "prereq_in":
			r.add(id, state, "prerequired", body.Map{{Key: st, Value: h.id}}, nil, nil)
		case "prereq":
			for _, e := range findName(h.id, st, high, true) {
				r.add(e.id, e.state, "prerequired", body.Map{{Key: state, Value: id}}, nil, nil)
			}
			continue
		}
		r.add(h.id, st, rkey, body.Map{{Key: state, Value: id}}, env, sls)
	}
	return errs
}

// bareRef is a requisite-in entry given as a bare ID or name: {state:
// id} of the ID, or of the one whose name argument it is; nil when none.
func bareRef(high body.Map, ind string) body.Map {
	if v, ok := high.Get(ind); ok {
		if st := firstState(asMap(v)); st != "" {
			return body.Map{{Key: st, Value: ind}}
		}
	}
	var found body.Map
	for _, it := range high {
		decl := asMap(it.Value)
		for _, d := range decl {
			if strings.HasPrefix(d.Key, "__") {
				continue
			}
			for _, a := range listOf(d.Value) {
				if m, ok := a.(body.Map); ok && py.Str(mustGet(m, "name")) == ind && m.Has("name") {
					found = body.Map{{Key: d.Key, Value: it.Key}}
				}
			}
		}
	}
	return found
}

func asMap(v any) body.Map {
	m, _ := v.(body.Map)
	return m
}

// use is the use and use_in requisites: the arguments of the state named
// (use) or of this one (use_in) that the other lacks are added to it,
// requisites, name and names left out.
func (r *reqIn) use(high body.Map, in bool, id, state string, h idState, st string) {
	for _, e := range findName(h.id, st, high, true) {
		if e.id == "" {
			continue
		}
		fromID, fromState, toID, toState := e.id, e.state, id, state
		if in {
			fromID, fromState, toID, toState = id, state, e.id, e.state
		}
		ignore := stateArgs(high, toID, toState)
		for _, a := range listOf(mustGet(asMap(mustGet(high, fromID)), fromState)) {
			m, ok := a.(body.Map)
			if !ok || len(m) != 1 || ignore[m[0].Key] || useIgnored(m[0].Key) {
				continue
			}
			r.appendArg(toID, toState, m)
		}
	}
}

// useIgnored is req_in_all with name and names: what use never copies.
func useIgnored(key string) bool {
	switch key {
	case "require_in", "watch_in", "onfail_in", "onchanges_in", "use", "use_in", "prereq", "prereq_in",
		"require", "watch", "onfail", "onfail_stop", "onchanges", "name", "names":
		return true
	}
	return false
}

// stateArgs is salt.state.state_args: the argument keys of id's state.
func stateArgs(high body.Map, id, state string) map[string]bool {
	out := map[string]bool{}
	for _, a := range listOf(mustGet(asMap(mustGet(high, id)), state)) {
		if m, ok := a.(body.Map); ok && len(m) == 1 {
			out[m[0].Key] = true
		}
	}
	return out
}

// appendArg adds one argument to name's state in the extend.
func (r *reqIn) appendArg(name, state string, arg body.Map) {
	decl := asMap(mustGet(r.ext, name))
	decl.Set(state, append(listOf(mustGet(decl, state)), arg))
	r.ext.Set(name, decl)
}

// Verify is State.verify_high: the structural errors of high data, what
// state.show_sls reports (it neither extends nor compiles).
func Verify(h High) []string { return verifyHigh(h) }
