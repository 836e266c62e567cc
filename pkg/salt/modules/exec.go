package modules

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Pub is the publish a job came from, protocol.Pub: the fields of the
// `pub` load a minion receives. Salt hands every one of them to functions
// that take **kwargs as __pub_<field>.
type Pub = protocol.Pub

// published reports whether the call comes from a published job at all. A
// call made locally (as salt-call does for cross-module calls) has no
// publish, so no __pub_* keys and no CLI defaults such as python_shell.
func published(p Pub) bool { return p.Fun != "" || p.Jid != "" }

// PubFromLoad is protocol.ParsePub, which reads a pub load.
func PubFromLoad(load body.Map) Pub { return protocol.ParsePub(load) }

// pubFields lists the publish in the order Salt's publish dict has it (fun,
// arg, tgt, jid, ret, tgt_type, user, then the rest), which is the order
// the __pub_* keys appear in (spec/salt-3006-observed/04-test.arg.json).
// arg is the published argument list with its __kwarg__ markers popped, as
// load_args_and_kwargs leaves it.
func pubFields(p Pub) body.Map {
	if IsCallerPub(p) {
		// salt-call's sdata: fun, pid, jid, tgt, then metadata
		// (salt/cli/caller.py).
		pid, _ := p.Extra.Get("pid")
		m := body.Map{{Key: "fun", Value: p.Fun}, {Key: "pid", Value: pid}, {Key: "jid", Value: p.Jid}, {Key: "tgt", Value: p.Tgt}}
		for _, it := range p.Extra {
			if it.Key != "pid" {
				m = append(m, it)
			}
		}
		return m
	}
	m := body.Map{
		{Key: "fun", Value: p.Fun},
		{Key: "arg", Value: StripKwargMarkers(p.Arg)},
		{Key: "tgt", Value: p.Tgt},
		{Key: "jid", Value: p.Jid},
		{Key: "ret", Value: p.Ret},
	}
	// The optional fields sit where Salt's master puts them in the pub
	// (ClearFuncs._prep_pub), which the minion's __pub_ keys follow:
	// tgt_type after delimiter and id, user last.
	extra := func(keys ...string) {
		for _, k := range keys {
			if v, ok := p.Extra.Get(k); ok {
				m = append(m, body.Item{Key: k, Value: v})
			}
		}
	}
	extra("master_id", "delimiter", "id")
	m = append(m, body.Item{Key: "tgt_type", Value: p.TgtType})
	known := []string{"master_id", "delimiter", "id", "to", "ret_config", "metadata", "module_executors", "executor_opts", "ret_kwargs"}
	extra(known[3:]...)
	for _, it := range p.Extra {
		if !slices.Contains(known, it.Key) {
			m = append(m, it)
		}
	}
	return append(m, body.Item{Key: "user", Value: p.User})
}

// CallerTgt is the tgt of the data salt-call loads a function's arguments
// with, in place of a publish.
const CallerTgt = "salt-call"

// CallerPub is what salt-call passes as the publish of the function it
// runs (salt/cli/caller.py's sdata): its fun, its jid, tgt "salt-call" and
// its pid; a function taking **kwargs gets exactly these as __pub_fun,
// __pub_pid, __pub_jid and __pub_tgt.
func CallerPub(fun, jid string, pid int) Pub {
	return Pub{Fun: fun, Jid: jid, Tgt: CallerTgt, Extra: body.Map{{Key: "pid", Value: pid}}}
}

// IsCallerPub reports a publish CallerPub made: no target type, tgt
// "salt-call" (a publish always has a target type).
func IsCallerPub(p Pub) bool { return p.TgtType == "" && p.Tgt == CallerTgt }

// StripKwargMarkers returns args with the `__kwarg__: true` entry removed
// from every keyword dict, as Salt's load_args_and_kwargs pops it in place:
// this is what a return's fun_args and the __pub_arg kwarg show. The input
// is not modified.
func StripKwargMarkers(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if d, ok := kwargDict(a); ok {
			out[i] = d
			continue
		}
		out[i] = a
	}
	return out
}

