package runner

import (
	"fmt"
	"regexp"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// stateFuncs are the runners of Salt's state runner that this master
// offers: state.event.
func stateFuncs(env *Env) []modules.Func {
	return []modules.Func{{
		Name: "state.event",
		Params: []modules.Param{{Name: "tagmatch", Default: "*"}, {Name: "count", Default: int64(-1)},
			{Name: "quiet", Default: false}, {Name: "sock_dir"}, {Name: "pretty", Default: false},
			{Name: "node", Default: "master"}},
		Doc:  stateDocs["event"],
		Call: env.stateEvent,
	}}
}

// stateEvent is state.event (salt/modules/state.py event, which the runner
// calls): every event of the master's bus whose tag matches tagmatch (a
// glob, or a regular expression matching the whole tag) is printed as
// "<tag>\t<json>", the JSON on one line, or indented 4 with its keys
// sorted with pretty; after count matching events (-1: never) it returns
// None. The master's bus is read over its lane; node=minion, a minion's
// bus, is not this runner's to read.
func (e *Env) stateEvent(c *modules.Call) (any, error) {
	tagmatch := str(c.Arg("tagmatch"))
	count, err := py.Int(c.Arg("count"))
	if err != nil {
		return nil, &modules.SaltInvocationError{Msg: fmt.Sprintf("count must be an integer, not %s", py.Repr(c.Arg("count")))}
	}
	if node := str(c.Arg("node")); node != "master" {
		return nil, &modules.SaltInvocationError{Msg: fmt.Sprintf("node %q: salt-run watches the master's event bus only (node=master)", node)}
	}
	if sd := str(c.Arg("sock_dir")); sd != "" && sd != e.Opts.SockDir {
		return nil, &modules.SaltInvocationError{Msg: fmt.Sprintf("sock_dir %s: the master's event bus is in its sock_dir %s", sd, e.Opts.SockDir)}
	}
	quiet, pretty := pyTrue(c.Arg("quiet")), pyTrue(c.Arg("pretty"))
	cl, err := e.Client()
	if err != nil {
		return nil, err
	}
	stream := cl.Stream()
	defer stream.Close()
	match := exprMatcher(tagmatch)
	for {
		ev, err := stream.Next(c.Ctx)
		if err != nil {
			return nil, err
		}
		if !match(ev.Tag) {
			continue
		}
		if !quiet {
			line, err := eventLine(ev.Tag, ev.Data, pretty)
			if err != nil {
				return nil, err
			}
			if _, err := fmt.Fprintln(e.out(), line); err != nil {
				return nil, err
			}
		}
		if count > 0 {
			count--
		}
		if count == 0 {
			return nil, nil
		}
	}
}

// eventLine is how state.event prints an event: the tag, a tab, and the
// data as salt.utils.json.dumps(data, sort_keys=pretty, indent=4 if
// pretty else None) writes it.
func eventLine(tag string, data any, pretty bool) (string, error) {
	indent := -1
	js, err := output.JSONOut(data, &indent, pretty)
	if err != nil {
		return "", fmt.Errorf("event %s: %w", tag, err)
	}
	return tag + "\t" + js, nil
}

// exprMatcher is salt.utils.stringutils.expr_match for one expression: a
// glob (fnmatch), or else a regular expression matching the whole line
// (re.match(r"\A{expr}\Z")); an expression that is no valid regular
// expression is a glob only.
func exprMatcher(expr string) func(string) bool {
	var re *regexp.Regexp
	if r, err := py.CompileRegexp(`\A` + expr + `\Z`); err == nil {
		re = r
	}
	return func(line string) bool {
		return py.Fnmatch(line, expr) || (re != nil && re.MatchString(line))
	}
}
