package modules

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// onfailHandled is check_onfail_requisites: a failed state does not fail
// the run when states of the high data onfail on it with onfail_stop:
// False and every one of those that ran succeeded. It is false when there
// are none.
func onfailHandled(tag string, result any, running body.Map, high body.Map) bool {
	if tag == "" || !py.Truthy(result) || high == nil {
		return false
	}
	handlers := onfailHandlers(tag, high)
	if len(handlers) == 0 {
		return false
	}
	var nret any // None, True or False
	for _, h := range handlers {
		for _, it := range running {
			rstate, _ := py.DictItems(it.Value)
			state, id := h.mod, ""
			if strings.Contains(it.Key, "_|-") {
				comps := strings.SplitN(it.Key, "_|-", 4)
				state, id = comps[0], comps[min(1, len(comps)-1)]
			} else if v, ok := rstate.Get("__id__"); ok {
				id = py.Str(v)
			} else {
				id = it.Key
			}
			if h.mod != state || h.id != id {
				continue
			}
			r, _ := rstate.Get("result")
			if r == true || r == false {
				nret = r
			}
			if r == false {
				break
			}
		}
		if nret == nil {
			nret = false
		}
	}
	return nret == true
}

// onfailHandler is a state of the high data that onfails on another with
// onfail_stop: False.
type onfailHandler struct{ id, mod string }

// onfailHandlers is search_onfail_requisites.
func onfailHandlers(tag string, high body.Map) []onfailHandler {
	sid, sstate := tag, ""
	if strings.Contains(tag, "_|-") {
		comps := strings.SplitN(tag, "_|-", 4)
		sstate, sid = comps[0], comps[min(1, len(comps)-1)]
	}
	var out []onfailHandler
	for _, st := range high {
		if st.Key == sid {
			continue
		}
		mods, _ := py.DictItems(st.Value)
		for _, m := range mods {
			chunk, ok := py.ListItems(m.Value)
			if strings.HasPrefix(m.Key, "__") || !ok || !onfailStopOff(chunk) {
				continue
			}
			for _, fdata := range chunk {
				d, _ := py.DictItems(fdata)
				reqs, _ := d.Get("onfail")
				list, _ := py.ListItems(reqs)
				for _, r := range list {
					req, _ := py.DictItems(r)
					for _, fr := range req {
						if py.Str(fr.Value) == sid && (sstate == "" || fr.Key == sstate) {
							out = append(out, onfailHandler{st.Key, m.Key})
						}
					}
				}
			}
		}
	}
	return out
}

// onfailStopOff reports a chunk with onfail_stop: False.
func onfailStopOff(chunk []any) bool {
	for _, fdata := range chunk {
		d, ok := py.DictItems(fdata)
		if !ok {
			continue
		}
		if v, ok := d.Get("onfail_stop"); ok && v == false {
			return true
		}
	}
	return false
}