// kwargDict recognises a keyword dict: a mapping whose __kwarg__ is exactly
// True. It returns a copy without the marker, keeping the order of keys.
func kwargDict(a any) (body.Map, bool) {
	m, ok := py.DictItems(a)
	if !ok {
		return nil, false
	}
	if v, _ := m.Get("__kwarg__"); v != true {
		return nil, false
	}
	out := make(body.Map, 0, len(m)-1)
	for _, it := range m {
		if it.Key != "__kwarg__" {
			out = append(out, it)
		}
	}
	return out, true
}

// Result is what a minion returns for a job (spec/salt-raet.md §4.1): the
// function's return value or an error message, the job's retcode, whether
// it succeeded, and the outputter the return asks for ("" for none).
type Result struct {
	Return  any
	Retcode int
	Success bool
	Out     string
	// Raised says the function did not return: it is unknown, its
	// arguments did not fit, or it raised; Return is the error's message.
	// A function that returned with a non-zero retcode (cmd.retcode of a
	// failing command) did not raise, and a caller in Python gets its value.
	Raised bool
}

// Jobs reports the jobs a minion is running, one proc record each, for
// saltutil.running and saltutil.find_job. A record has the shape of Salt's
// <cachedir>/proc/<jid> file, which ProcRecord builds.
type Jobs interface {
	Running() []map[string]any
}

// ProcRecord is the proc record Salt writes when a job starts
// (Minion._thread_return: {"pid": os.getpid()} updated with the publish):
// pid, fun, arg, tgt, jid, ret, tgt_type, user, and any further publish
// fields. arg keeps the __kwarg__ markers, as the file is written before
// the arguments are loaded (07-test.sleep-timeout.json).
func ProcRecord(pid int, pub Pub) map[string]any {
	rec := map[string]any{
		"pid": pid, "fun": pub.Fun, "arg": pub.Arg, "tgt": pub.Tgt, "jid": pub.Jid,
		"ret": pub.Ret, "tgt_type": pub.TgtType, "user": pub.User,
	}
	if rec["arg"] == nil {
		rec["arg"] = []any{}
	}
	for _, it := range pub.Extra {
		rec[it.Key] = it.Value
	}
	return rec
}

// DefaultVersion is what test.version reports unless Options.Version says
// otherwise: the Salt release whose RAET behaviour this minion implements
// (spec/salt-raet.md §0, §7).
const DefaultVersion = "2018.3.0"

// Options configures an Executor.
type Options struct {
	// Grains returns the minion's current grains; nil means none.
	Grains func() map[string]any
	// Jobs lists the running jobs; nil means none are known.
	Jobs Jobs
	// Version is test.version's answer; "" means DefaultVersion.
	Version string
	// Shell is the default shell of cmd.*; "" means /bin/sh.
	Shell string
	// Pillar returns the minion's pillar in memory; nil means the minion
	// has none, and the pillar module is not loaded.
	Pillar func() map[string]any
	// FetchPillar asks the master for a fresh pillar (pillar.items); nil
	// means the pillar in memory is all there is.
	FetchPillar FetchPillar
	// RefreshPillar fetches the minion's pillar again into memory
	// (saltutil.refresh_pillar); nil means it cannot.
	RefreshPillar func(ctx context.Context) error
	// Files is the minion's access to the master's file server; with it
	// the cp module is registered, without it there is none.
	Files *fileclient.Client
	// Template renders a Jinja template for cp.get_template and the
	// template= of cp.get_file and cp.get_dir; nil means no renderer, which
	// those report as Salt reports an unavailable engine.
	Template func(file string, text []byte, saltenv string) (string, error)
	// Saltenv is the minion's saltenv option, the cp functions' default
	// environment; "" means base.
	Saltenv string
	// States is the minion's state system; with it the state module is
	// registered (modstate.go), without it there is none.
	States States
	// Config is the minion's configuration (paths such as cachedir and the
	// config directory, mine_functions, ...); nil means Salt's defaults.
	Config *config.Minion
	// MasterRequest sends a load to the minion's master and waits for its
	// reply (Salt's ReqChannel.send): _minion_event, _mine, _mine_get, ...;
	// nil means the minion has no master to ask.
	MasterRequest func(ctx context.Context, load body.Map) (any, error)
	// RefreshGrains reloads the minion's grains, the grains file included
	// (saltutil.refresh_grains, grains.setval); nil means it cannot.
	RefreshGrains func(ctx context.Context) error
	// Fallback runs the functions that are not built in: Salt's own
	// modules through a Python worker (python_fallback); nil means none.
	Fallback Fallback
	// StateRuns is the minion's queue of state runs, which a job process
	// shares with the minion and its other jobs; nil means the Executor's
	// own (Executor.StateRuns).
	StateRuns StateRuns
}

