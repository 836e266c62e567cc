package master

import (
	"slices"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Salt's minions send a job's arguments back in every return (fun_args),
// so a large argument crosses the road twice more than the job needs: a
// 1 MB test.echo is a 1 MB publish and a 2 MB return. For a publish whose
// arguments are large the master keeps them and says so in the pub
// (protocol.PubFunArgsKept); our minions then leave fun_args out of the
// return and the master puts them back before the return is used, so the
// events and everything after are Salt's. A minion that does not know the
// field sends them as Salt's do, and they are used as sent.

// Bounds of the arguments kept: only those of at least keepArgsFrom bytes
// (a small return gains nothing), at most keptArgsMax bytes in all, the
// oldest jobs' dropped first.
const (
	keepArgsFrom = 64 << 10
	keptArgsMax  = 64 << 20
)

// keptArgs holds the fun_args of recent large publishes until every
// targeted minion returned, or until newer ones need the room.
type keptArgs struct {
	mu    sync.Mutex
	jobs  map[string]*keptJob
	order []string // jids, oldest first
	total int      // bytes over jobs
}

type keptJob struct {
	args []any
	size int
	left int // minions yet to return
}

// keep takes a job's published arguments for its minions' returns; false
// when they are small (or could not be kept), and the pub must not say so.
func (k *keptArgs) keep(jid string, arg []any, minions int) bool {
	size := argSize(arg)
	if size < keepArgsFrom || size > keptArgsMax || minions == 0 {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.jobs == nil {
		k.jobs = map[string]*keptJob{}
	}
	if old := k.jobs[jid]; old != nil {
		k.total -= old.size
	} else {
		k.order = append(k.order, jid)
	}
	k.jobs[jid] = &keptJob{args: modules.StripKwargMarkers(arg), size: size, left: minions}
	k.total += size
	for k.total > keptArgsMax && len(k.order) > 1 {
		k.dropLocked(k.order[0])
	}
	return true
}

// take returns the kept fun_args of a job for one minion's return; the
// job's are dropped once every minion has returned.
func (k *keptArgs) take(jid string) ([]any, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	j := k.jobs[jid]
	if j == nil {
		return nil, false
	}
	if j.left--; j.left <= 0 {
		k.dropLocked(jid)
	}
	return j.args, true
}

func (k *keptArgs) dropLocked(jid string) {
	if j := k.jobs[jid]; j != nil {
		k.total -= j.size
		delete(k.jobs, jid)
	}
	if i := slices.Index(k.order, jid); i >= 0 {
		k.order = slices.Delete(k.order, i, i+1)
	}
}

// restoreFunArgs puts back the fun_args a return left out: those kept,
// else, when this master was started again since the publish, those of the
// job's load in the job cache. A return without them that neither has is
// used as it came.
func (m *Master) restoreFunArgs(load body.Map) body.Map {
	jid, ok := load.String("jid")
	if !ok {
		return load
	}
	if args, ok := m.funArgs.take(jid); ok {
		return withFunArgs(load, args)
	}
	if !m.cfg.JobCache || !job.IsJID(jid) {
		return load
	}
	saved, err := m.cache.LoadLoad(jid)
	if err != nil {
		return load
	}
	if arg, ok := saved.Get("arg"); ok {
		if args, ok := arg.([]any); ok {
			return withFunArgs(load, modules.StripKwargMarkers(args))
		}
	}
	return load
}

// withFunArgs puts fun_args back into a return that left them out, where
// Salt's minion has them: after fun (job.ReturnLoad's order).
func withFunArgs(load body.Map, args []any) body.Map {
	item := body.Item{Key: "fun_args", Value: args}
	if i := slices.IndexFunc(load, func(it body.Item) bool { return it.Key == "fun" }); i >= 0 {
		return slices.Insert(slices.Clone(load), i+1, item)
	}
	return append(slices.Clone(load), item)
}

// keepFunArgs is the pub for jid with the field that tells minions the
// master keeps its fun_args, when the arguments are large enough to keep.
func (m *Master) keepFunArgs(jid string, pub body.Map, minions int) body.Map {
	arg, _ := pub.Get("arg")
	args, _ := arg.([]any)
	if !m.funArgs.keep(jid, args, minions) {
		return pub
	}
	return append(slices.Clone(pub), body.Item{Key: protocol.PubFunArgsKept, Value: true})
}

// argSize is about the bytes a value takes packed: its strings and bytes,
// and a few for every other value.
func argSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	case []any:
		n := 1
		for _, e := range x {
			n += argSize(e)
		}
		return n
	case body.Map:
		n := 1
		for _, it := range x {
			n += len(it.Key) + argSize(it.Value)
		}
		return n
	case map[string]any:
		n := 1
		for key, e := range x {
			n += len(key) + argSize(e)
		}
		return n
	default:
		return 8
	}
}
