package state

import (
	"context"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// RunOptions is how a state run goes: Salt's opts test and failhard, the
// state functions, and what they reach on the minion.
type RunOptions struct {
	// Test is test=True: every state says what it would change.
	Test bool
	// Failhard stops the run at the first failed state (opts failhard; a
	// state's own failhard argument wins).
	Failhard bool
	// Registry holds the state functions, mod_watch ones included.
	Registry Registry
	// Env is handed to every state function; its Modules run
	// unless/onlyif commands (cmd.retcode) and functions.
	Env *Env
	// Clock gives start_time and duration and times retry intervals;
	// nil is the real clock.
	Clock clock.Clock
	// Event, when set, is told of returns where Salt's State.event fires
	// (job progress with state_events, a state's fire_event): a copy of
	// the return, how many chunks the run has, and the chunk's fire_event
	// argument (nil when it has none).
	Event func(ret body.Map, chunks int, fireEvent any)
}

// Run calls the chunks in order with their requisites, as Salt's
// State.call_chunks then call_listen do, and returns Salt's result dict:
// Tag(low) → the state's return, its keys in the order Salt 3006's JSON
// shows them (name, changes, result, comment, __sls__, __run_num__,
// start_time, duration, __id__ for a state that ran; others for a state
// skipped by a requisite, as Salt builds each). The chunks are not
// modified. A cancelled ctx stops the run before the next state.
func Run(ctx context.Context, chunks []Low, o RunOptions) body.Map {
	r := newRunner(chunks, o)
	disabled := r.disabledRuns()
	running := r.callChunks(ctx, r.chunks)
	r.callListen(ctx, running)
	out := disabled.Map()
	return append(out, running.Map()...)
}

// runner is one state run: Salt's State with its running and pre dicts.
type runner struct {
	o      RunOptions
	clock  clock.Clock
	chunks []*chunk
	// pre holds the test runs of prereq'd states and what a prereq
	// decided (Salt's self.pre).
	pre *results
	// active are the chunks being called while the current top-level
	// chunk's requisites are followed: meeting one again is a loop.
	active map[string]bool
	runNum int
	// procs are the parallel states still running, by tag.
	procs map[string][]*proc
	// failhard is Salt's running["__FAILHARD__"]: stop the run.
	failhard bool
}

func newRunner(lows []Low, o RunOptions) *runner {
	r := &runner{o: o, clock: o.Clock, pre: newResults(), procs: map[string][]*proc{}, active: map[string]bool{}}
	if r.clock == nil {
		r.clock = clock.Real()
	}
	if r.o.Registry == nil {
		r.o.Registry = Registry{}
	}
	if r.o.Env == nil {
		r.o.Env = &Env{}
	}
	r.chunks = prepareChunks(lows, r.o.Registry)
	return r
}

// callChunks is Salt's call_chunks: each chunk not yet run is called with
// its requisites; failhard ends the run; parallel states are waited for.
func (r *runner) callChunks(ctx context.Context, chunks []*chunk) *results {
	running := newResults()
	for _, c := range chunks {
		if r.failhard || ctx.Err() != nil {
			break
		}
		if _, done := running.get(c.tag); !done {
			r.callChunk(ctx, c, running, chunks, 0)
			if r.checkFailhard(c, running) {
				break
			}
		}
		r.active = map[string]bool{}
	}
	r.failhard = false
	r.reconcileAll(running)
	return running
}

// checkFailhard is Salt's check_failhard: the chunk's failhard argument
// (else the run's) and a False result stop the run; never with test=True.
func (r *runner) checkFailhard(c *chunk, running *results) bool {
	if r.o.Test || c == nil {
		return false
	}
	hard := r.o.Failhard
	if v, ok := c.low.Args.Get("failhard"); ok {
		hard = py.Truthy(v)
	}
	ret, ok := running.get(c.tag)
	if !hard || !ok {
		return false
	}
	res, _ := ret.Get("result")
	return res == false
}

// event hands a return to RunOptions.Event.
func (r *runner) event(ret *body.Map, c *chunk, chunks int) {
	if r.o.Event == nil {
		return
	}
	fire, _ := c.low.Args.Get("fire_event")
	r.o.Event(slices.Clone(*ret), chunks, fire)
}

// nextRunNum hands out __run_num__ in call order.
func (r *runner) nextRunNum() int {
	n := r.runNum
	r.runNum++
	return n
}

// startTime is Salt's local start time, time().isoformat():
// HH:MM:SS.ffffff, the fraction left out when it is zero.
func startTime(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("15:04:05")
	}
	return t.Format("15:04:05.000000")
}

// durationMS is Salt's duration: milliseconds with microseconds as the
// fraction.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000.0
}

// fakeTiming is Salt's _calculate_fake_duration for a state that did not
// run: now, and the (tiny) time it took to say so.
func (r *runner) fakeTiming() (string, float64) {
	t := r.clock.Now()
	return startTime(t), durationMS(r.clock.Now().Sub(t))
}

// results is an ordered dict of returns by tag: Salt's running (and pre)
// dict, whose insertion order is the order of the result dict. Two tags
// may share one return, as Salt's pre and running dicts do.
type results struct {
	order []string
	rets  map[string]*body.Map
}

func newResults() *results { return &results{rets: map[string]*body.Map{}} }

func (s *results) get(tag string) (*body.Map, bool) {
	m, ok := s.rets[tag]
	return m, ok
}

// set stores ret under tag; a tag already present keeps its place.
func (s *results) set(tag string, ret *body.Map) {
	if _, ok := s.rets[tag]; !ok {
		s.order = append(s.order, tag)
	}
	s.rets[tag] = ret
}

// update adds other's returns, as dict.update does.
func (s *results) update(other *results) {
	for _, tag := range other.order {
		s.set(tag, other.rets[tag])
	}
}

// Map is the result dict.
func (s *results) Map() body.Map {
	out := make(body.Map, 0, len(s.order))
	for _, tag := range s.order {
		out = append(out, body.Item{Key: tag, Value: *s.rets[tag]})
	}
	return out
}