// Fallback runs execution functions the Executor does not have built in,
// through Salt's own loader where Python Salt is installed.
type Fallback interface {
	// Functions lists the names of the functions it offers, sorted.
	Functions(ctx context.Context) []string
	// Call runs fun; false means it has no such function either.
	Call(ctx context.Context, fun string, args []any, pub Pub) (Result, bool)
}

// Executor is the registry of execution functions of one minion.
type Executor struct {
	opts  Options
	mu    sync.RWMutex
	funcs map[string]*Func
	// own says funcs is this Executor's alone; New's is the shared
	// built-in table (shared.go), copied by the first Register.
	own bool
	// stateRuns keeps state runs one at a time (modstate_run.go).
	stateRuns stateQueue
	// bg is the work functions left running when they returned
	// (modsaltutil_jobs.go).
	bg sync.WaitGroup
}

// Param is one named parameter of an execution function, as Python would
// declare it: required, or with a default.
type Param struct {
	Name     string
	Default  any
	Required bool
}

// Func is an execution function. Params, VarArgs (*args) and VarKwargs
// (**kwargs) describe its Python signature, which decides how published
// arguments bind to it and whether it receives the __pub_* keys.
type Func struct {
	Name      string // "module.function"
	PyName    string // the Python function's name in error messages; default the part after the dot
	Params    []Param
	VarArgs   bool
	VarKwargs bool
	// Out is the outputter the function declares (__outputter__), such as
	// "nested" for grains.items.
	Out string
	// Doc is the docstring, appended to "Passed invalid arguments" errors.
	Doc  string
	Call func(c *Call) (any, error)
}

// Call is one invocation of a Func with its arguments bound. A function
// that stops because Ctx ended returns Ctx's error; Run reports the job as
// cancelled.
type Call struct {
	Ctx context.Context
	Fun string
	Pub Pub
	// Args are the surplus positional arguments (*args).
	Args []any
	// Kwargs are the keyword arguments no named parameter took
	// (**kwargs), __pub_* keys included, in Salt's order.
	Kwargs body.Map

	exec    *Executor
	named   map[string]any
	retcode int
}

// Arg returns the value bound to the named parameter, or its default.
func (c *Call) Arg(name string) any { return c.named[name] }

// SetRetcode sets the job's retcode, as a Salt function does through
// __context__["retcode"].
func (c *Call) SetRetcode(code int) { c.retcode = code }

// Grains returns the minion's grains through the Executor's provider.
func (c *Call) Grains() map[string]any {
	if c.exec.opts.Grains == nil {
		return map[string]any{}
	}
	if g := c.exec.opts.Grains(); g != nil {
		return g
	}
	return map[string]any{}
}

// New returns an Executor with the built-in modules registered: test, cmd,
// grains, saltutil and sys, and cp when Options.Files is set.
func New(opts Options) *Executor {
	return &Executor{opts: opts, funcs: builtinTable(opts)}
}

// NewBare returns an Executor with no function registered: the binding,
// error and retcode rules of execution functions for another registry of
// functions (salt-run's runners, the master's wheel).
func NewBare(opts Options) *Executor {
	return &Executor{opts: opts, funcs: map[string]*Func{}, own: true}
}

// Register adds or replaces an execution function.
func (e *Executor) Register(f Func) error {
	mod, fn, ok := strings.Cut(f.Name, ".")
	if !ok || mod == "" || fn == "" || strings.Contains(fn, ".") {
		return fmt.Errorf("execution function name %q is not module.function", f.Name)
	}
	if f.Call == nil {
		return fmt.Errorf("execution function %s has no implementation", f.Name)
	}
	seen := map[string]bool{}
	for _, p := range f.Params {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("execution function %s: bad or repeated parameter %q", f.Name, p.Name)
		}
		seen[p.Name] = true
	}
	if f.PyName == "" {
		f.PyName = fn
	}
	e.mu.Lock()
	if !e.own {
		e.funcs, e.own = maps.Clone(e.funcs), true
	}
	e.funcs[f.Name] = &f
	e.mu.Unlock()
	return nil
}

