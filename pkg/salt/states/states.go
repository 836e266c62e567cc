// Package states holds Salt's state functions (salt/states/*.py of Salt
// 3006) in Go: test.*, cmd.*, file.*, module.run. Each takes the arguments
// Salt's function takes, from the low chunk, and returns Salt's ret: the
// same comments, the same changes shapes, result None with the predicted
// changes under test=True. They reach the minion only through state.Env.
package states

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// Register adds every state function of this package to r.
func Register(r state.Registry) {
	registerTest(r)
	registerCmd(r)
	registerFile(r)
	registerModule(r)
	registerPkg(r)
	registerService(r)
	registerHost(r)
	registerGroup(r)
	registerCron(r)
	registerCronEnv(r)
	registerGit(r)
	registerArchive(r)
	registerUser(r)
	orderRets(r)
}

// testNote ends the comment of a file state that would change under
// test=True, as Salt's file states write it.
const testNote = "\nNote: No changes made, actual changes may\nbe different due to other states."

var (
	yes = true
	no  = false
)

// boolp is a *bool for Ret.Result.
func boolp(b bool) *bool {
	if b {
		return &yes
	}
	return &no
}

// newRet is Salt's {"name": name, "changes": {}, "result": result, "comment": ""}.
func newRet(name string, result *bool) state.Ret {
	return state.Ret{Name: name, Result: result, Changes: body.Map{}}
}

// failRet is a ret with result False and comment msg.
func failRet(name, msg string) state.Ret {
	r := newRet(name, &no)
	r.Comment = msg
	return r
}

// args reads a chunk's arguments as Salt's function signature would
// receive them.
type args struct{ m body.Map }

func argsOf(c *state.Call) args { return args{c.Low.Args} }

func (a args) has(key string) bool {
	v, ok := a.m.Get(key)
	return ok && v != nil
}

func (a args) get(key string) any {
	v, _ := a.m.Get(key)
	return v
}

// str is the argument as Python's str() would print it, def when absent
// or None.
func (a args) str(key, def string) string {
	v, ok := a.m.Get(key)
	if !ok || v == nil {
		return def
	}
	return pyStr(v)
}

// boolean is the argument's truth, def when absent or None.
func (a args) boolean(key string, def bool) bool {
	v, ok := a.m.Get(key)
	if !ok || v == nil {
		return def
	}
	return truthy(v)
}

// isTrue is the argument compared `is True`: only a real boolean true.
func (a args) isTrue(key string) bool {
	b, ok := a.get(key).(bool)
	return ok && b
}

// strList is a list argument (a single string is a list of one).
func (a args) strList(key string) []string {
	switch v := a.get(key).(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, pyStr(x))
		}
		return out
	case []string:
		return v
	}
	return []string{pyStr(a.get(key))}
}

// truthy is Python's bool(v).
func truthy(v any) bool { return py.Truthy(v) }

// pyStr is Python's str(v).
func pyStr(v any) string { return py.Str(v) }

// stateKeywords are the arguments the state system itself takes on every
// state; a state function passing its **kwargs on to an execution
// function leaves them out.
var stateKeywords = map[string]bool{
	"name": true, "names": true, "unless": true, "onlyif": true, "creates": true,
	"check_cmd": true, "retry": true, "parallel": true, "failhard": true,
	"reload_modules": true, "reload_grains": true, "reload_pillar": true,
	"fire_event": true, "saltenv": true, "state": true, "fun": true,
	"order": true, "sfun": true, "__id__": true, "__sls__": true, "__env__": true,
}

// comments joins lines as Salt's "\n".join(comments).
func comments(lines []string) string { return strings.Join(lines, "\n") }
