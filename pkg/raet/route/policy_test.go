package route_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// withPolicy replaces h's router, not yet run, by one that applies p and
// reports to h as newHost's does.
func withPolicy(h *host, p *route.Policy) {
	cfg := route.Config{Lane: h.lane, Estate: "solo", Policy: p, OnUndeliverable: func(m route.Message, err error) {
		select {
		case h.reports <- report{m, err}:
		default:
			h.t.Errorf("too many undeliverable reports; dropped %v", err)
		}
	}}
	if h.road != nil {
		cfg.Road, cfg.Estate = h.road, ""
	}
	h.router = route.New(cfg)
}

// refused waits for the next report, which must be a Refusal for reason.
func (h *host) refused(reason string, first bool) report {
	h.t.Helper()
	r := h.expect(route.ErrRefused)
	var rf *route.Refusal
	if !errors.As(r.err, &rf) {
		h.t.Fatalf("reported %T %v, want a *route.Refusal", r.err, r.err)
	}
	if rf.Reason != reason || rf.First != first {
		h.t.Fatalf("refused as %q (first %v), want %q (first %v): %v", rf.Reason, rf.First, reason, first, rf)
	}
	return r
}

// Each share takes messages from the paths its rule names only, and from
// the road only the estates the daemon's check passes; the rest is
// refused, counted by its rule's reason and reported, the first of each
// reason from each source marked to be logged.
func TestPolicyShares(t *testing.T) {
	alpha, beta, alphaUID, betaUID := twoHosts(t)
	var qualifies atomic.Bool
	var asked atomic.Uint32
	withPolicy(alpha, &route.Policy{
		Shares: map[string]route.Rule{
			"job": {From: route.FromLane, Refused: map[string]string{route.ViaRoad: "road_job"}},
			"cmd": {From: route.FromRoad, Estate: func(m route.Message) (string, string) {
				asked.Store(m.FromUID)
				if !qualifies.Load() {
					return "unqualified_estate", "estate " + m.FromEstate + " does not qualify"
				}
				return "", ""
			}},
		},
	})
	client := alpha.yard("client")
	got := make(chan route.Message, 8)
	for _, share := range []string{"job", "cmd"} {
		alpha.router.Handle(share, func(m route.Message) { got <- m })
	}
	alpha.start()
	road := func(share string) {
		t.Helper()
		if err := beta.road.Transmit(msg(triple("beta", "", ""), triple("alpha", "", share)), alphaUID, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}

	// job: the lane only.
	transmit(t, client, msg(triple("", "", ""), triple("", "", "job")), "router")
	if m := handled(t, got); m.Via != route.ViaLane || m.Route.Dst.Share != "job" {
		t.Errorf("job got via %q share %q", m.Via, m.Route.Dst.Share)
	}
	road("job")
	if r := alpha.refused("road_job", true); r.m.FromEstate != "beta" {
		t.Errorf("refusal names estate %q, want beta", r.m.FromEstate)
	}
	road("job")
	alpha.refused("road_job", false) // counted, not to be logged again
	err := alpha.router.Send(msg(triple("", "", ""), triple("", "", "job")))
	var rf *route.Refusal
	if !errors.As(err, &rf) || rf.Reason != "local_refused" || !rf.First {
		t.Errorf("Send to job: %v, want a first local_refused Refusal", err)
	}
	alpha.refused("local_refused", true)

	// cmd: the road, from the estates the check passes.
	road("cmd")
	alpha.refused("unqualified_estate", true)
	if asked.Load() != betaUID {
		t.Errorf("the estate check was asked about uid %d, want beta's %d", asked.Load(), betaUID)
	}
	qualifies.Store(true)
	road("cmd")
	if m := handled(t, got); m.Via != route.ViaRoad || m.FromEstate != "beta" || m.Route.Dst.Share != "cmd" {
		t.Errorf("cmd got via %q from %q share %q", m.Via, m.FromEstate, m.Route.Dst.Share)
	}
	transmit(t, client, msg(triple("", "", ""), triple("", "", "cmd")), "router")
	alpha.refused("lane_refused", true)

	select {
	case m := <-got:
		t.Errorf("a refused message reached a handler: %v via %s", m.Route, m.Via)
	default:
	}
	for key, want := range map[string]uint64{"road_job": 2, "local_refused": 1, "unqualified_estate": 1,
		"lane_refused": 1, "handled": 2} {
		alpha.stat(key, want)
	}
	alpha.quiet()
}

// A share not in the table takes what Other allows, whichever handler
// waits for it; the first refusal of a reason is marked once per source,
// per yard here.
func TestPolicyOther(t *testing.T) {
	alpha, beta, alphaUID, _ := twoHosts(t)
	withPolicy(alpha, &route.Policy{
		Other: route.Rule{Refused: map[string]string{route.ViaRoad: "road_other", route.ViaLane: "other"}},
	})
	client, other := alpha.yard("client"), alpha.yard("other")
	got := make(chan route.Message, 8)
	alpha.router.Handle("", func(m route.Message) { got <- m })
	alpha.router.Handle("nobody", func(m route.Message) { got <- m })
	alpha.start()

	if err := beta.road.Transmit(msg(triple("beta", "", ""), triple("alpha", "", "nobody")), alphaUID, 0).Err(); err != nil {
		t.Fatal(err)
	}
	alpha.refused("road_other", true)
	transmit(t, client, msg(triple("", "", ""), triple("", "", "nobody")), "router")
	alpha.refused("other", true)
	transmit(t, client, msg(triple("", "", ""), triple("", "", "else")), "router")
	alpha.refused("other", false)
	transmit(t, other, msg(triple("", "", ""), triple("", "", "nobody")), "router")
	if r := alpha.refused("other", true); r.m.FromYard != "other" {
		t.Errorf("refusal names yard %q, want other", r.m.FromYard)
	}
	select {
	case m := <-got:
		t.Errorf("a refused message reached a handler: %v via %s", m.Route, m.Via)
	default:
	}
	for key, want := range map[string]uint64{"road_other": 1, "other": 3, "handled": 0} {
		alpha.stat(key, want)
	}
	alpha.quiet()
}

// A daemon whose yards are its own keeps the road off them, and may keep
// its yards off the road; what the rules allow is forwarded as before.
func TestPolicyForwards(t *testing.T) {
	alpha, beta, alphaUID, _ := twoHosts(t)
	withPolicy(alpha, &route.Policy{
		Yards:   route.Rule{From: route.FromLane | route.FromLocal, Refused: map[string]string{route.ViaRoad: "road_yard_refused"}},
		Estates: route.Rule{From: route.FromLocal, Refused: map[string]string{route.ViaLane: "lane_no_road"}},
	})
	client, worker := alpha.yard("client"), alpha.yard("worker")
	echo := make(chan route.Message, 4)
	beta.router.Handle("echo", func(m route.Message) { echo <- m })
	alpha.start()
	beta.start()

	// To a yard: from the road, refused; from the lane and Send, forwarded.
	if err := beta.road.Transmit(msg(triple("beta", "", ""), triple("alpha", "worker", "job")), alphaUID, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if r := alpha.refused("road_yard_refused", true); r.m.Route.Dst.Yard != "worker" {
		t.Errorf("refusal names dst %v", r.m.Route.Dst)
	}
	transmit(t, client, msg(triple("", "", ""), triple("", "worker", "from-lane")), "router")
	if err := alpha.router.Send(msg(triple("", "", ""), triple("", "worker", "from-send"))); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for range 2 {
		got[parse(t, receive(t, worker).Body).Dst.Share] = true
	}
	if !got["from-lane"] || !got["from-send"] {
		t.Errorf("worker got %v, want from-lane and from-send (the road's message got through?)", got)
	}

	// To an estate: from the lane, refused; from Send, sent.
	transmit(t, client, msg(triple("", "", ""), triple("beta", "", "echo")), "router")
	alpha.refused("lane_no_road", true)
	if err := alpha.router.Send(msg(triple("", "", ""), triple("beta", "", "echo"), body.Item{Key: "n", Value: "sent"})); err != nil {
		t.Fatal(err)
	}
	if m := handled(t, echo); m.FromEstate != "alpha" {
		t.Errorf("echo got it from %q", m.FromEstate)
	}
	select {
	case m := <-echo:
		t.Errorf("beta got a second message: %v", m.Body)
	default:
	}
	alpha.stat("road_yard_refused", 1)
	alpha.stat("lane_no_road", 1)
	alpha.stat("lane_forwarded", 2)
	alpha.stat("road_forwarded", 1)
	alpha.quiet()
}
