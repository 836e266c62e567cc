package master

import (
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// nth waits for the n-th event with tag (from 1) and returns it.
func (c *client) nth(tag string, n int) event {
	c.t.Helper()
	eventually(c.t, "event "+tag, func() bool { return c.count(tag) >= n })
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if e.tag == tag {
			if n--; n == 0 {
				return e
			}
		}
	}
	panic("unreachable: counted")
}

// Presence on the fake clock: presence events come at each interval of
// the master's clock, and a minion that stops answering is reported lost
// only once the master's road stack, on the same clock, has waited out its
// alive: sent a Period after the minion was last heard, unanswered for
// AliverTimeout.
func TestPresenceOnTheFakeClock(t *testing.T) {
	f := clock.NewFake()
	tm := newMaster(t, "", WithClock(f), WithPresenceInterval(time.Second),
		WithRoadTimers(road.Timers{Period: 3 * time.Second, AliverTimeout: 2 * time.Second})).start()
	c := newClient(t, tm)
	c.subscribe() // answered at once: presence_req, not the interval
	mn := newRestartable(t, "web1")
	mn.start()
	mn.connect(tm)
	t0 := f.Now() // allowed now: the master's next alive to it is due at t0+3s

	// The presence ticker (which reviews the keys too) is armed for one interval.
	eventually(t, "presence ticker armed", func() bool {
		n := 0
		for _, at := range f.Pending() {
			if at.Equal(t0.Add(time.Second)) {
				n++
			}
		}
		return n >= 1
	})
	base := c.count(TagPresencePresent)
	tick := func(k int) []string { // advance to t0+k s; what that tick's event says is present
		t.Helper()
		f.Advance(time.Second)
		if !f.Now().Equal(t0.Add(time.Duration(k) * time.Second)) {
			t.Fatalf("fake clock at %v", f.Now())
		}
		return strs(get(c.nth(TagPresencePresent, base+k).data, "present"))
	}
	if got := tick(1); !slices.Equal(got, []string{"web1"}) {
		t.Fatalf("present at the first interval: %v", got)
	}
	if ch := c.nth(TagPresenceChange, 1); !slices.Equal(strs(get(ch.data, "new")), []string{"web1"}) {
		t.Fatalf("first change %v", ch.data)
	}

	mn.halt() // stops answering
	for k := 2; k < 5; k++ {
		if got := tick(k); !slices.Equal(got, []string{"web1"}) {
			t.Fatalf("at t0+%ds, before the alive timed out (t0+5s), present is %v", k, got)
		}
	}
	if n := c.count(TagPresenceChange); n != 1 {
		t.Fatalf("%d change events before the alive timed out", n)
	}
	// From t0+5s the road stack knows; the next tick says so. The bound is
	// generous: a busy machine may let the road stack act a tick late.
	for k := 5; ; k++ {
		if k > 20 {
			t.Fatal("the silent minion was never reported lost")
		}
		if got := tick(k); len(got) == 0 {
			break
		}
	}
	ch := c.nth(TagPresenceChange, 2)
	if !slices.Equal(strs(get(ch.data, "lost")), []string{"web1"}) || len(strs(get(ch.data, "new"))) != 0 {
		t.Fatalf("change event %v, want web1 lost", ch.data)
	}
}
