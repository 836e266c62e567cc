package modules

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
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
	m := body.Map{
		{Key: "fun", Value: p.Fun},
		{Key: "arg", Value: StripKwargMarkers(p.Arg)},
		{Key: "tgt", Value: p.Tgt},
		{Key: "jid", Value: p.Jid},
		{Key: "ret", Value: p.Ret},
		{Key: "tgt_type", Value: p.TgtType},
		{Key: "user", Value: p.User},
	}
	return append(m, p.Extra...)
}

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
}

// Executor is the registry of execution functions of one minion.
type Executor struct {
	opts  Options
	mu    sync.RWMutex
	funcs map[string]*Func
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
// grains, saltutil and sys.
func New(opts Options) *Executor {
	e := &Executor{opts: opts, funcs: map[string]*Func{}}
	for _, group := range [][]Func{testFuncs(), cmdFuncs(), grainsFuncs(), saltutilFuncs(), sysFuncs()} {
		for _, f := range group {
			if err := e.Register(f); err != nil {
				panic(err) // a built-in that does not register is a programming error
			}
		}
	}
	return e
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

// Functions returns the names of all registered functions, sorted.
func (e *Executor) Functions() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	names := make([]string, 0, len(e.funcs))
	for n := range e.funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Errors a function returns, each reported the way the ZeroMQ minion of
// Salt 3006 reports the matching Python exception (Minion._thread_return;
// spec/salt-raet.md §4.1), always with retcode 1, success false and the
// nested outputter.

// CommandExecutionError is reported as "ERROR: <msg>".
type CommandExecutionError struct{ Msg string }

func (e *CommandExecutionError) Error() string { return e.Msg }

// SaltInvocationError is reported as "ERROR executing '<fun>': <msg>".
type SaltInvocationError struct{ Msg string }

func (e *SaltInvocationError) Error() string { return e.Msg }

// CommandNotFoundError is reported as "Command required for '<fun>' not
// found: <msg>".
type CommandNotFoundError struct{ Msg string }

func (e *CommandNotFoundError) Error() string { return e.Msg }

// TypeError is Python's TypeError from calling a function with arguments
// it does not take; it is reported as "Passed invalid arguments to <fun>:
// <msg>" followed by the function's docstring.
type TypeError struct{ Msg string }

func (e *TypeError) Error() string { return e.Msg }

// Exception is any other exception; it is reported as "The minion function
// caused an exception: <Type>: <msg>", the last line of the traceback Salt
// would print. Errors of no other kind in this list are reported as an
// Exception of type Exception.
type Exception struct{ Type, Msg string }

func (e *Exception) Error() string { return e.Type + ": " + e.Msg }

func cmdErr(format string, args ...any) error {
	return &CommandExecutionError{fmt.Sprintf(format, args...)}
}

func invocationErr(format string, args ...any) error {
	return &SaltInvocationError{fmt.Sprintf(format, args...)}
}

func typeErr(format string, args ...any) error {
	return &TypeError{fmt.Sprintf(format, args...)}
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
		return Result{Return: fmt.Sprintf("'%s' is not available.", fun), Retcode: 1, Out: "nested"}
	}
	c := &Call{Ctx: ctx, Fun: fun, Pub: pub, exec: e}
	ret, err := e.invoke(f, c, args)
	if err != nil {
		return Result{Return: errorMessage(f, err), Retcode: 1, Out: "nested"}
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

func errorMessage(f *Func, err error) string {
	var (
		cee *CommandExecutionError
		sie *SaltInvocationError
		cnf *CommandNotFoundError
		te  *TypeError
		exc *Exception
	)
	switch {
	case errors.As(err, &cnf):
		return fmt.Sprintf("Command required for '%s' not found: %s", f.Name, cnf.Msg)
	case errors.As(err, &cee):
		return "ERROR: " + cee.Msg
	case errors.As(err, &sie):
		return fmt.Sprintf("ERROR executing '%s': %s", f.Name, sie.Msg)
	case errors.As(err, &te):
		return fmt.Sprintf("Passed invalid arguments to %s: %s\n%s", f.Name, te.Msg, f.Doc)
	case errors.As(err, &exc):
		return "The minion function caused an exception: " + exc.Error()
	}
	return "The minion function caused an exception: Exception: " + err.Error()
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

// loadArgsAndKwargs is salt.minion.load_args_and_kwargs: keyword dicts
// (marked __kwarg__) and leftover "key=value" strings become keyword
// arguments, which a function without **kwargs accepts only for its named
// parameters; a function with **kwargs also receives every publish field
// as __pub_<field>.
func loadArgsAndKwargs(f *Func, args []any, pub Pub) ([]any, body.Map, error) {
	named := map[string]bool{}
	for _, p := range f.Params {
		named[p.Name] = true
	}
	var (
		pos     []any
		kwargs  body.Map
		invalid []string
	)
	for _, a := range args {
		if d, ok := kwargDict(a); ok {
			for _, it := range d {
				if f.VarKwargs || named[it.Key] {
					kwargs.Set(it.Key, it.Value)
				} else {
					invalid = append(invalid, it.Key+"="+py.Str(it.Value))
				}
			}
			continue
		}
		if s, ok := a.(string); ok {
			if key, raw, ok := job.ParseKwarg(s); ok {
				v := job.YAMLArg(raw)
				if f.VarKwargs || named[key] {
					kwargs.Set(key, v)
				} else {
					invalid = append(invalid, key+"="+py.Str(v))
				}
				continue
			}
		}
		pos = append(pos, a)
	}
	if len(invalid) > 0 {
		return nil, nil, invocationErr("The following keyword arguments are not valid: %s", strings.Join(invalid, ", "))
	}
	if f.VarKwargs && published(pub) {
		for _, it := range pubFields(pub) {
			kwargs.Set("__pub_"+it.Key, it.Value)
		}
	}
	return pos, kwargs, nil
}

// bind calls the function the way Python binds f(*args, **kwargs), with
// Python's TypeError messages for arguments that do not fit.
func bind(f *Func, c *Call, pos []any, kwargs body.Map) error {
	c.named = make(map[string]any, len(f.Params))
	given := map[string]bool{}
	for i, a := range pos {
		if i < len(f.Params) {
			c.named[f.Params[i].Name] = a
			given[f.Params[i].Name] = true
			continue
		}
		if !f.VarArgs {
			return typeErr("%s", tooManyPositional(f, len(pos)))
		}
		c.Args = append(c.Args, a)
	}
	if c.Args == nil {
		c.Args = []any{}
	}
	c.Kwargs = body.Map{}
	for _, it := range kwargs {
		isParam := false
		for _, p := range f.Params {
			if p.Name == it.Key {
				isParam = true
				break
			}
		}
		switch {
		case isParam && given[it.Key]:
			return typeErr("%s() got multiple values for argument '%s'", f.PyName, it.Key)
		case isParam:
			c.named[it.Key] = it.Value
			given[it.Key] = true
		case f.VarKwargs:
			c.Kwargs = append(c.Kwargs, it)
		default:
			return typeErr("%s() got an unexpected keyword argument '%s'", f.PyName, it.Key)
		}
	}
	var missing []string
	for _, p := range f.Params {
		if given[p.Name] {
			continue
		}
		if p.Required {
			missing = append(missing, "'"+p.Name+"'")
			continue
		}
		c.named[p.Name] = p.Default
	}
	if len(missing) > 0 {
		noun := "argument"
		if len(missing) > 1 {
			noun = "arguments"
		}
		return typeErr("%s() missing %d required positional %s: %s", f.PyName, len(missing), noun, pyJoin(missing))
	}
	return nil
}

// pyJoin lists names as Python's argument errors do: 'a', 'a' and 'b',
// 'a', 'b', and 'c'.
func pyJoin(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + ", and " + names[len(names)-1]
}

func tooManyPositional(f *Func, given int) string {
	required := 0
	for _, p := range f.Params {
		if p.Required {
			required++
		}
	}
	total := len(f.Params)
	takes := fmt.Sprintf("%d positional argument", total)
	if required != total {
		takes = fmt.Sprintf("from %d to %d positional argument", required, total)
	}
	if total != 1 || required != total {
		takes += "s"
	}
	was := "were"
	if given == 1 {
		was = "was"
	}
	return fmt.Sprintf("%s() takes %s but %d %s given", f.PyName, takes, given, was)
}
