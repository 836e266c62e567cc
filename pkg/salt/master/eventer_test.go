package master

import (
	"slices"
	"testing"
)

// The subscribers are listed in order after every change, and a list
// handed out before a change stays as it was (fire reads it unlocked).
func TestEventerSubscribers(t *testing.T) {
	e := &eventer{}
	if got := e.subscribers(); len(got) != 0 {
		t.Fatalf("no subscriber: %v", got)
	}
	e.subscribe("b", false)
	e.subscribe("a", false)
	e.subscribe("b", false)
	first := e.subscribers()
	if !slices.Equal(first, []string{"a", "b"}) {
		t.Fatalf("subscribed a, b: %v", first)
	}
	if !e.unsubscribe("a") || e.unsubscribe("a") {
		t.Fatal("unsubscribe does not say whether a was subscribed")
	}
	e.subscribe("c", false)
	if got := e.subscribers(); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("after a left and c came: %v", got)
	}
	if !slices.Equal(first, []string{"a", "b"}) {
		t.Fatalf("a list handed out changed to %v", first)
	}
}
