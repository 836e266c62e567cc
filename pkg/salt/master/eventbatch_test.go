package master

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// fakeLane is the lane as the eventer sees it: what was sent, by yard,
// and a yard held behind until the test lets it drain.
type fakeLane struct {
	mu      sync.Mutex
	cond    *sync.Cond
	sent    map[string][]body.Map
	behind  map[string]bool
	waiting int  // goroutines in drained
	unread  bool // a yard has yet to read what was written to it
}

func newFakeLane() *fakeLane {
	l := &fakeLane{sent: map[string][]body.Map{}, behind: map[string]bool{}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *fakeLane) eventer() *eventer {
	return &eventer{estate: "master", yard: "manor", send: l.send, backlogged: l.backlogged, drained: l.drained}
}

func (l *fakeLane) isUnread() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.unread
}

func (l *fakeLane) send(m body.Map) error {
	rt, _ := m.Map("route")
	dst, _ := rt.Get("dst")
	yard := dst.([]any)[1].(string)
	l.mu.Lock()
	l.sent[yard] = append(l.sent[yard], m)
	l.cond.Broadcast()
	l.mu.Unlock()
	return nil
}

func (l *fakeLane) backlogged(yard string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.behind[yard]
}

func (l *fakeLane) drained(yard string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waiting++
	l.cond.Broadcast()
	for l.behind[yard] {
		l.cond.Wait()
	}
	l.waiting--
	l.cond.Broadcast()
}

func (l *fakeLane) set(yard string, behind bool) {
	l.mu.Lock()
	l.behind[yard] = behind
	l.cond.Broadcast()
	l.mu.Unlock()
}

// await waits, with a generous deadline, until ok holds of the lane.
func (l *fakeLane) await(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	timer := time.AfterFunc(30*time.Second, func() { l.set("", false) }) // wakes the wait below
	defer timer.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		l.cond.Wait()
	}
}

// tags reads the tags a yard got, a batch's in order, and how many
// messages carried them.
func tags(msgs []body.Map) (tags []string, messages int) {
	for _, m := range msgs {
		if evs, ok := protocol.BatchedEvents(m); ok {
			for _, ev := range evs {
				tag, _ := protocol.EventTag(ev)
				tags = append(tags, tag)
			}
		} else {
			tag, _ := protocol.EventTag(m)
			tags = append(tags, tag)
		}
		messages++
	}
	return tags, messages
}

// A yard that asked for batches gets each event alone while it keeps up;
// what is fired while it is behind is gathered and goes, in order, as one
// message once it has drained. A yard that did not ask gets every event
// alone, behind or not.
func TestEventerBatchesWhileBehind(t *testing.T) {
	l := newFakeLane()
	e := l.eventer()
	e.subscribe("batched", true)
	e.subscribe("plain", false)
	e.fire("t0", "x") // keeps up: alone, at once
	if got, n := tags(l.sent["batched"]); n != 1 || got[0] != "t0" {
		t.Fatalf("a yard that keeps up got %v in %d messages", got, n)
	}
	l.set("batched", true)
	l.set("plain", true)
	e.fire("t1", "x") // sent, then the yard is behind: a goroutine waits
	l.await(t, "the flusher waiting for the yard", func() bool { return l.waiting == 1 })
	for i := 2; i <= 5; i++ {
		e.fire(fmt.Sprintf("t%d", i), "x")
	}
	l.mu.Lock()
	if n := len(l.sent["batched"]); n != 2 {
		t.Errorf("%d messages sent while the yard was behind, want 2 (t0, t1)", n)
	}
	l.mu.Unlock()
	l.set("batched", false)
	l.await(t, "the batch", func() bool { return len(l.sent["batched"]) == 3 })
	got, n := tags(l.sent["batched"])
	if want := []string{"t0", "t1", "t2", "t3", "t4", "t5"}; fmt.Sprint(got) != fmt.Sprint(want) || n != 3 {
		t.Fatalf("batched yard got %v in %d messages, want %v in 3", got, n, want)
	}
	if got, n := tags(l.sent["plain"]); n != 6 || len(got) != 6 {
		t.Fatalf("a yard that did not ask got %v in %d messages", got, n)
	}
	e.fire("t6", "x") // caught up: alone again
	if got, n := tags(l.sent["batched"]); n != 4 || got[len(got)-1] != "t6" {
		t.Fatalf("after catching up: %v in %d messages", got, n)
	}
}

// Events gathered for a yard that is unsubscribed are dropped, and one
// that stays behind with maxPendingEvents waiting is reported stuck.
func TestEventerBatchedYardStuck(t *testing.T) {
	l := newFakeLane()
	e := l.eventer()
	stuck := make(chan string, 1)
	e.stuck = func(yard string) {
		select {
		case stuck <- yard:
		default:
		}
	}
	e.subscribe("slow", true)
	l.set("slow", true)
	for i := range maxPendingEvents + 2 {
		e.fire("t", i)
	}
	select {
	case yard := <-stuck:
		if yard != "slow" {
			t.Fatalf("stuck: %q", yard)
		}
	default:
		t.Fatal("a yard with maxPendingEvents waiting was not reported stuck")
	}
	if !e.unsubscribe("slow") {
		t.Fatal("not subscribed")
	}
	l.set("slow", false)
	l.await(t, "the flusher to end", func() bool { return l.waiting == 0 })
	if n := len(l.sent["slow"]); n != 1 {
		t.Fatalf("%d messages sent to a yard unsubscribed while behind, want 1 (the first event)", n)
	}
}

// While a yard has not read what was written to it, what is fired is
// gathered too, and goes once it has, or after readWait if it never does:
// events are held back, never lost.
func TestEventerBatchesWhileUnread(t *testing.T) {
	l := newFakeLane()
	e := l.eventer()
	e.unread = l.isUnread
	e.subscribe("evt", true)
	l.mu.Lock()
	l.unread = true
	l.mu.Unlock()
	e.fire("t1", "x") // alone, at once
	e.fire("t2", "x")
	e.fire("t3", "x")
	l.mu.Lock()
	if n := len(l.sent["evt"]); n != 1 {
		t.Errorf("%d messages sent while the yard had not read the first, want 1", n)
	}
	l.unread = false
	l.cond.Broadcast()
	l.mu.Unlock()
	l.await(t, "the batch once read", func() bool { return len(l.sent["evt"]) == 2 })
	l.mu.Lock()
	l.unread = true // never read again: the events still go, after readWait
	l.mu.Unlock()
	e.fire("t4", "x") // alone: nothing was being sent
	e.fire("t5", "x") // held, readWait at most
	l.await(t, "the events of a yard that never reads", func() bool { return len(l.sent["evt"]) == 4 })
	l.mu.Lock()
	got, n := tags(l.sent["evt"])
	l.mu.Unlock()
	if fmt.Sprint(got) != "[t1 t2 t3 t4 t5]" || n != 4 {
		t.Fatalf("got %v in %d messages, want t1, [t2 t3], t4, t5", got, n)
	}
}
