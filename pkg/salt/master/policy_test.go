package master

import (
	"slices"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The master's table, read as the router reads it: which path each share
// takes, and the reason a message on any other path is counted under.
func TestMasterPolicyTable(t *testing.T) {
	p := newMaster(t, "").m.policy()
	for _, c := range []struct {
		share             string
		from              route.Sources
		road, lane, local string // reasons; "" where the path is allowed
	}{
		{protocol.ShareRemoteCmd, route.FromRoad, "", "unknown_share", "unknown_share"},
		{protocol.ShareLocalCmd, route.FromLane, "road_local_cmd", "", "local_cmd_not_lane"},
		{protocol.ShareEventReq, route.FromLane, "road_unknown_share", "", "bad_event_req"},
		{protocol.ShareEventFire, route.FromLane, "road_unknown_share", "", "bad_event_fire"},
		{"presence_req", route.FromLane, "road_unknown_share", "", "bad_presence_req"},
		{"stats_req", route.FromLane, "road_unknown_share", "", "bad_stats_req"},
	} {
		r, ok := p.Shares[c.share]
		if !ok {
			t.Errorf("share %s is not in the table", c.share)
			continue
		}
		if r.From != c.from {
			t.Errorf("share %s takes %b, want %b", c.share, r.From, c.from)
		}
		for via, want := range map[string]string{route.ViaRoad: c.road, route.ViaLane: c.lane, route.ViaLocal: c.local} {
			if want != "" && r.Refused[via] != want {
				t.Errorf("share %s from the %s: refused as %q, want %q", c.share, via, r.Refused[via], want)
			}
		}
	}
	if p.Shares[protocol.ShareRemoteCmd].Estate == nil {
		t.Error("remote_cmd takes every estate: no check of the minion's key")
	}
	if p.Other.From != 0 || p.Other.Refused[route.ViaRoad] != "road_unknown_share" || p.Other.Refused[route.ViaLane] != "unknown_share" {
		t.Errorf("other shares: %+v", p.Other)
	}
	if p.Yards.From&route.FromRoad != 0 || p.Yards.Refused[route.ViaRoad] != "road_yard_refused" {
		t.Errorf("estates may reach local yards: %+v", p.Yards)
	}
	if p.Estates.From != 0 || p.Estates.Refused[route.ViaLane] != "lane_no_road" {
		t.Errorf("local yards may send over the road: %+v", p.Estates)
	}
}

// Only an estate the road stack knows passes the policy's check of
// remote_cmd, and only a minion whose key is accepted now is served: not
// one whose key was rejected after it joined.
func TestAcceptedMinion(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	uid := uint32(0)
	for u, rs := range tm.m.road.Remotes() {
		if rs.Role == "web1" {
			uid = u
		}
	}
	msg := route.Message{Via: route.ViaRoad, FromEstate: web1.estate(), FromUID: uid}
	if reason, why := tm.m.knownMinion(msg); reason != "" {
		t.Fatalf("accepted web1 refused: %s %s", reason, why)
	}
	for _, stranger := range []route.Message{
		{Via: route.ViaRoad, FromEstate: "ghost_minion", FromUID: 999},
		{Via: route.ViaRoad, FromEstate: "impostor", FromUID: uid}, // web1's uid, another name
	} {
		if reason, _ := tm.m.knownMinion(stranger); reason != "unknown_estate" {
			t.Errorf("estate %s uid %d: %q, want unknown_estate", stranger.FromEstate, stranger.FromUID, reason)
		}
	}
	if why := tm.m.unaccepted("web1"); why != "" {
		t.Fatalf("accepted web1: %q", why)
	}
	if err := tm.m.store.Move("web1", raet.Accepted, raet.Rejected); err != nil {
		t.Fatal(err)
	}
	if why := tm.m.unaccepted("web1"); !strings.Contains(why, "rejected") {
		t.Errorf("rejected web1: %q, want its key is rejected", why)
	}
}

// What the table refuses is counted every time and logged once per sender:
// a minion's local_cmd, a client's remote_cmd (which must not reach the
// job cache as a return) and a client's message for a minion's estate.
func TestPolicyRefusalsCountedAndLoggedOnce(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	est := tm.m.EstateName()
	localCmd := body.Map{
		{Key: "route", Value: body.Map{{Key: "src", Value: []any{web1.estate(), nil, nil}}, {Key: "dst", Value: []any{est, nil, "local_cmd"}}}},
		{Key: "load", Value: pubLoad(tm.key(), "*", "glob", "test.ping")},
	}
	for range 3 {
		web1.send(localCmd)
	}
	tm.waitStat("road_local_cmd", 3)
	if n := strings.Count(tm.logs.String(), "Refused a local_cmd over the road from "+web1.estate()); n != 1 {
		t.Errorf("the road's local_cmd logged %d times, want once", n)
	}
	if st := tm.m.Stats(); st["publish"] != 0 || st["router_road_local_cmd"] != 3 || st["road_received"] < 3 {
		t.Errorf("stats %v", st)
	}

	ret := web1.remoteCmd(est, body.Map{{Key: "cmd", Value: "_return"}, {Key: "jid", Value: "20200101000000000000"}})
	ret.Set("route", body.Map{{Key: "src", Value: []any{nil, nil, nil}}, {Key: "dst", Value: []any{nil, "manor", "remote_cmd"}}})
	c.sendFrom(c.cli, ret)
	c.sendFrom(c.cli, ret)
	tm.waitStat("unknown_share", 2)
	if n := strings.Count(tm.logs.String(), `for share "remote_cmd"`); n != 1 {
		t.Errorf("the client's remote_cmd logged %d times, want once", n)
	}

	c.sendFrom(c.cli, body.Map{{Key: "route", Value: body.Map{
		{Key: "src", Value: []any{nil, nil, nil}}, {Key: "dst", Value: []any{web1.estate(), nil, "fun"}}}}})
	tm.waitStat("lane_no_road", 1)
	select {
	case b := <-web1.pubs:
		t.Errorf("a client reached a minion through the master: %v", b)
	case b := <-web1.others:
		t.Errorf("a client reached a minion through the master: %v", b)
	default:
	}
	if st := tm.m.Stats(); st["return"] != 0 || st["unknown_jid"] != 0 || st["bad_load"] != 0 {
		t.Errorf("a client's remote_cmd was served: %v", st)
	}
}

// Every share of the table has its handler, and every handler its rule.
func TestMasterPolicyHandlers(t *testing.T) {
	tm := newMaster(t, "")
	defer tm.m.Close()
	var shares, want []string
	for share := range tm.m.handlers() {
		shares = append(shares, share)
	}
	for share := range tm.m.policy().Shares {
		want = append(want, share)
	}
	slices.Sort(shares)
	slices.Sort(want)
	if !slices.Equal(shares, want) {
		t.Errorf("handlers for %v, rules for %v", shares, want)
	}
}
