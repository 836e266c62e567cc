package modules

import (
	"context"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// States is the minion's state system (compiler, runtime and state
// functions) as the state module reaches it: one request, one reply. The
// module does what Salt's salt/modules/state.py does around the state
// system (arguments, test, pillar=, one run at a time, retcodes); the
// implementation compiles and runs.
type States interface {
	Run(ctx context.Context, req StateRequest) (StateReply, error)
}

// StateOp is what a StateRequest asks the state system to do.
type StateOp int

// The operations, one per state.* function that reaches the state system.
const (
	OpHighstate     StateOp = iota // run the top file's sls for this minion
	OpSLS                          // run Mods
	OpSLSID                        // run the chunks of ID in Mods
	OpSingle                       // run one state function: Fun, Name, Kwargs
	OpShowSLS                      // the high data of Mods
	OpShowTop                      // the top file's sls per saltenv for this minion
	OpShowHighstate                // the high data of the highstate
	OpShowLowstate                 // the low chunks of the highstate
)

// StateRequest is one call into the state system.
type StateRequest struct {
	Op   StateOp
	Mods []string // the sls names of OpSLS, OpSLSID and OpShowSLS
	ID   string   // the state ID of OpSLSID
	// Fun ("file.managed"), Name and Kwargs (the state's other arguments,
	// __pub_* left out) are OpSingle's state.
	Fun, Name string
	Kwargs    body.Map
	// Saltenv is the environment: "" for a highstate means every
	// environment of the top file; the sls operations always get one.
	Saltenv   string
	Pillarenv string
	// Pillar is the pillar= override merged over the minion's pillar; nil
	// for none.
	Pillar  body.Map
	Test    bool
	Exclude []any // sls= and id= entries excluded (exclude=)
	Jid     string
}

// StateReply is what the state system returns.
type StateReply struct {
	// Return is the run's result dict (tag → state return) for the run
	// operations; the high data, top matches or low chunks for show_*.
	Return any
	// High is the high data a run came from (check_result reads its
	// onfail_stop); nil when there is none.
	High body.Map
	// Errors are the render and compile errors, which Salt returns
	// instead of a result (a list of strings, retcode 1).
	Errors []string
	// PillarErrors are the pillar's _errors: the run does not start.
	PillarErrors []string
}

// Exit codes of salt/defaults/exitcodes.py the state module sets.
const (
	exStateCompilerError = 1
	exStateFailure       = 2
	exPillarFailure      = 5
)

// stateFuncs is Salt's state module (salt/modules/state.py) for the
// functions this minion has, loaded when Options.States is set.
func stateFuncs(opts Options) []Func {
	if opts.States == nil {
		return nil
	}
	mods := Param{Name: "mods", Required: true}
	test := Param{Name: "test", Default: nil}
	queue := Param{Name: "queue", Default: nil}
	events := Param{Name: "state_events", Default: nil}
	return []Func{
		{Name: "state.apply", PyName: "apply_", Params: []Param{{Name: "mods", Default: nil}}, VarKwargs: true, Out: "highstate",
			Doc: docApply, Call: stateApply},
		{Name: "state.test", VarArgs: true, VarKwargs: true, Out: "highstate", Doc: docTest, Call: stateTest},
		{Name: "state.sls", Params: []Param{mods, test, {Name: "exclude", Default: nil}, queue, {Name: "sync_mods", Default: nil}, events},
			VarKwargs: true, Out: "highstate", Doc: docSLS, Call: stateSLS},
		{Name: "state.highstate", Params: []Param{test, queue, events}, VarKwargs: true, Out: "highstate", Doc: docHighstate, Call: stateHighstate},
		{Name: "state.sls_id", Params: []Param{{Name: "id_", Required: true}, mods, test, queue, events}, VarKwargs: true, Out: "highstate",
			Doc: docSLSID, Call: stateSLSID},
		{Name: "state.single", Params: []Param{{Name: "fun", Required: true}, {Name: "name", Required: true}, test, queue},
			VarKwargs: true, Out: "highstate", Doc: docSingle, Call: stateSingle},
		{Name: "state.show_sls", Params: []Param{mods, test, queue}, VarKwargs: true, Doc: docShowSLS, Call: stateShow(OpShowSLS)},
		{Name: "state.show_top", Params: []Param{queue}, VarKwargs: true, Doc: docShowTop, Call: stateShow(OpShowTop)},
		{Name: "state.show_highstate", Params: []Param{queue}, VarKwargs: true, Doc: docShowHighstate, Call: stateShow(OpShowHighstate)},
		{Name: "state.show_lowstate", Params: []Param{queue}, VarKwargs: true, Doc: docShowLowstate, Call: stateShow(OpShowLowstate)},
		{Name: "state.running", Params: []Param{{Name: "concurrent", Default: false}}, Doc: docRunning, Call: stateRunning},
	}
}

// stateArgs are the keyword arguments of a state call, whether they came
// as named parameters or in **kwargs (apply passes them on to sls and
// highstate as keywords).
type stateArgs struct{ kw body.Map }

func newStateArgs(c *Call, named ...string) stateArgs {
	kw := slices.Clone(c.Kwargs)
	for _, n := range named {
		if v := c.Arg(n); v != nil {
			kw.Set(n, v)
		}
	}
	return stateArgs{kw}
}

func (a stateArgs) get(key string) any { v, _ := a.kw.Get(key); return v }

// stateApply is apply_(mods=None, **kwargs): sls with mods, else highstate.
func stateApply(c *Call) (any, error) {
	a := newStateArgs(c)
	if mods := c.Arg("mods"); py.Truthy(mods) {
		return runSLS(c, a, OpSLS, mods)
	}
	return runHighstate(c, a)
}

// stateTest is test(*args, **kwargs): apply with test=True.
func stateTest(c *Call) (any, error) {
	a := newStateArgs(c)
	a.kw.Set("test", true)
	var mods any
	if len(c.Args) > 0 {
		mods = c.Args[0]
	} else {
		mods = a.get("mods")
	}
	if py.Truthy(mods) {
		return runSLS(c, a, OpSLS, mods)
	}
	return runHighstate(c, a)
}

func stateSLS(c *Call) (any, error) {
	return runSLS(c, newStateArgs(c, "test", "exclude", "queue"), OpSLS, c.Arg("mods"))
}

func stateHighstate(c *Call) (any, error) {
	return runHighstate(c, newStateArgs(c, "test", "queue"))
}

func stateSLSID(c *Call) (any, error) {
	a := newStateArgs(c, "test", "queue")
	a.kw.Set("__id", c.Arg("id_"))
	return runSLS(c, a, OpSLSID, c.Arg("mods"))
}

// runHighstate is highstate(): the top file's states for this minion.
func runHighstate(c *Call, a stateArgs) (any, error) {
	req, err := c.stateRequest(a, OpHighstate)
	if err != nil {
		return nil, err
	}
	return c.runState(a, req)
}

// runSLS is sls(mods) and sls_id(id_, mods): the named sls in one
// saltenv (base when the minion has none).
func runSLS(c *Call, a stateArgs, op StateOp, mods any) (any, error) {
	req, err := c.stateRequest(a, op)
	if err != nil {
		return nil, err
	}
	req.Mods = slsNames(mods)
	if req.Saltenv == "" {
		req.Saltenv = "base"
	}
	if op == OpSLSID {
		req.ID = py.Str(a.get("__id"))
	}
	return c.runState(a, req)
}

// stateSingle is single(fun, name, **kwargs): one state function called
// with the keyword arguments as its arguments.
func stateSingle(c *Call) (any, error) {
	a := newStateArgs(c, "test", "queue")
	fun := py.Str(c.Arg("fun"))
	if !strings.Contains(fun, ".") {
		// Salt checks this after the queue; a refusal wins over it.
		conflict, release := c.enterStateRun(a)
		if conflict != nil {
			return conflict, nil
		}
		release()
		c.SetRetcode(exStateCompilerError)
		return "Invalid function passed", nil
	}
	req, err := c.stateRequest(a, OpSingle)
	if err != nil {
		return nil, err
	}
	req.Fun, req.Name = fun, py.Str(c.Arg("name"))
	for _, it := range c.Kwargs {
		if !strings.HasPrefix(it.Key, "__pub_") {
			req.Kwargs = append(req.Kwargs, it)
		}
	}
	return c.runState(a, req)
}

// stateShow is show_sls, show_top, show_highstate and show_lowstate: what
// would run, compiled but not run.
func stateShow(op StateOp) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		a := newStateArgs(c, "test", "queue")
		req, err := c.stateRequest(a, op)
		if err != nil {
			return nil, err
		}
		if op == OpShowSLS {
			req.Mods = slsNames(c.Arg("mods"))
			if req.Saltenv == "" {
				req.Saltenv = "base"
			}
		}
		return c.runState(a, req)
	}
}

