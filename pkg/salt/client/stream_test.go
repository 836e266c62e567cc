package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
)

// TestStreamTakesEveryTag: a stream gets the master's events whatever
// their tag (not only jobs'), in order, each stream all of them; a closed
// stream ends with ErrClosed.
func TestStreamTakesEveryTag(t *testing.T) {
	dir := sockDir(t)
	m := startManor(t, dir, nil)
	c := newClient(t, dir, testKey, deadline)
	testutil.WaitFor(t, "the client subscribed", deadline, func() bool { return len(m.Subscribers()) == 1 })
	a, b := c.Stream(), c.Stream()
	defer b.Close()
	tags := []string{"salt/auth", "salt/job/20261207000000000001/new", "custom/tag"}
	for i, tag := range tags {
		m.Fire(tag, body.Map{{Key: "n", Value: int64(i)}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	for _, s := range []*client.EventStream{a, b} {
		for i, tag := range tags {
			ev, err := s.Next(ctx)
			if err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
			n, _ := ev.Data.(body.Map).Get("n")
			if ev.Tag != tag || n != int64(i) {
				t.Errorf("event %d = %s %v, want %s n=%d", i, ev.Tag, ev.Data, tag, i)
			}
		}
	}
	a.Close()
	if _, err := a.Next(ctx); !errors.Is(err, client.ErrClosed) {
		t.Errorf("Next on a closed stream: %v, want ErrClosed", err)
	}
}
