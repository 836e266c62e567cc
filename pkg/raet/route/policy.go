package route

import (
	"errors"
	"fmt"
	"sync"
)

// ErrRefused is what every Refusal unwraps to: a Policy kept a message
// from where its route led.
var ErrRefused = errors.New("route: refused by the policy")

// Sources is a set of the paths a message may come by: the road (another
// estate), the lane (a local yard) or this process (Send).
type Sources uint8

// The paths of Sources.
const (
	FromRoad Sources = 1 << iota
	FromLane
	FromLocal

	FromAnywhere = FromRoad | FromLane | FromLocal
)

// sourceOf is the path of a Message's Via.
func sourceOf(via string) Sources {
	switch via {
	case ViaRoad:
		return FromRoad
	case ViaLane:
		return FromLane
	case ViaLocal:
		return FromLocal
	}
	return 0
}

// Rule says who may send to one destination: a share of the router, or
// the yards or estates it forwards to.
type Rule struct {
	// From are the paths whose messages the destination takes.
	From Sources
	// Estate, for a message from the road, asks the daemon whether the
	// estate that signed it qualifies (its role, its key's acceptance): ""
	// when it does, else the reason to count and why, for the daemon's
	// log. Nil takes every estate the road delivers. It runs on the
	// router's goroutine, so it must be quick.
	Estate func(Message) (reason, why string)
	// Refused names the reason counted for a message from a path not in
	// From, by its Via; a path not named counts as "<via>_refused".
	Refused map[string]string
}

// judge is "" when m may go on, else the reason it may not and why.
func (r Rule) judge(m Message) (reason, why string) {
	if r.From&sourceOf(m.Via) == 0 {
		if reason = r.Refused[m.Via]; reason == "" {
			reason = m.Via + "_refused"
		}
		return reason, "nothing is taken from the " + m.Via + " here"
	}
	if m.Via == ViaRoad && r.Estate != nil {
		return r.Estate(m)
	}
	return "", ""
}

// Policy is the message restriction Salt's RAET documentation promised:
// "processes sent messages of specific types from specific sources". It
// says, for each destination, which sources may send to it; anything else
// the router drops before it reaches a handler, a yard or the road,
// counts under the rule's reason and reports as a *Refusal. What the
// shares mean, and which estates qualify, is the daemon's business: it
// declares the table.
type Policy struct {
	// Shares holds the rules of the router's own shares, by name.
	Shares map[string]Rule
	// Other is the rule of every share not in Shares (those the default
	// handler gets).
	Other Rule
	// Yards is the rule of messages for another yard on the lane. A daemon
	// whose yards are its own leaves FromRoad out: estates then never
	// reach a local yard through it.
	Yards Rule
	// Estates is the rule of messages for another estate over the road.
	// Messages from the road are never relayed, whatever it says.
	Estates Rule
}

// destination is where a message's route leads from the router.
type destination int

const (
	toShare   destination = iota // a share of the router
	toYards                      // another yard on the lane
	toEstates                    // another estate over the road
)

// rule is the rule of a destination; share names the router's share.
func (p *Policy) rule(d destination, share string) Rule {
	switch d {
	case toYards:
		return p.Yards
	case toEstates:
		return p.Estates
	}
	if r, ok := p.Shares[share]; ok {
		return r
	}
	return p.Other
}

// Refusal is why a Policy dropped a message: the error OnUndeliverable
// hears for it.
type Refusal struct {
	// Reason is what the refusal is counted as, in the router's Stats as
	// in the daemon's.
	Reason string
	// Why says more, in the words of the rule or of its Estate check.
	Why string
	// First is true for the first refusal of its reason from its source
	// (an estate, a yard, this process): the one to log, so that a hostile
	// peer cannot flood the log.
	First bool
}

func (e *Refusal) Error() string {
	if e.Why == "" {
		return fmt.Sprintf("route: refused (%s)", e.Reason)
	}
	return fmt.Sprintf("route: refused (%s): %s", e.Reason, e.Why)
}

func (e *Refusal) Unwrap() error { return ErrRefused }

// MaxRefusalNotes bounds the reason and source pairs a router remembers
// having refused, so that ever new yard names cannot grow it; past it the
// notes start over, which at worst logs a refusal once more.
const MaxRefusalNotes = 4096

// refusalNotes remembers which reason and source pairs were refused.
type refusalNotes struct {
	mu   sync.Mutex
	seen map[refusalKey]struct{}
}

type refusalKey struct {
	reason, via, from string
}

// first notes a refusal of m for reason and says whether it is the first.
func (n *refusalNotes) first(reason string, m Message) bool {
	k := refusalKey{reason: reason, via: m.Via}
	switch m.Via {
	case ViaRoad:
		k.from = m.FromEstate
	case ViaLane:
		k.from = m.FromYard
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.seen[k]; ok {
		return false
	}
	if n.seen == nil || len(n.seen) >= MaxRefusalNotes {
		n.seen = map[refusalKey]struct{}{}
	}
	n.seen[k] = struct{}{}
	return true
}

// admit applies the rule of m's destination to m: nil when m may go on,
// else the Refusal, counted and reported. A router without a Policy admits
// everything.
func (r *Router) admit(m Message, d destination) error {
	p := r.cfg.Policy
	if p == nil {
		return nil
	}
	reason, why := p.rule(d, m.Route.Dst.Share).judge(m)
	if reason == "" {
		return nil
	}
	return r.drop(reason, m, &Refusal{Reason: reason, Why: why, First: r.refusals.first(reason, m)})
}
