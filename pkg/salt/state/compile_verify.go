package state

import (
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// reconcileExtend is State.reconcile_extend: each __extend__ entry's
// arguments merged into the ID it names (or the one ID whose name it
// is): a function replaces the function, a requisite list is extended,
// another argument of the same key is replaced, a new one appended.
func reconcileExtend(high body.Map, strict bool) (body.Map, []string) {
	v, ok := high.Get("__extend__")
	if !ok {
		return high, nil
	}
	high.Delete("__extend__")
	var errs []string
	excluded := excludedSLS(high)
	for _, ext := range listOf(v) {
		em, _ := ext.(body.Map)
		for _, it := range em {
			decl, _ := it.Value.(body.Map)
			name, stateType := it.Key, firstState(decl)
			if target, ok := high.Get(name); !ok || !mapHas(target, stateType) {
				ids := findName(name, stateType, high, strict)
				if len(ids) != 1 {
					errs = append(errs, fmt.Sprintf("Cannot extend ID '%[1]s' in '%[2]s:%[3]s'. It is not part of the high state.\n"+
						"This is likely due to a missing include statement or an incorrectly typed ID.\n"+
						"Ensure that a state with an ID of '%[1]s' is available\nin environment '%[2]s' and to SLS '%[3]s'",
						name, getStrOr(decl, "__env__", "base"), getStrOr(decl, "__sls__", "base")))
					continue
				}
				name = ids[0].id
			}
			if sls, ok := decl.Get("__sls__"); ok && slices.Contains(excluded, py.Str(sls)) {
				continue
			}
			target, _ := high.Get(name)
			tm, _ := target.(body.Map)
			extendDecl(&tm, decl)
			high.Set(name, tm)
		}
	}
	return high, errs
}

// extendDecl merges the state declarations of decl into tm.
func extendDecl(tm *body.Map, decl body.Map) {
	for _, d := range decl {
		if strings.HasPrefix(d.Key, "__") {
			continue
		}
		old, ok := tm.Get(d.Key)
		if !ok {
			tm.Set(d.Key, d.Value)
			continue
		}
		run := listOf(old)
		for _, arg := range listOf(d.Value) {
			update := false
			for i, val := range run {
				if _, isStr := arg.(string); isStr {
					if _, valStr := val.(string); valStr {
						run[i], update = arg, true
					}
					continue
				}
				am, aok := arg.(body.Map)
				vm, vok := val.(body.Map)
				if !aok || !vok || len(am) == 0 || len(vm) == 0 {
					continue
				}
				if am[0].Key == vm[0].Key {
					if slices.Contains(requisiteKeywords, am[0].Key) {
						vm[0].Value = append(listOf(vm[0].Value), listOf(am[0].Value)...)
					} else {
						run[i] = arg
					}
					update = true
				}
				if am[0].Key == "name" && vm[0].Key == "names" {
					run[i] = arg
				}
			}
			if !update {
				run = append(run, arg)
			}
		}
		tm.Set(d.Key, run)
	}
}

// excludedSLS is the sls names high's __exclude__ names.
func excludedSLS(high body.Map) []string {
	var out []string
	v, _ := high.Get("__exclude__")
	for _, e := range listOf(v) {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case body.Map:
			if s, ok := x.Get("sls"); ok && py.Truthy(s) {
				out = append(out, py.Str(s))
			}
		}
	}
	return out
}

// firstState is the first key of a declaration not starting with "__".
func firstState(decl body.Map) string {
	for _, it := range decl {
		if !strings.HasPrefix(it.Key, "__") {
			return it.Key
		}
	}
	return ""
}

func mapHas(v any, key string) bool {
	m, ok := v.(body.Map)
	return ok && m.Has(key)
}

func getStrOr(m body.Map, key, def string) string {
	if v, ok := m.Get(key); ok {
		return py.Str(v)
	}
	return def
}

// idState is one (ID, state) found by findName.
type idState struct{ id, state string }

// findName is salt.state.find_name: the IDs that are name, or (for
// "sls") the IDs of that sls, or whose state declaration has an argument
// whose value is name.
func findName(name, state string, high body.Map, strict bool) []idState {
	if v, ok := high.Get(name); ok && (!strict || mapHas(v, state)) {
		return []idState{{name, state}}
	}
	var out []idState
	for _, it := range high {
		decl, ok := it.Value.(body.Map)
		if !ok || strings.HasPrefix(it.Key, "__") {
			continue
		}
		if state == "sls" {
			if getStr(decl, "__sls__") == name {
				out = append(out, idState{it.Key, decl[0].Key})
			}
			continue
		}
		run, _ := decl.Get(state)
		for _, arg := range listOf(run) {
			if m, ok := arg.(body.Map); ok && len(m) == 1 && py.Str(m[0].Value) == name {
				if _, isStr := m[0].Value.(string); isStr {
					out = append(out, idState{it.Key, state})
				}
			}
		}
	}
	return out
}

// applyExclude is State.apply_exclude: IDs named by {id: x} and the IDs
// of the sls named (globs) by "x" or {sls: x} are dropped.
func applyExclude(high body.Map) body.Map {
	v, ok := high.Get("__exclude__")
	if !ok {
		return high
	}
	high.Delete("__exclude__")
	var exSLS, exID []string
	for _, e := range listOf(v) {
		switch x := e.(type) {
		case string:
			exSLS = append(exSLS, x)
		case body.Map:
			if len(x) != 1 {
				continue
			}
			switch x[0].Key {
			case "sls":
				exSLS = append(exSLS, py.Str(x[0].Value))
			case "id":
				exID = append(exID, py.Str(x[0].Value))
			}
		}
	}
	for _, it := range high {
		decl, ok := it.Value.(body.Map)
		sls := getStr(decl, "__sls__")
		if !ok || strings.HasPrefix(it.Key, "__") || sls == "" {
			continue
		}
		if slices.ContainsFunc(exSLS, func(p string) bool { return py.Fnmatch(sls, p) }) {
			exID = append(exID, it.Key)
		}
	}
	for _, id := range exID {
		high.Delete(id)
	}
	return high
}