// Has reports whether fun is a registered function.
func (e *Executor) Has(fun string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	_, ok := e.funcs[fun]
	return ok
}

// Accepts says which keyword names fun takes: its named parameters, or
// any when it has **kwargs. Callers that drop the keywords a function
// does not take, as Salt's load_args_and_kwargs(ignore_invalid=True)
// does, ask it first.
func (e *Executor) Accepts(fun, kw string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	f, ok := e.funcs[fun]
	if !ok {
		return false
	}
	if f.VarKwargs {
		return true
	}
	for _, p := range f.Params {
		if p.Name == kw {
			return true
		}
	}
	return false
}

// Functions returns the names of all registered functions, sorted.
func (e *Executor) Functions() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return slices.Sorted(maps.Keys(e.funcs))
}

// Run executes fun with the published args as Salt's ZeroMQ minion does:
// an unknown function gives "'<fun>' is not available." (08/09 observed);
// the arguments are loaded as load_args_and_kwargs loads them; a function
// error becomes the message of its kind; otherwise the retcode is what the
// function set, or 1 when it returned a mapping whose result or success is
// false. When ctx ends before the function does, the result says the job
// was cancelled.
func (e *Executor) Run(ctx context.Context, fun string, args []any, pub Pub) Result {
	e.mu.RLock()
	f, ok := e.funcs[fun]
	e.mu.RUnlock()
	if !ok {
		if e.opts.Fallback != nil {
			if res, ok := e.opts.Fallback.Call(ctx, fun, args, pub); ok {
				return res
			}
		}
		return Result{Return: fmt.Sprintf("'%s' is not available.", fun), Retcode: 1, Out: "nested", Raised: true}
	}
	c := &Call{Ctx: ctx, Fun: fun, Pub: pub, exec: e}
	ret, err := e.invoke(f, c, args)
	if err != nil {
		return Result{Return: errorMessage(f, err), Retcode: 1, Out: "nested", Raised: true}
	}
	retcode := c.retcode
	if retcode == 0 && falseResult(ret) {
		retcode = 1
	}
	return Result{Return: ret, Retcode: retcode, Success: retcode == 0, Out: f.Out}
}

// cancelled is returned by functions that stopped because the job's
// context ended; Run reports it as a cancellation.
type cancelled struct{}

func isCancelled(v any) bool { _, ok := v.(cancelled); return ok }

func (e *Executor) invoke(f *Func, c *Call, args []any) (ret any, err error) {
	defer func() {
		if r := recover(); r != nil {
			ret, err = nil, &Exception{Type: "Exception", Msg: fmt.Sprint(r)}
		}
	}()
	pos, kwargs, err := loadArgsAndKwargs(f, args, c.Pub)
	if err != nil {
		return nil, err
	}
	if err := bind(f, c, pos, kwargs); err != nil {
		return nil, err
	}
	ret, err = f.Call(c)
	// A function stops early when the job's context ends, by returning
	// the context's error (or, inside this package, cancelled{}).
	if c.Ctx.Err() != nil && (err == nil && isCancelled(ret) || err != nil && errors.Is(err, c.Ctx.Err())) {
		return nil, cmdErr("%s was cancelled: %v", c.Fun, context.Cause(c.Ctx))
	}
	return ret, err
}

// falseResult is the ZeroMQ minion's check that turns a mapping return
// with a false "result" or "success" (Python truthiness) into retcode 1.
func falseResult(ret any) bool {
	var get func(string) (any, bool)
	switch m := ret.(type) {
	case body.Map:
		get = m.Get
	case map[string]any:
		get = func(k string) (any, bool) { v, ok := m[k]; return v, ok }
	default:
		return false
	}
	for _, k := range []string{"result", "success"} {
		if v, ok := get(k); ok && !pyTruthy(v) {
			return true
		}
	}
	return false
}
