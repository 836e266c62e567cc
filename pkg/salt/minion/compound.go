package minion

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// runCompound runs a compound command (fun a list of functions, arg a
// list of argument lists), one function after another, as Salt 3006's
// _thread_multi_return does without multifunc_ordered: the return load
// holds a mapping by function of each return, retcode and success. A
// function that raised returns its error with retcode and success left
// as a failure. The load's fun and fun_args are the lists published.
func (m *Minion) runCompound(pub protocol.Pub, load body.Map) body.Map {
	funs, args, err := compoundParts(load)
	if err != nil {
		m.log.Warnf("Job %s: %v", pub.Jid, err)
		rc := int64(1)
		fun, _ := load.Get("fun")
		return job.ReturnLoad(job.Return{Return: err.Error(), Retcode: &rc, JID: pub.Jid, Fun: fun, ID: m.id, Out: "nested"})
	}
	ret, retcodes, success := body.Map{}, body.Map{}, body.Map{}
	for i, fun := range funs {
		one := pub
		one.Fun, one.Arg = fun, args[i]
		res := m.modules.Run(m.jobCtx, fun, args[i], one)
		ret.Set(fun, res.Return)
		retcodes.Set(fun, int64(res.Retcode))
		success.Set(fun, res.Retcode == 0 && !res.Raised)
	}
	funList := make([]any, len(funs))
	funArgs := make([]any, len(funs))
	for i, f := range funs {
		funList[i] = f
		funArgs[i] = modules.StripKwargMarkers(args[i])
	}
	out := job.ReturnLoad(job.Return{Return: ret, JID: pub.Jid, Fun: funList, FunArgs: funArgs, ID: m.id})
	out.Set("success", success)
	out.Set("retcode", retcodes)
	// ReturnLoad left retcode out (no *int64): put it after return, where
	// the jobber's loads have it.
	return moveAfter(out, "retcode", "return")
}

// compoundParts reads a compound command's functions and argument lists;
// a list of arguments shorter than the functions gives the rest none.
func compoundParts(load body.Map) ([]string, [][]any, error) {
	f, _ := load.Get("fun")
	var funs []string
	switch x := f.(type) {
	case []string:
		funs = x
	case []any:
		for _, v := range x {
			s, ok := v.(string)
			if !ok {
				return nil, nil, fmt.Errorf("a compound command's function is %T, not a name", v)
			}
			funs = append(funs, s)
		}
	default:
		return nil, nil, fmt.Errorf("fun is %T, neither a name nor a list of them", f)
	}
	a, _ := load.Get("arg")
	lists, _ := a.([]any)
	args := make([][]any, len(funs))
	for i := range funs {
		args[i] = []any{}
		if i < len(lists) {
			l, ok := lists[i].([]any)
			if !ok {
				return nil, nil, fmt.Errorf("the arguments of %s in a compound command are %T, not a list", funs[i], lists[i])
			}
			args[i] = l
		}
	}
	return funs, args, nil
}

// moveAfter moves key to just after the key after in m.
func moveAfter(m body.Map, key, after string) body.Map {
	var moved body.Item
	out := make(body.Map, 0, len(m))
	for _, it := range m {
		if it.Key == key {
			moved = it
			continue
		}
		out = append(out, it)
	}
	for i, it := range out {
		if it.Key == after {
			return append(out[:i+1], append(body.Map{moved}, out[i+1:]...)...)
		}
	}
	return append(out, moved)
}
