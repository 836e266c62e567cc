package route_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// wait is how long anything that should happen may take: generous, since
// the tests only ever wait on something that does happen.
const wait = 30 * time.Second

// triple builds a wire route end: "" is written as null, as the reference
// writes None.
func triple(estate, yard, share string) []any {
	out := make([]any, 3)
	for i, s := range []string{estate, yard, share} {
		if s != "" {
			out[i] = s
		}
	}
	return out
}

func msg(src, dst []any, rest ...body.Item) body.Map {
	m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: src}, {Key: "dst", Value: dst}}}}
	return append(m, rest...)
}

type report struct {
	m   route.Message
	err error
}

// host is one estate: a road stack, a lane with the router's yard on it,
// and the router.
type host struct {
	t       *testing.T
	ctx     context.Context
	road    *road.Stack
	lane    *lane.Stack
	dir     string
	router  *route.Router
	reports chan report
}

// runLane starts a yard on a lane directory and stops it (socket file
// removed) before the test's directory goes.
func runLane(t *testing.T, ctx context.Context, dir, yard string) *lane.Stack {
	t.Helper()
	s, err := lane.NewStack(lane.Config{Name: yard, Lane: "lane", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	go s.Run(ctx)
	t.Cleanup(func() { cancel(); <-s.Stopped() })
	return s
}

func newRoad(t *testing.T, ctx context.Context, name string, main bool) *road.Stack {
	t.Helper()
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k, err := keep.Open(t.TempDir(), keep.KindJSON, raet.AutoAlways)
	if err != nil {
		t.Fatal(err)
	}
	signer, priv := testutil.NamedKeys(t, "route/"+name)
	s, err := road.NewStack(road.Config{Name: name, Main: main, Signer: signer, Privateer: priv,
		Conn: conn, Keep: k, BodyKind: raet.BodyMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	go s.Run(ctx)
	go func() { // nobody here cares for the events
		for {
			select {
			case <-s.Events():
			case <-s.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-s.Done() })
	return s
}

// newHost makes an estate with a road stack (nil when name is ""), a lane
// in a directory of its own, and a running router whose yard is "router".
func newHost(t *testing.T, name string, main bool) *host {
	t.Helper()
	// t.TempDir is too long a path for a Unix socket.
	dir, err := os.MkdirTemp("", "route")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &host{t: t, ctx: ctx, dir: dir, reports: make(chan report, 64)}
	cfg := route.Config{Estate: "solo", OnUndeliverable: func(m route.Message, err error) {
		select {
		case h.reports <- report{m, err}:
		default:
			t.Errorf("too many undeliverable reports; dropped %v", err)
		}
	}}
	if name != "" {
		h.road = newRoad(t, ctx, name, main)
		cfg.Road, cfg.Estate = h.road, ""
	}
	h.lane = runLane(t, ctx, dir, "router")
	cfg.Lane = h.lane
	h.router = route.New(cfg)
	return h
}

// start runs the router, once the test has registered its handlers.
func (h *host) start() {
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- h.router.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("router of %s: %v", h.router.Estate(), err)
		}
	})
}

// yard starts another yard on the host's lane.
func (h *host) yard(name string) *lane.Stack {
	h.t.Helper()
	return runLane(h.t, h.ctx, h.dir, name)
}

// expect waits for the next undeliverable report and checks its error.
func (h *host) expect(want error) report {
	h.t.Helper()
	select {
	case r := <-h.reports:
		if !errors.Is(r.err, want) {
			h.t.Fatalf("reported %v, want %v", r.err, want)
		}
		return r
	case <-time.After(wait):
		h.t.Fatalf("no report of %v", want)
	}
	return report{}
}

// quiet checks nothing else was reported.
func (h *host) quiet() {
	h.t.Helper()
	select {
	case r := <-h.reports:
		h.t.Errorf("unexpected report: %v (route %v)", r.err, r.m.Route)
	default:
	}
}

func (h *host) stat(key string, want uint64) {
	h.t.Helper()
	if got := h.router.Stats()[key]; got != want {
		h.t.Errorf("%s %s = %d, want %d (stats %v)", h.router.Estate(), key, got, want, h.router.Stats())
	}
}

// joinHosts joins beta to alpha over UDP on loopback and waits until each
// allows the other. It returns alpha's uid at beta and beta's at alpha.
func joinHosts(t *testing.T, alpha, beta *host) (alphaUID, betaUID uint32) {
	t.Helper()
	uid, err := beta.road.Join(alpha.road.LocalAddr(), true)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for {
		if beta.road.Remotes()[uid].Allowed == road.Yes {
			for buid, r := range alpha.road.Remotes() {
				if r.Name == beta.road.Name() && r.Allowed == road.Yes {
					return uid, buid
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no session between alpha and beta within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func twoHosts(t *testing.T) (alpha, beta *host, alphaUID, betaUID uint32) {
	alpha, beta = newHost(t, "alpha", true), newHost(t, "beta", false)
	alphaUID, betaUID = joinHosts(t, alpha, beta)
	return
}

func receive(t *testing.T, s *lane.Stack) lane.Received {
	t.Helper()
	select {
	case rx := <-s.Receive():
		return rx
	case <-time.After(wait):
		t.Fatalf("yard %s received nothing", s.Name())
	}
	return lane.Received{}
}

func handled(t *testing.T, c <-chan route.Message) route.Message {
	t.Helper()
	select {
	case m := <-c:
		return m
	case <-time.After(wait):
		t.Fatal("no message reached the handler")
	}
	return route.Message{}
}

func parse(t *testing.T, m body.Map) route.Route {
	t.Helper()
	rt, err := route.ParseRoute(m)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func transmit(t *testing.T, s *lane.Stack, m body.Map, yard string) {
	t.Helper()
	if err := s.Transmit(m, yard).Err(); err != nil {
		t.Fatal(err)
	}
}

// A process on estate beta sends to a yard of estate alpha: alpha's router
// takes it off the road and puts it on its lane, route untouched.
func TestRoadToYard(t *testing.T) {
	alpha, beta, _, _ := twoHosts(t)
	worker := alpha.yard("worker")
	alpha.start()
	beta.start()

	m := msg(triple("", "", "reply"), triple("alpha", "worker", "job"), body.Item{Key: "load", Value: "hi"})
	if err := beta.router.Send(m); err != nil {
		t.Fatal(err)
	}
	if got := parse(t, m); got.Src != (route.Addr{Share: "reply"}) {
		t.Errorf("Send changed its argument's route: %v", got)
	}
	rx := receive(t, worker)
	if rx.From != "router" {
		t.Errorf("worker got it from yard %q, want router", rx.From)
	}
	rt := parse(t, rx.Body)
	want := route.Route{Src: route.Addr{"beta", "router", "reply"}, Dst: route.Addr{"alpha", "worker", "job"}}
	if rt != want {
		t.Errorf("worker's route %v, want %v", rt, want)
	}
	if load, _ := rx.Body.String("load"); load != "hi" {
		t.Errorf("worker's load %q, want hi", load)
	}
	beta.stat("road_forwarded", 1)
	alpha.stat("road_received", 1)
	alpha.stat("lane_forwarded", 1)
	alpha.quiet()
	beta.quiet()
}

// A yard of alpha asks a share of beta, and beta's handler replies to the
// source the router filled in: the reply crosses back and reaches the
// asking yard on the share it named.
func TestYardToEstateAndBack(t *testing.T) {
	alpha, beta, _, _ := twoHosts(t)
	client := alpha.yard("client")
	got := make(chan route.Message, 1)
	beta.router.Handle("echo", func(m route.Message) {
		got <- m
		load, _ := m.Body.Get("load")
		reply := route.Route{Src: route.Addr{Share: "echo"}, Dst: m.Route.Src}.Put(body.Map{{Key: "return", Value: load}})
		if err := beta.router.Send(reply); err != nil {
			t.Errorf("reply: %v", err)
		}
	})
	alpha.start()
	beta.start()

	transmit(t, client, msg(triple("", "", "track1"), triple("beta", "", "echo"), body.Item{Key: "load", Value: "ping"}), "router")
	m := handled(t, got)
	if m.Via != route.ViaRoad || m.FromEstate != "alpha" {
		t.Errorf("echo got it via %q from estate %q, want road from alpha", m.Via, m.FromEstate)
	}
	if want := (route.Addr{"alpha", "client", "track1"}); m.Route.Src != want {
		t.Errorf("echo sees src %v, want %v", m.Route.Src, want)
	}
	if rt := parse(t, m.Body); rt != m.Route {
		t.Errorf("body route %v differs from Message.Route %v", rt, m.Route)
	}
	rx := receive(t, client)
	rt := parse(t, rx.Body)
	want := route.Route{Src: route.Addr{"beta", "router", "echo"}, Dst: route.Addr{"alpha", "client", "track1"}}
	if rt != want {
		t.Errorf("reply route %v, want %v", rt, want)
	}
	if ret, _ := rx.Body.String("return"); ret != "ping" {
		t.Errorf("reply returns %q, want ping", ret)
	}
	alpha.stat("road_forwarded", 1)
	alpha.stat("lane_forwarded", 1)
	beta.stat("handled", 1)
	alpha.quiet()
	beta.quiet()
}

// Yards talk through the router: an empty destination estate and this
// estate's name both mean here.
func TestYardToYard(t *testing.T) {
	alpha, _, _, _ := twoHosts(t)
	client, worker := alpha.yard("client"), alpha.yard("worker")
	alpha.start()

	transmit(t, client, msg(triple("", "", ""), triple("", "worker", "job")), "router")
	transmit(t, client, msg(triple("", "", "mine"), triple("alpha", "worker", "job2")), "router")
	for _, want := range []route.Route{
		{Src: route.Addr{"alpha", "client", ""}, Dst: route.Addr{"", "worker", "job"}},
		{Src: route.Addr{"alpha", "client", "mine"}, Dst: route.Addr{"alpha", "worker", "job2"}},
	} {
		rx := receive(t, worker)
		if rt := parse(t, rx.Body); rt != want {
			t.Errorf("worker got route %v, want %v", rt, want)
		}
	}
	alpha.stat("lane_forwarded", 2)
	alpha.stat("road_received", 0)
	alpha.quiet()
}

// A router without a road routes between yards and refuses, counted, what
// is for another estate.
func TestLaneOnly(t *testing.T) {
	solo := newHost(t, "", false)
	client, worker := solo.yard("client"), solo.yard("worker")
	solo.start()
	transmit(t, client, msg(triple("", "", ""), triple("solo", "worker", "job")), "router")
	if rt := parse(t, receive(t, worker).Body); rt.Src != (route.Addr{"solo", "client", ""}) {
		t.Errorf("worker sees src %v, want solo's client", rt.Src)
	}
	transmit(t, client, msg(triple("", "", ""), triple("elsewhere", "", "job")), "router")
	r := solo.expect(route.ErrNoRoad)
	if r.m.Via != route.ViaLane || r.m.FromYard != "client" {
		t.Errorf("report names via %q from %q, want lane from client", r.m.Via, r.m.FromYard)
	}
	if err := solo.router.Send(msg(triple("", "", ""), triple("elsewhere", "", ""))); !errors.Is(err, route.ErrNoRoad) {
		t.Errorf("Send to another estate without a road: %v, want ErrNoRoad", err)
	}
	solo.expect(route.ErrNoRoad)
	solo.stat("no_road", 2)
}

// Shares reach their handlers from the lane, the road and Send; whatever
// cannot be delivered is counted by reason and reported.
func TestHandlersAndDrops(t *testing.T) {
	alpha, beta, alphaUID, betaUID := twoHosts(t)
	client := alpha.yard("client")
	jobs := make(chan route.Message, 4)
	alpha.router.Handle("job", func(m route.Message) { jobs <- m })
	alpha.start()

	// From the lane, with no destination yard and with the router's own.
	for _, dstYard := range []string{"", "router"} {
		transmit(t, client, msg(triple("", "", "t"), triple("", dstYard, "job")), "router")
		m := handled(t, jobs)
		if m.Via != route.ViaLane || m.FromYard != "client" {
			t.Errorf("job got it via %q from yard %q, want lane from client", m.Via, m.FromYard)
		}
		if want := (route.Addr{"alpha", "client", "t"}); m.Route.Src != want || parse(t, m.Body).Src != want {
			t.Errorf("job sees src %v (body %v), want %v", m.Route.Src, parse(t, m.Body).Src, want)
		}
	}

	// From the road, straight off beta's stack.
	send := func(m body.Map) {
		t.Helper()
		if err := beta.road.Transmit(m, alphaUID, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	send(msg(triple("beta", "", ""), triple("alpha", "", "job")))
	m := handled(t, jobs)
	if m.Via != route.ViaRoad || m.FromEstate != "beta" || m.FromUID != betaUID {
		t.Errorf("job got it via %q from %q uid %d, want road from beta uid %d", m.Via, m.FromEstate, m.FromUID, betaUID)
	}

	// From Send, run on the router's goroutine all the same.
	if err := alpha.router.Send(msg(triple("", "", ""), triple("", "", "job"))); err != nil {
		t.Fatal(err)
	}
	if m := handled(t, jobs); m.Via != route.ViaLocal || m.Route.Src != (route.Addr{"alpha", "router", ""}) {
		t.Errorf("Send reached job via %q with src %v, want local from alpha's router", m.Via, m.Route.Src)
	}
	alpha.stat("handled", 4)

	// Drops from the road.
	send(body.Map{{Key: "load", Value: "no route"}})
	if r := alpha.expect(route.ErrInvalidRoute); r.m.FromEstate != "beta" {
		t.Errorf("invalid route reported from %q, want beta", r.m.FromEstate)
	}
	send(msg(triple("", "", ""), triple("alpha", "", "job")))
	alpha.expect(route.ErrNoSource)
	send(msg(triple("beta", "", ""), triple("gamma", "", "job")))
	alpha.expect(route.ErrForeignDestination)
	send(msg(triple("beta", "", ""), triple("gamma", "worker", "job"))) // not even to a yard
	alpha.expect(route.ErrForeignDestination)
	send(msg(triple("beta", "", ""), triple("", "", "nobody")))
	alpha.expect(route.ErrNoHandler)

	// Drops from the lane.
	transmit(t, client, msg([]any{"x", nil}, triple("", "", "job")), "router")
	if r := alpha.expect(route.ErrInvalidRoute); r.m.FromYard != "client" || !strings.Contains(r.err.Error(), "src has 2 items") {
		t.Errorf("short src reported as %v from %q", r.err, r.m.FromYard)
	}
	transmit(t, client, msg(triple("", "", ""), triple("", "", "nobody")), "router")
	if r := alpha.expect(route.ErrNoHandler); r.m.Route.Src.Yard != "client" {
		t.Errorf("no handler reported for src %v, want the client's", r.m.Route.Src)
	}

	// Drops from Send, returned as well as reported.
	if err := alpha.router.Send(msg(triple("", "", ""), triple("gamma", "", "job"))); !errors.Is(err, route.ErrUnknownEstate) {
		t.Errorf("Send to an unknown estate: %v", err)
	}
	alpha.expect(route.ErrUnknownEstate)
	if err := alpha.router.Send(msg(triple("", "", ""), triple("", "", "nobody"))); !errors.Is(err, route.ErrNoHandler) {
		t.Errorf("Send to a share with no handler: %v", err)
	}
	alpha.expect(route.ErrNoHandler)
	if err := alpha.router.Send(body.Map{}); !errors.Is(err, route.ErrInvalidRoute) {
		t.Errorf("Send without a route: %v", err)
	}
	alpha.expect(route.ErrInvalidRoute)

	// The default handler takes what has no handler of its own.
	rest := make(chan route.Message, 1)
	alpha.router.Handle("", func(m route.Message) { rest <- m })
	transmit(t, client, msg(triple("", "", ""), triple("", "", "nobody")), "router")
	if m := handled(t, rest); m.Route.Dst.Share != "nobody" {
		t.Errorf("default handler got share %q", m.Route.Dst.Share)
	}

	alpha.stat("invalid_route", 3)
	alpha.stat("road_no_source", 1)
	alpha.stat("road_foreign_destination", 2)
	alpha.stat("no_handler", 3)
	alpha.stat("road_unknown_estate", 1)
	alpha.stat("handled", 5)
	alpha.stat("road_received", 6)
	alpha.stat("lane_received", 5)
	alpha.stat("lane_forwarded", 0)
	alpha.quiet()
}

// A forward to a yard with no socket is reported with the lane's ErrGone,
// whether it came from the lane, the road or Send.
func TestForwardToMissingYard(t *testing.T) {
	alpha, beta, _, _ := twoHosts(t)
	client := alpha.yard("client")
	alpha.start()
	beta.start()

	transmit(t, client, msg(triple("", "", "t"), triple("", "ghost", "x")), "router")
	r := alpha.expect(lane.ErrGone)
	if r.m.Route.Dst.Yard != "ghost" || r.m.FromYard != "client" {
		t.Errorf("report names dst %v from %q", r.m.Route.Dst, r.m.FromYard)
	}
	if err := beta.router.Send(msg(triple("", "", ""), triple("alpha", "ghost", "x"))); err != nil {
		t.Fatal(err)
	}
	if r := alpha.expect(lane.ErrGone); r.m.FromEstate != "beta" {
		t.Errorf("report names estate %q, want beta", r.m.FromEstate)
	}
	if err := alpha.router.Send(msg(triple("", "", ""), triple("", "ghost", "x"))); err != nil {
		t.Fatal(err) // the yard's absence is found out later
	}
	alpha.expect(lane.ErrGone)
	alpha.stat("lane_forward_failed", 3)
	alpha.stat("lane_forwarded", 3)
	alpha.quiet()
	beta.quiet()
}

// A road forward the road stack refuses is reported with the road's error:
// here an estate joined but never allowed, so known by name with no session.
func TestRoadForwardFails(t *testing.T) {
	alpha, beta := newHost(t, "alpha", true), newHost(t, "beta", false)
	uid, err := beta.road.Join(alpha.road.LocalAddr(), false)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for r := beta.road.Remotes()[uid]; r.Joined != road.Yes || r.Name != "alpha"; r = beta.road.Remotes()[uid] {
		if time.Now().After(deadline) {
			t.Fatal("beta did not join alpha within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	beta.start()
	if err := beta.router.Send(msg(triple("", "", ""), triple("alpha", "", "x"))); err != nil {
		t.Fatal(err) // the road's refusal comes later
	}
	r := beta.expect(road.ErrNotAllowed)
	if r.m.Via != route.ViaLocal || r.m.Route.Src != (route.Addr{"beta", "router", ""}) {
		t.Errorf("report names via %q src %v", r.m.Via, r.m.Route.Src)
	}
	beta.stat("road_forwarded", 1)
	beta.stat("road_forward_failed", 1)
}

func TestRun(t *testing.T) {
	solo := newHost(t, "", false)
	solo.router.Handle("x", func(route.Message) {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- solo.router.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run ended by its context returned %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not end with its context")
	}
	if err := solo.router.Run(context.Background()); err == nil {
		t.Error("a second Run was let start")
	}
	if err := solo.router.Send(msg(triple("", "", ""), triple("", "", "x"))); !errors.Is(err, route.ErrStopped) {
		t.Errorf("Send to a handler after Run: %v, want ErrStopped", err)
	}
	solo.expect(route.ErrStopped)
	solo.stat("router_stopped", 1)
}

// Run ends with an error when a stack stops under it, not with its context.
func TestRunStackStops(t *testing.T) {
	solo := newHost(t, "", false)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := lane.NewStack(lane.Config{Name: "own", Dir: solo.dir})
	if err != nil {
		t.Fatal(err)
	}
	go s.Run(ctx)
	r := route.New(route.Config{Lane: s})
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, lane.ErrStopped) {
			t.Errorf("Run returned %v, want lane.ErrStopped", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not end when its lane stopped")
	}
}

// A yard that stops reading fills its socket, then the lane's queue for
// it, then the router's outbox, past which its messages are dropped,
// counted and reported: the router itself never waits for it, and other
// yards are still served.
func TestStuckYard(t *testing.T) {
	t.Run("default", func(t *testing.T) { testStuckYard(t, 0, route.Outbox) })
	t.Run("configured", func(t *testing.T) { testStuckYard(t, 64, 64) })
}

// testStuckYard floods a yard that does not read: its outbox fills to the
// bound and no further, and what is dropped is reported.
func testStuckYard(t *testing.T, outbox, bound int) {
	solo := newHost(t, "", false)
	var full atomic.Uint64
	r := route.New(route.Config{Lane: solo.lane, Estate: "solo", Outbox: outbox, OnUndeliverable: func(_ route.Message, err error) {
		if errors.Is(err, route.ErrOutboxFull) {
			full.Add(1)
		}
	}})
	solo.router = r
	solo.start()
	solo.yard("stuck") // runs, but nobody takes what it receives
	worker := solo.yard("worker")

	// The stuck yard's socket and lane queue take messages from the
	// outbox for a while after it first fills, on a loaded machine long
	// after: flood in rounds until the outbox stays full, and never past
	// the bound.
	const n = 4 * route.Outbox
	sent, highest := 0, 0
	for round := 0; ; round++ {
		for range n {
			m := msg(triple("", "", ""), triple("", "stuck", "x"), body.Item{Key: "n", Value: int64(sent)})
			sent++
			err := r.Send(m)
			if err != nil && !errors.Is(err, route.ErrOutboxFull) {
				t.Fatalf("Send %d: %v", sent, err)
			}
			highest = max(highest, r.Depths().Queued)
		}
		if r.Depths().Queued == bound {
			break
		}
		if round == 200 {
			t.Fatalf("%d messages wait in the outbox after %d sent, want the bound %d", r.Depths().Queued, sent, bound)
		}
	}
	if highest > bound {
		t.Errorf("%d messages waited in the outbox, past the bound %d", highest, bound)
	}
	st := r.Stats()
	if st["lane_outbox_full"] == 0 || st["lane_outbox_full"] != full.Load() {
		t.Errorf("%d dropped as the outbox was full, %d reported; want some, all reported", st["lane_outbox_full"], full.Load())
	}
	if int(st["lane_forwarded"]+st["lane_outbox_full"]) != sent {
		t.Errorf("forwarded %d + dropped %d != %d sent", st["lane_forwarded"], st["lane_outbox_full"], sent)
	}
	if err := r.Send(msg(triple("", "", ""), triple("", "worker", "x"))); err != nil {
		t.Fatal(err)
	}
	if rt := parse(t, receive(t, worker).Body); rt.Dst.Yard != "worker" {
		t.Errorf("worker got %v", rt)
	}
}
