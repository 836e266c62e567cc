package modules

import "sync"

// tableKey is everything the built-in function table depends on: which
// optional modules an Executor's Options load, and the host's init system
// as the service module found it. The functions themselves read the rest
// of the Options from the Executor they are called through (c.exec.opts).
type tableKey struct {
	pillar, states, files bool
	booted, offline       bool
}

// tables holds one built-in table per tableKey, shared read-only by every
// Executor New makes: the table (~230 functions with their parameters and
// docstrings, ~120 KB) is the same for every minion, and a process that
// runs thousands of minions (pkg/salt/emulator) must not hold it once per
// minion. Register copies it before the first change (Executor.own).
var tables sync.Map // tableKey → map[string]*Func

// builtinTable is the shared table of the built-in functions for opts.
func builtinTable(opts Options) map[string]*Func {
	booted := serviceBooted()
	k := tableKey{pillar: opts.Pillar != nil, states: opts.States != nil, files: opts.Files != nil,
		booted: booted, offline: !booted && serviceOffline()}
	if t, ok := tables.Load(k); ok {
		return t.(map[string]*Func)
	}
	e := &Executor{opts: opts, funcs: map[string]*Func{}, own: true}
	groups := [][]Func{testFuncs(), cmdFuncs(), grainsFuncs(), saltutilFuncs(), saltutilJobFuncs(), sysFuncs(), pillarFuncs(opts), stateFuncs(opts),
		fileFuncs(opts), pkgFuncs(opts), serviceFuncs(opts), userFuncs(opts), systemFuncs(opts), eventFuncs(opts)}
	if opts.Files != nil {
		groups = append(groups, cpFuncs(), saltutilSyncFuncs())
	}
	for _, group := range groups {
		for _, f := range group {
			if err := e.Register(f); err != nil {
				panic(err) // a built-in that does not register is a programming error
			}
		}
	}
	t, _ := tables.LoadOrStore(k, e.funcs)
	return t.(map[string]*Func)
}
