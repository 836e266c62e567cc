package minion

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// DefaultRequestTimeout bounds one request to the master, from sending it
// to its reply: Salt's minion waits 60 s for a ReqChannel answer
// (return_retry_timer_max / the channel's default timeout of 60 s).
const DefaultRequestTimeout = 60 * time.Second

// ErrNoMaster is why a request cannot go: no master is allowed on the
// road now.
var ErrNoMaster = errors.New("no master is allowed on the road now")

// ErrRequestTimeout is why a request failed when its master did not
// answer in time.
var ErrRequestTimeout = errors.New("the master did not answer the request in time")

// WithRequestTimeout bounds one request to the master (Request); the
// default is DefaultRequestTimeout.
func WithRequestTimeout(d time.Duration) Option { return func(o *options) { o.requestTimeout = d } }

// pending are the requests waiting for their master's reply, by track: the
// router's goroutine delivers each reply (onOther), a requester waits.
type pending struct {
	mu     sync.Mutex
	tracks map[string]*waiter
}

// waiter is one request: the master it went to, and where its return goes.
type waiter struct {
	master string
	reply  chan any
}

func (p *pending) add(track, master string) *waiter {
	w := &waiter{master: master, reply: make(chan any, 1)}
	p.mu.Lock()
	if p.tracks == nil {
		p.tracks = map[string]*waiter{}
	}
	p.tracks[track] = w
	p.mu.Unlock()
	return w
}

func (p *pending) remove(track string) {
	p.mu.Lock()
	delete(p.tracks, track)
	p.mu.Unlock()
}

// take removes and returns the waiter of track, if the reply is from the
// master it was sent to.
func (p *pending) take(track, master string) (*waiter, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.tracks[track]
	if !ok || w.master != master {
		return nil, false
	}
	delete(p.tracks, track)
	return w, true
}

// Request sends a load to the current master (the one pick chooses, as for
// a local tool's request) and waits for its return, as Salt's
// RAETReqChannel.send did: the message goes to the master's remote_cmd from
// a fresh track share of this minion, and the master answers to that track.
// The load's "id" is set to the minion id (on a copy). It fails with
// ErrNoMaster when no master is allowed, with the road's error when the
// message is not delivered, and with ErrRequestTimeout when no reply comes
// within the request timeout of the minion's clock.
func (m *Minion) Request(ctx context.Context, load body.Map) (any, error) {
	name, uid, ok := m.masters.pick(m.road.Remotes())
	if !ok {
		return nil, ErrNoMaster
	}
	load = append(body.Map(nil), load...)
	load.Set("id", m.id)
	track := lane.NewSessionID()
	w := m.requests.add(track, name)
	defer m.requests.remove(track)
	cmd, _ := load.String("cmd")
	timer := m.o.clock.NewTimer(m.o.requestTimeout)
	defer timer.Stop()
	d := m.road.Transmit(protocol.Request(m.estate, name, track, load), uid, m.o.requestTimeout)
	delivered := d.Done()
	for {
		select {
		case ret := <-w.reply:
			return ret, nil
		case <-delivered:
			if err := d.Err(); err != nil {
				return nil, fmt.Errorf("request %s to master %s: %w", cmd, name, err)
			}
			delivered = nil
		case <-timer.C():
			return nil, fmt.Errorf("request %s to master %s: %w (%v)", cmd, name, ErrRequestTimeout, m.o.requestTimeout)
		case <-ctx.Done():
			return nil, fmt.Errorf("request %s to master %s: %w", cmd, name, context.Cause(ctx))
		}
	}
}

// onReply gives a master's reply to the request waiting on its track; a
// reply for no such track (late, after a timeout, or never asked for) is
// counted as reply_unknown_track and dropped at debug. False when the
// message is no reply to a track at all.
func (m *Minion) onReply(msg route.Message) bool {
	track := msg.Route.Dst.Share
	if track == "" || msg.Via != route.ViaRoad {
		return false
	}
	ret, ok := protocol.ReplyValue(msg.Body)
	if !ok {
		return false
	}
	w, ok := m.requests.take(track, msg.FromEstate)
	if !ok {
		m.stats.Add("reply_unknown_track")
		m.log.Debugf("Dropping a reply from %s for track %q: no request waits for it", msg.FromEstate, track)
		return true
	}
	w.reply <- ret
	return true
}