// stateRunning is running(concurrent=False): the state runs under way,
// one sentence each, as the refusal of a second run lists them.
func stateRunning(c *Call) (any, error) {
	if py.Truthy(c.Arg("concurrent")) {
		return []any{}, nil
	}
	return c.exec.StateRuns().Running(c.Pub.Jid), nil
}

// stateRequest reads the arguments every state function takes: test,
// saltenv, pillarenv, pillar, exclude.
func (c *Call) stateRequest(a stateArgs, op StateOp) (StateRequest, error) {
	req := StateRequest{Op: op, Jid: c.Pub.Jid, Test: c.testValue(a)}
	if s := a.get("saltenv"); s != nil {
		req.Saltenv = py.Str(s)
	} else if op != OpHighstate && op != OpShowHighstate && op != OpShowLowstate && op != OpShowTop {
		req.Saltenv = c.exec.opts.Saltenv
	}
	if p := a.get("pillarenv"); p != nil {
		req.Pillarenv = py.Str(p)
	}
	override := a.get("pillar")
	if override != nil {
		if py.Truthy(a.get("pillar_enc")) {
			return req, cmdErr("pillar_enc is not supported by this minion")
		}
		d, ok := py.DictItems(override)
		if !ok {
			return req, invocationErr("Pillar data must be formatted as a dictionary, unless pillar_enc is specified.")
		}
		req.Pillar = d
	}
	if ex := a.get("exclude"); ex != nil {
		req.Exclude = splitInput(ex)
	}
	return req, nil
}

// testValue is _get_test_value: test= when given, else a "test" keyword
// in any case that is true (salt.utils.args.test_mode), else test: True in
// the pillar (config.get), else false.
func (c *Call) testValue(a stateArgs) bool {
	if t := a.get("test"); t != nil {
		return py.Truthy(t)
	}
	for _, it := range a.kw {
		if strings.EqualFold(it.Key, "test") && py.Truthy(it.Value) {
			return true
		}
	}
	return c.Pillar()["test"] == true
}

// slsNames is the mods argument split as split_input splits it, each
// name a string (an integer sls name is str() of it).
func slsNames(v any) []string {
	if v != nil {
		if _, ok := v.(string); !ok {
			if _, isList := py.ListItems(v); !isList {
				v = py.Str(v)
			}
		}
	}
	items := splitInput(v)
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = py.Str(x)
	}
	return out
}
