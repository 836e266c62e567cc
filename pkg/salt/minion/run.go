package minion

import (
	"context"
	"errors"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// Run serves until ctx ends, then shuts down: no more publishes are
// taken, running jobs get the shutdown grace to finish and are then
// cancelled, deliveries under way get a moment more, and the stacks stop
// (the manor socket is removed). It returns nil after a shutdown ctx asked
// for, or why the minion stopped on its own (a stack failed). Run may be
// called once.
func (m *Minion) Run(ctx context.Context) error {
	if m.closed.Load() || m.started.Swap(true) {
		return errors.New("minion: Run called twice, or after Close")
	}
	defer m.jobCancel()
	defer m.serveMetrics()()
	r := m.startStacks()
	defer r.stopStacks()
	defer r.stopRouter()
	m.announce()
	return m.shutdown(r, m.serve(ctx, r.routerDone))
}

// stackRuns are the stacks Run runs: the road and the lane, which stop
// together and last, and the router, which stops first.
type stackRuns struct {
	stopStacks, stopRouter         context.CancelFunc
	roadDone, laneDone, routerDone chan error
}

func (m *Minion) startStacks() *stackRuns {
	stackCtx, stopStacks := context.WithCancel(context.Background())
	routerCtx, stopRouter := context.WithCancel(context.Background())
	r := &stackRuns{stopStacks: stopStacks, stopRouter: stopRouter,
		roadDone: make(chan error, 1), laneDone: make(chan error, 1), routerDone: make(chan error, 1)}
	go func() { r.roadDone <- m.road.Run(stackCtx) }()
	if m.lane != nil {
		go func() { r.laneDone <- m.lane.Run(stackCtx) }()
	} else {
		r.laneDone <- nil
	}
	go func() { r.routerDone <- m.router.Run(routerCtx) }()
	return r
}

// announce clears what a previous run left behind and says the minion
// starts.
func (m *Minion) announce() {
	if removed := m.jobs.cleanProcs(); len(removed) > 0 {
		m.log.Debugf("Removed the proc files of jobs of a previous run: %v", removed)
	}
	if p := m.spool.pending(); len(p) > 0 {
		m.log.Infof("%d returns of a previous run wait for their masters: %v", len(p), p)
	}
	m.log.Infof("Minion %s starting: road estate %s on %s, lane %s, masters %v",
		m.id, m.estate, m.RoadAddr(), m.LaneAddr(), m.cfg.Master.HostPorts())
}

// serve is the minion's loop until ctx ends (nil) or the router stops
// (its error): it follows the road's events, joins each master not on the
// road when its time comes (at once, after a refusal the acceptance wait),
// and offers the spooled returns again every retry interval. It sleeps on
// one timer of the minion's clock until the earliest of these is due: an
// empty spool is not offered, so an idle minion does not wake for it.
func (m *Minion) serve(ctx context.Context, routerDone chan error) error {
	now := m.o.clock.Now()
	nextFlush := now.Add(m.o.retryInterval)
	m.joinMasters(now)
	timer := m.o.clock.NewTimer(m.o.retryInterval)
	defer timer.Stop()
	for {
		m.armWake(timer, nextFlush)
		select {
		case <-ctx.Done():
			return nil
		case ev := <-m.road.Events():
			m.onEvent(ev)
		case <-m.spool.kept:
			if now := m.o.clock.Now(); nextFlush.Before(now) {
				nextFlush = now.Add(m.o.retryInterval)
			}
		case now := <-timer.C():
			m.joinMasters(now)
			m.rejoinLost(now)
			if !now.Before(nextFlush) {
				nextFlush = now.Add(m.o.retryInterval)
				for _, name := range m.masters.names() {
					m.spool.flush(name)
				}
			}
		case err := <-routerDone:
			routerDone <- err // for shutdown, which waits for it
			return err
		}
	}
}

// armWake sets the loop's timer for the earliest of the next offer of the
// spooled returns and the next join of a master not on the road. A join
// overdue (the road stopping under it) is tried again a millisecond on,
// not in a busy loop.
func (m *Minion) armWake(t clock.Timer, nextFlush time.Time) {
	next := nextFlush
	if m.spool.empty() {
		next = m.o.clock.Now().Add(time.Hour) // armed again when a return is kept
	}
	if at, ok := m.masters.nextJoin(); ok && at.Before(next) {
		next = at
	}
	t.Reset(max(next.Sub(m.o.clock.Now()), time.Millisecond))
}

// shutdown stops the router, lets the jobs and the deliveries under way
// finish, and stops the stacks. It returns runErr, else the first error
// of a stack.
func (m *Minion) shutdown(r *stackRuns, runErr error) error {
	m.log.Infof("Minion %s shutting down", m.id)
	r.stopRouter()
	<-r.routerDone
	// The road runs on while jobs finish, so their returns can still go.
	events := make(chan struct{})
	go func() { // nobody else reads the road's events now
		for {
			select {
			case <-m.road.Events():
			case <-events:
				return
			}
		}
	}()
	m.waitJobs()
	m.spool.idle(2 * time.Second)
	close(events)
	r.stopStacks()
	if err := <-r.roadDone; err != nil && runErr == nil {
		runErr = err
	}
	if err := <-r.laneDone; err != nil && runErr == nil {
		runErr = err
	}
	m.closeCommit()
	if p := m.spool.pending(); len(p) > 0 {
		m.log.Infof("%d returns kept for the next start: %v", len(p), p)
	}
	return runErr
}

// waitJobs gives the running jobs the shutdown grace to finish, then
// cancels them and gives them as long again.
func (m *Minion) waitJobs() {
	if m.jobs.wait(m.o.shutdownGrace) {
		return
	}
	m.log.Warnf("Cancelling %d jobs still running after %v", m.jobs.count(), m.o.shutdownGrace)
	m.jobCancel()
	if !m.jobs.wait(m.o.shutdownGrace) {
		m.log.Errorf("%d jobs did not stop; their returns are lost", m.jobs.count())
	}
}

// joinMasters joins the masters that have no remote on the road yet and
// whose time has come.
func (m *Minion) joinMasters(now time.Time) {
	m.masters.mu.Lock()
	var due []*master
	for _, ms := range m.masters.list {
		if ms.uid == 0 && !now.Before(ms.retryAt) {
			due = append(due, ms)
		}
	}
	m.masters.mu.Unlock()
	for _, ms := range due {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ha, err := road.ResolveHA(ctx, ms.addr.Host, ms.addr.Port)
		cancel()
		if err != nil {
			m.log.Warnf("Cannot resolve master %s: %v; trying again in %v", ms.addr, err, resolveRetry)
			m.masters.mu.Lock()
			ms.retryAt = now.Add(resolveRetry)
			m.masters.mu.Unlock()
			continue
		}
		m.masters.mu.Lock()
		was := ms.was
		m.masters.mu.Unlock()
		uid, err := m.road.JoinUID(ha, was, true)
		if err != nil {
			return // the road stopped
		}
		m.masters.mu.Lock()
		ms.ha, ms.uid, ms.rejoinAt = ha, uid, time.Time{}
		m.masters.mu.Unlock()
		m.log.Infof("Joining master %s (%s)", ms.addr, road.JoinHostPort(ha))
	}
}

// onEvent follows what the road says of the masters.
func (m *Minion) onEvent(ev road.Event) {
	m.masters.mu.Lock()
	ms := m.masters.byUID(ev.UID)
	var addr string
	if ms != nil {
		addr = ms.addr.String()
		if ev.Kind != road.EventRemoved {
			ms.name = ev.Name
		}
	}
	m.masters.mu.Unlock()
	if ms == nil {
		m.log.Debugf("Road: %s %s (uid %d), not one of the masters", ev.Kind, ev.Name, ev.UID)
		return
	}
	switch ev.Kind {
	case road.EventJoined:
		m.log.Infof("Joined master %s at %s", ev.Name, addr)
	case road.EventAllowed:
		m.allowedSeen.Store(true)
		m.masterBack(ev.UID)
		m.log.Infof("Allowed by master %s at %s", ev.Name, addr)
		m.masters.mu.Lock()
		ms.wait, ms.refusals = 0, 0
		m.masters.mu.Unlock()
		m.askPillar()
		m.spool.flush(ev.Name)
		m.flushLane()
	case road.EventAlived:
		m.allowedSeen.Store(true)
		m.masterBack(ev.UID)
		m.log.Debugf("Master %s is alive", ev.Name)
		m.spool.flush(ev.Name)
		m.flushLane()
	case road.EventLost:
		m.allowedSeen.Store(false)
		m.masterLost(ev, addr)
	case road.EventRemoved:
		m.allowedSeen.Store(false)
		m.masterRefused(ms, ev.Name, addr)
	case road.EventReaped:
		m.log.Debugf("Master %s reaped", ev.Name)
	}
}
