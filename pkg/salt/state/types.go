// Package state is Salt's state system on a minion with no Python: SLS
// files compiled to high data and low chunks (compile side), run in order
// with their requisites (runtime), by state functions registered by name
// (pkg/salt/states). It follows Salt 3006's salt/state.py; what an
// operator sees (the return dict, its keys, comments and retcodes) is
// Salt's.
package state

import (
	"context"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/render"
)

// Low is one low chunk: one state function call with its arguments, as
// State.compile_high_data makes it from high data.
type Low struct {
	State string // the state module: "file"
	Fun   string // the function: "managed"
	ID    string // the state ID (__id__)
	Name  string // the name argument (the ID when none is given)
	SLS   string // the sls it came from (__sls__), "" for state.single
	Env   string // its saltenv (__env__)
	// Order is its place in the run: the "order" argument, else definition
	// order (state_auto_order), as Salt orders chunks.
	Order int
	// Args are the function's other arguments, in the order written,
	// requisites, order and the __ keys left out.
	Args body.Map
	// Reqs are the chunk's requisites with the _in forms already turned
	// around onto this chunk by the compiler.
	Reqs []Requisite
	// Chunk is the chunk as Salt's low data, keys in Salt's order (what
	// state.show_lowstate prints); nil for a Low made by hand.
	Chunk body.Map
}

// Requisite is one entry of a requisite list: `- require: - file: foo`
// is {Kind: "require", State: "file", Ref: "foo"}; `- sls: bar` has
// State "sls"; `- foo` alone (an ID) has State "".
type Requisite struct {
	Kind  string // require, watch, onchanges, onfail, prereq, use, listen, and the _any/_all forms
	State string
	Ref   string // a state ID or a name (Salt matches both)
}

// Tag is the key of a chunk's return in a state run's result:
// "<state>_|-<id>_|-<name>_|-<fun>".
func (l *Low) Tag() string {
	return strings.Join([]string{l.State, l.ID, l.Name, l.Fun}, "_|-")
}

// Ret is what a state function returns, Salt's ret dict.
type Ret struct {
	Name string
	// NameList, when not nil, is the return's "name" instead of Name:
	// module.run's new syntax returns the list of functions it called.
	NameList []any
	// Result is True, False, or nil for None (test=True: it would change).
	Result  *bool
	Comment string
	// Changes are the changes made (or, with test=True, those that would
	// be, as Salt's state modules put them in "changes").
	Changes body.Map
	// Order is the order Salt's function builds name, changes, result
	// and comment in, which its JSON return keeps (file.managed:
	// changes, comment, name, result; test.mod_watch: name, result,
	// comment, changes); nil is the usual name, changes, result, comment.
	Order []string
	// Extra are the further keys Salt's function returns, after those
	// four ("warnings": [...]).
	Extra body.Map
	// Warnings go in the return's "warnings" when not empty
	// (test.configurable_test_state warnings=, states that warn).
	Warnings []string
}

// Call is one call of a state function.
type Call struct {
	Low  *Low
	Test bool // test=True: say what would change, change nothing
	Env  *Env
	// Watched are, for a mod_watch call fired by watch requisites, the
	// chunks it watches (Salt's __low__["__reqs__"]["watch"]); nil
	// otherwise.
	Watched []*Low
	// Running is, for a mod_watch call, the run's returns so far by tag
	// (Salt's __running__): test.mod_watch lists the watched states that
	// changed. Nil for other calls.
	Running body.Map
}

// Env is what state functions reach on the minion.
type Env struct {
	Grains, Pillar, Opts map[string]any
	Saltenv              string
	// Modules calls an execution function: salt['fun'](*args, **kwargs)
	// (module.run, cmd.*, onlyif/unless given as functions).
	Modules render.Caller
	// Files fetches salt:// sources (file.managed, file.recurse,
	// cmd.script, archive.extracted).
	Files *fileclient.Client
	// Render renders templates (file.managed template: jinja).
	Render *render.Renderer
}

// Func is a state function: file.managed, cmd.run, test.nop, and the
// mod_watch of a module ("service.mod_watch").
type Func func(ctx context.Context, c *Call) Ret

// Registry holds the state functions by "<module>.<function>".
type Registry map[string]Func
