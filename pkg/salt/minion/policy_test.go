package minion

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The minion's table, read as the router reads it.
func TestMinionPolicyTable(t *testing.T) {
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "")
	m, err := New(e.cfg, e.log)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p := m.policy()
	fun, cmd := p.Shares[protocol.ShareFun], p.Shares[protocol.ShareRemoteCmd]
	if fun.From != route.FromRoad || fun.Estate == nil ||
		fun.Refused[route.ViaLane] != "publish_not_from_master" || fun.Refused[route.ViaLocal] != "publish_not_from_master" {
		t.Errorf("fun: %+v", fun)
	}
	if cmd.From != route.FromLane|route.FromLocal || cmd.Refused[route.ViaRoad] != "road_remote_cmd" {
		t.Errorf("remote_cmd: %+v", cmd)
	}
	if p.Other.From != route.FromAnywhere || p.Yards.From != route.FromAnywhere ||
		p.Estates.From != route.FromLane|route.FromLocal {
		t.Errorf("other %b, yards %b, estates %b", p.Other.From, p.Yards.From, p.Estates.From)
	}
	var shares, want []string
	for share := range m.handlers() {
		shares = append(shares, share)
	}
	for share := range p.Shares {
		want = append(want, share)
	}
	want = append(want, "") // onOther, as Other allows
	slices.Sort(shares)
	slices.Sort(want)
	if !slices.Equal(shares, want) {
		t.Errorf("handlers for %q, rules for %q", shares, want)
	}
	stranger := route.Message{Via: route.ViaRoad, FromEstate: masterEstate, FromUID: 77}
	for name, r := range map[string]route.Rule{"publish_not_from_master": fun,
		"road_not_from_master": p.Other, "road_yard_not_from_master": p.Yards} {
		if r.Estate == nil {
			t.Errorf("%s: no check of the estate", name)
			continue
		}
		if reason, _ := r.Estate(stranger); reason != name {
			t.Errorf("an estate that is no master: %q, want %q", reason, name)
		}
	}
}

// runTool starts a local tool's yard on the minion's lane.
func runTool(t *testing.T, e *env, name string) *lane.Stack {
	t.Helper()
	tool, err := lane.NewStack(lane.Config{Name: name, Lane: "m1_minion", Dir: e.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go tool.Run(ctx)
	t.Cleanup(func() { cancel(); <-tool.Stopped() })
	return tool
}

// A local yard cannot have a job run by sending fun as if from the master,
// and a master cannot have the minion relay a remote_cmd: each is refused,
// counted every time and logged once.
func TestMinionPolicyRefusals(t *testing.T) {
	t.Parallel()
	fm, e, r := startJoined(t)

	tool := runTool(t, e, "tool")
	jid := newJID()
	spoofed := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "src", Value: []any{masterEstate, nil, nil}},
			{Key: "dst", Value: []any{"m1_minion", "manor", "fun"}},
		}},
		{Key: "pub", Value: pubLoad(jid, "*", "glob", "test.ping")},
	}
	for range 2 {
		if err := tool.Transmit(spoofed, "manor").Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both spoofed publishes refused", func() bool { return r.m.Stats()["publish_not_from_master"] == 2 })

	uid, ok := fm.stack.UID("m1_minion")
	if !ok {
		t.Fatal("the master does not know the minion")
	}
	bounce := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "src", Value: []any{masterEstate, nil, nil}},
			{Key: "dst", Value: []any{"m1_minion", nil, "remote_cmd"}},
		}},
		{Key: "load", Value: body.Map{{Key: "cmd", Value: "_bounce"}}},
	}
	for range 2 {
		if err := fm.stack.Transmit(bounce, uid, deadline).Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both road remote_cmds refused", func() bool { return r.m.Stats()["road_remote_cmd"] == 2 })

	// A real publish after them runs, and is the only job that does.
	real := newJID()
	fm.publish("m1_minion", pubLoad(real, "*", "glob", "test.ping"))
	fm.waitReturn(real)
	if n := fm.count(isReturn(jid)); n != 0 {
		t.Errorf("the spoofed publish ran: %d returns", n)
	}
	if n := fm.count(isCmd("_bounce")); n != 0 {
		t.Errorf("the minion relayed the master's remote_cmd %d times", n)
	}
	if n := len(e.hook.wait(t, "Refusing a publish from lane", 1)); n != 1 {
		t.Errorf("the spoofed publishes logged %d times, want once", n)
	}
	if n := len(e.hook.wait(t, "Dropping a remote_cmd message from estate", 1)); n != 1 {
		t.Errorf("the road's remote_cmd logged %d times, want once", n)
	}
	for _, l := range e.hook.wait(t, "Refusing a publish from lane", 1) {
		if !strings.Contains(l, "tool") || !strings.Contains(l, "not one of this minion's masters") {
			t.Errorf("log line %q", l)
		}
	}
}

// The master's reply to a local tool's request reaches the tool's yard:
// the policy lets a master's road message through to a local yard.
func TestMasterReplyReachesLocalYard(t *testing.T) {
	t.Parallel()
	fm, e, r := startJoined(t)
	tool := runTool(t, e, "tool")
	uid, ok := fm.stack.UID("m1_minion")
	if !ok {
		t.Fatal("the master does not know the minion")
	}
	reply := body.Map{
		{Key: "route", Value: body.Map{
			{Key: "src", Value: []any{masterEstate, nil, nil}},
			{Key: "dst", Value: []any{"m1_minion", "tool", "track1"}},
		}},
		{Key: "return", Value: "pong"},
	}
	if err := fm.stack.Transmit(reply, uid, deadline).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case rx := <-tool.Receive():
		if got, _ := rx.Body.String("return"); got != "pong" {
			t.Errorf("the tool got %v", rx.Body)
		}
	case <-time.After(deadline):
		t.Fatalf("the master's reply never reached the tool; minion stats %v", r.m.Stats())
	}
}
