package state

import (
	"context"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// callListen is Salt's call_listen, after the run: for each state that
// listens to a state that changed, its mod_watch is called once more at
// the end, as ID "listener_<id>". A listen naming no state is reported
// as a Listen_Error. listen_in is followed whether the compiler turned it
// into a listen of the listener or left it, as Salt does, on the chunk
// listened to.
func (r *runner) callListen(ctx context.Context, running *results) {
	var watchers []*chunk
	errs := newResults()
	queued := map[*chunk]bool{}
	queue := func(c *chunk) {
		if !queued[c] {
			queued[c] = true
			watchers = append(watchers, listenerChunk(c))
		}
	}
	for _, c := range r.chunks {
		for _, q := range c.reqs["listen"] {
			for _, to := range r.listenTargets(q, errs) {
				if ret, ok := running.get(to.tag); ok && hasChanges(*ret) {
					queue(c)
				}
			}
		}
		if ret, ok := running.get(c.tag); ok && hasChanges(*ret) {
			for _, q := range c.reqs["listen_in"] {
				for _, l := range r.listeners(q, errs) {
					queue(l)
				}
			}
		}
	}
	if len(watchers) > 0 {
		running.update(r.callChunks(ctx, watchers))
	}
	for _, tag := range errs.order {
		ret, _ := errs.get(tag)
		ret.Set("__run_num__", r.nextRunNum())
	}
	running.update(errs)
}

// listenTargets is what one listen names: a bare ID or name is looked up
// (the last chunk with it wins, as in Salt); a state and ID or name that
// match no chunk is an error, recorded in errs.
func (r *runner) listenTargets(q Requisite, errs *results) []*chunk {
	state, ref := q.State, q.Ref
	if state == "" {
		found := false
		for _, c := range r.chunks {
			if c.low.ID == ref || c.low.Name == ref {
				state, ref, found = c.low.State, c.low.ID, true
			}
		}
		if !found {
			return nil
		}
	}
	var out []*chunk
	for _, c := range r.chunks {
		if c.low.State == state && (c.low.ID == ref || c.low.Name == ref) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		listenError(errs, state, ref)
	}
	return out
}

// listeners is what a listen_in (left on the chunk that is listened to,
// as Salt's low data keeps it) names: the chunks of that state with that
// ID or name; none is a Listen_Error.
func (r *runner) listeners(q Requisite, errs *results) []*chunk {
	var out []*chunk
	for _, c := range r.chunks {
		if (q.State == "" || c.low.State == q.State) && (c.low.ID == q.Ref || c.low.Name == q.Ref) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		listenError(errs, q.State, q.Ref)
	}
	return out
}

// listenError records Salt's return for a listen naming no state.
func listenError(errs *results, state, ref string) {
	tag := (&Low{State: "Listen_Error", ID: "listen_" + ref, Name: "listen_" + state, Fun: "Listen_Error"}).Tag()
	errs.set(tag, &body.Map{
		{Key: "comment", Value: "Referenced state " + state + ": " + ref + " does not exist"},
		{Key: "name", Value: "listen_" + state + ":" + ref},
		{Key: "result", Value: false},
		{Key: "changes", Value: body.Map{}},
	})
}

// listenerChunk is the mod_watch call a listen fires: the listener's
// chunk as ID listener_<id>, function mod_watch (sfun the original), no
// requisites.
func listenerChunk(c *chunk) *chunk {
	l := c.low
	l.ID = "listener_" + l.ID
	l.Args = append(append(body.Map(nil), c.low.Args...), body.Item{Key: "sfun", Value: c.low.Fun})
	l.Fun = "mod_watch"
	l.Reqs = nil
	return &chunk{low: l, tag: l.Tag(), reqs: map[string][]Requisite{}}
}
