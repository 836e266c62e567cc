package master

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// A publish the road could not deliver is often one that crossed a minion
// redoing its join or allow (it restarted, or its session was renewed): the
// road reports it not allowed, nacked or timed out while the minion is
// about to be allowed again. Such a publish waits for the minion's next
// allow and is sent again, within the resend window from the publish;
// only when the window passes is it reported undelivered, once.

// WithResendWindow bounds how long after a publish a minion whose delivery
// failed, or that had no session, is waited for to be allowed again; zero
// means the publish timeout.
func WithResendWindow(d time.Duration) Option { return func(o *options) { o.resendWindow = d } }

// maxResends bounds the attempts to one minion for one publish, so a
// minion that is allowed and then refuses every message costs little.
const maxResends = 5

// allowWatch counts, by minion id, the allows of its estates, and wakes
// whoever waits for the next one.
type allowWatch struct {
	mu   sync.Mutex
	gen  map[string]uint64
	next map[string]chan struct{}
}

func newAllowWatch() *allowWatch {
	return &allowWatch{gen: map[string]uint64{}, next: map[string]chan struct{}{}}
}

func (a *allowWatch) allowed(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen[id]++
	if ch := a.next[id]; ch != nil {
		close(ch)
		delete(a.next, id)
	}
}

// since returns how many allows of id there were, and a channel closed at
// the next one.
func (a *allowWatch) since(id string) (uint64, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch := a.next[id]
	if ch == nil {
		ch = make(chan struct{})
		a.next[id] = ch
	}
	return a.gen[id], ch
}

// onRoadEvent tells the waiting publishes of an estate's allow.
func (m *Master) onRoadEvent(e road.Event) {
	if e.Kind != road.EventAllowed {
		return
	}
	if rs, ok := m.road.Remote(e.UID); ok && rs.Role != "" {
		m.allows.allowed(rs.Role)
	}
}

// roadEstates are the estates the road knows, by minion id: those
// allowed, by name, and whether there is any.
type roadEstates struct {
	allowed map[string][]road.RemoteState
	known   map[string]bool
}

// estates reads the road's remotes once for a whole publish.
func (m *Master) estates() roadEstates {
	e := roadEstates{allowed: map[string][]road.RemoteState{}, known: map[string]bool{}}
	for _, rs := range m.road.Remotes() {
		e.known[rs.Role] = true
		if rs.Allowed == road.Yes {
			e.allowed[rs.Role] = append(e.allowed[rs.Role], rs)
		}
	}
	for _, l := range e.allowed {
		sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
	}
	return e
}

// estatesOf lists the allowed estates of a minion, by name, and whether
// the road knows any estate of it at all.
func (m *Master) estatesOf(id string) (allowed []road.RemoteState, known bool) {
	e := m.estates()
	return e.allowed[id], e.known[id]
}

// pubDelivery follows one job's publish to one minion until one of its
// estates acknowledged it, or the resend window passed.
type pubDelivery struct {
	m       *Master
	jid, id string
	pub     body.Map
	until   time.Time

	mu      sync.Mutex
	open    int  // transmissions under way
	settled bool // delivered, or reported undelivered
	resends int
}

func (m *Master) newPubDelivery(jid, id string, pub body.Map) *pubDelivery {
	window := m.opts.resendWindow
	if window <= 0 {
		window = m.opts.publishTimeout
	}
	return &pubDelivery{m: m, jid: jid, id: id, pub: pub, until: m.now().Add(window)}
}

// start sends the publish to the minion's allowed estates; a minion the
// road knows with none allowed now is waited for.
func (p *pubDelivery) start(e roadEstates) {
	gen, _ := p.m.allows.since(p.id)
	estates := e.allowed[p.id]
	if len(estates) == 0 {
		why := "minion is not connected: no allowed road estate has its key"
		if !e.known[p.id] {
			p.m.undelivered(p.jid, p.id, "", why)
			return
		}
		p.m.watchers.Add(1)
		go func() {
			defer p.m.watchers.Done()
			p.retry(gen, "", errors.New(why))
		}()
		return
	}
	p.mu.Lock()
	p.open += len(estates)
	p.mu.Unlock()
	for _, rs := range estates {
		d := p.m.road.Transmit(p.msg(rs.Name), rs.UID, p.m.opts.publishTimeout)
		p.m.stats.Add("publish_sent")
		p.m.watchers.Add(1)
		go func(estate string) {
			defer p.m.watchers.Done()
			p.outcome(gen, estate, d.Err())
		}(rs.Name)
	}
}

func (p *pubDelivery) msg(estate string) body.Map {
	return protocol.PubMessage(p.m.estate, estate, p.pub)
}

// outcome takes the result of one transmission, sent after gen allows;
// the last of them to fail waits for the minion to be allowed again.
func (p *pubDelivery) outcome(gen uint64, estate string, err error) {
	p.mu.Lock()
	p.open--
	switch {
	case p.settled, errors.Is(err, road.ErrStopped):
		p.mu.Unlock()
		return // delivered already, or the master is stopping: nobody is left to tell
	case err == nil:
		p.settled = true
		p.mu.Unlock()
		p.delivered()
		return
	case p.open > 0:
		p.mu.Unlock()
		p.m.log.Debugf("Job %s not delivered to %s (estate %s): %v; another estate may take it", p.jid, p.id, estate, err)
		return
	}
	p.mu.Unlock()
	p.retry(gen, estate, err)
}

func (p *pubDelivery) delivered() {
	p.m.stats.Add("publish_delivered")
	p.m.watch.delivered(p.jid, p.id)
	p.m.ev.fire(DeliveredTag(p.jid, p.id), protocol.DeliveredData(p.jid, p.id))
}

// retry waits for an allow of the minion after gen, sends the publish
// again, and so on until it is delivered or the window has passed.
func (p *pubDelivery) retry(gen uint64, estate string, err error) {
	m := p.m
	timer := m.opts.clock.NewTimer(p.until.Sub(m.now()))
	defer timer.Stop()
	for p.resends < maxResends {
		now, next := m.allows.since(p.id)
		if now == gen {
			m.stats.Add("publish_resend_wait")
			m.log.Infof("Job %s not delivered to %s yet (%v); sending it again when the minion is allowed again", p.jid, p.id, err)
			select {
			case <-next:
			case <-timer.C():
				p.fail(estate, err)
				return
			case <-m.stopping:
				return
			}
			now, _ = m.allows.since(p.id)
		}
		gen = now
		estates, _ := m.estatesOf(p.id)
		if len(estates) == 0 {
			continue // allowed and gone again: wait for the next allow
		}
		p.resends++
		m.stats.Add("publish_resent")
		estate = estates[0].Name
		m.log.Infof("Job %s: sending the publish again to %s (estate %s), allowed again", p.jid, p.id, estate)
		err = m.road.Transmit(p.msg(estate), estates[0].UID, min(m.opts.publishTimeout, max(p.until.Sub(m.now()), time.Second))).Err()
		switch {
		case err == nil:
			p.mu.Lock()
			p.settled = true
			p.mu.Unlock()
			p.delivered()
			return
		case errors.Is(err, road.ErrStopped):
			return
		}
		if !m.now().Before(p.until) {
			break
		}
	}
	p.fail(estate, err)
}

func (p *pubDelivery) fail(estate string, err error) {
	p.mu.Lock()
	p.settled = true
	p.mu.Unlock()
	p.m.undelivered(p.jid, p.id, estate, err.Error())
}
