package master

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// A subscriber yard that goes away during a burst of 500 events is one
// warning, not one per event: the first failed send drops the subscriber,
// and the sends already under way are only counted. The yard's socket
// path is then held by a socket that has shut down its reading side, so
// every send fails with "broken pipe", as a yard closing under a burst
// makes it fail.
func TestGoneEventYardOneWarning(t *testing.T) {
	tm := newMaster(t, "").start()
	c := newClient(t, tm) // c.evt fires the events

	subName := "sub" + lane.NewSessionID()
	sub, err := lane.NewStack(lane.Config{Name: subName, Lane: "master", Dir: tm.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go sub.Run(ctx)
	path := sub.Addr()
	c.sendFrom(sub, body.Map{{Key: "route", Value: body.Map{
		{Key: "dst", Value: []any{nil, "manor", "event_req"}},
		{Key: "src", Value: []any{nil, subName, nil}},
	}}})
	tm.waitStat("event_subscribed", 1)

	fire := func(i int) {
		c.sendFrom(c.evt, body.Map{
			{Key: "route", Value: body.Map{
				{Key: "dst", Value: []any{nil, "manor", "event_fire"}},
				{Key: "src", Value: []any{nil, c.eventYard, nil}},
			}},
			{Key: "tag", Value: "burst"},
			{Key: "data", Value: body.Map{{Key: "i", Value: int64(i)}}},
		})
	}
	for i := range 100 {
		fire(i)
	}
	// The first part of the burst reached the yard before it goes, so
	// that the first failed send is the broken pipe.
	for got := 0; got < 100; {
		select {
		case rx := <-sub.Receive():
			if tag, _ := rx.Body.String("tag"); tag == "burst" {
				got++
			}
		case <-time.After(wait):
			t.Fatalf("the subscriber got %d of the first 100 events", got)
		}
	}
	cancel()
	<-sub.Stopped()
	fd := shutSocketAt(t, path)
	defer syscall.Close(fd)
	for i := 100; i < 500; i++ {
		fire(i)
	}
	tm.waitStat("event_fired", 500)
	tm.waitStat("event_yard_gone", 1)
	var warnings []string
	for _, l := range strings.Split(tm.logs.String(), "\n") {
		if strings.Contains(l, "WARNING") && strings.Contains(l, subName) {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings about yard %s, want 1:\n%s", len(warnings), subName, strings.Join(warnings, "\n"))
	}
}

// shutSocketAt binds a Unix datagram socket at path and shuts down its
// reading side: sends to it fail with EPIPE.
func shutSocketAt(t *testing.T, path string) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Shutdown(fd, syscall.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	return fd
}

// A subscriber that closes in order (its socket file removed, as the salt
// command's event yard on exit) is one line at info and no warning, however
// many events still go its way.
func TestClosedEventYardOneInfoLine(t *testing.T) {
	tm := newMaster(t, "").start()
	c := newClient(t, tm)
	subName := "sub" + lane.NewSessionID()
	sub, err := lane.NewStack(lane.Config{Name: subName, Lane: "master", Dir: tm.cfg.SockDir, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go sub.Run(ctx)
	c.sendFrom(sub, body.Map{{Key: "route", Value: body.Map{
		{Key: "dst", Value: []any{nil, "manor", "event_req"}},
		{Key: "src", Value: []any{nil, subName, nil}},
	}}})
	tm.waitStat("event_subscribed", 1)
	cancel()
	<-sub.Stopped()
	for i := range 200 {
		c.sendFrom(c.evt, body.Map{
			{Key: "route", Value: body.Map{
				{Key: "dst", Value: []any{nil, "manor", "event_fire"}},
				{Key: "src", Value: []any{nil, c.eventYard, nil}},
			}},
			{Key: "tag", Value: "burst"},
			{Key: "data", Value: int64(i)},
		})
	}
	tm.waitStat("event_fired", 200)
	tm.waitStat("event_yard_gone", 1)
	var lines []string
	for _, l := range strings.Split(tm.logs.String(), "\n") {
		if strings.Contains(l, subName) && !strings.Contains(l, "DEBUG") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "INFO") {
		t.Fatalf("lines about yard %s: %q", subName, lines)
	}
}
