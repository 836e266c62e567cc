package minion

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// applyExclude is State.apply_exclude for the exclude= argument: a
// string or {"sls": pattern} drops the IDs of the matching sls, {"id":
// id} drops that ID.
func applyExclude(high body.Map, exclude []any) body.Map {
	if len(exclude) == 0 {
		return high
	}
	var slsPats []string
	ids := map[string]bool{}
	for _, ex := range exclude {
		if s, ok := ex.(string); ok {
			slsPats = append(slsPats, s)
			continue
		}
		d, ok := py.DictItems(ex)
		if !ok || len(d) != 1 {
			continue
		}
		switch d[0].Key {
		case "sls":
			slsPats = append(slsPats, py.Str(d[0].Value))
		case "id":
			ids[py.Str(d[0].Value)] = true
		}
	}
	out := body.Map{}
	for _, it := range high {
		if ids[it.Key] || excludedSLS(it, slsPats) {
			continue
		}
		out = append(out, it)
	}
	return out
}

func excludedSLS(it body.Item, pats []string) bool {
	if len(it.Key) >= 2 && it.Key[:2] == "__" {
		return false
	}
	m, _ := py.DictItems(it.Value)
	sls, _ := m.Get("__sls__")
	for _, p := range pats {
		if py.Fnmatch(py.Str(sls), p) {
			return true
		}
	}
	return false
}

// lowData is show_lowstate's return: each chunk as Salt's low dict,
// state, name, __sls__, __env__, __id__, the arguments, the requisites
// (in Salt's list form), fun and order.
func lowData(chunks []state.Low) []any {
	out := make([]any, len(chunks))
	for i := range chunks {
		out[i] = lowDict(&chunks[i])
	}
	return out
}

func lowDict(l *state.Low) body.Map {
	m := body.Map{{Key: "state", Value: l.State}, {Key: "name", Value: l.Name}}
	if l.SLS != "" {
		m = append(m, body.Item{Key: "__sls__", Value: l.SLS})
	}
	if l.Env != "" {
		m = append(m, body.Item{Key: "__env__", Value: l.Env})
	}
	m = append(m, body.Item{Key: "__id__", Value: l.ID})
	m = append(m, l.Args...)
	for _, r := range l.Reqs {
		var entry any = r.Ref
		if r.State != "" {
			entry = body.Map{{Key: r.State, Value: r.Ref}}
		}
		prev, _ := m.Get(r.Kind)
		list, _ := prev.([]any)
		m.Set(r.Kind, append(list, entry))
	}
	m = append(m, body.Item{Key: "fun", Value: l.Fun}, body.Item{Key: "order", Value: l.Order})
	return m
}
