package client_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// Publishes made at once from several goroutines are on their way at once,
// each from a client yard of its own, and each gets its own reply, however
// the replies are ordered; a publish made alone takes a yard already open.
// The manor answers none of the first eight before it has all eight, so one
// publish at a time would never get there. No more than eight yards open
// (the client's bound): the twelve publishes share them.
func TestPublishesOverlapOnYardsOfTheirOwn(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprintf("m%02d", i))
	}
	m := startManor(t, dir, func(m *clienttest.Manor) { m.ReplyAfter = 8 }, ping(ids...)...)
	// One publish at a time would wait out this timeout, not the test's.
	c, err := client.New(client.Config{SockDir: dir, Key: testKey, User: "root", GatherJobTimeout: time.Second, ReplyTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jid, minions, err := c.Publish(context.Background(), id, "glob", "test.ping", []any{}, job.CLIKwargs(true, false, ":", true))
			switch {
			case err != nil:
				errs <- fmt.Errorf("publish to %s: %w", id, err)
			case !slices.Equal(minions, []string{id}):
				errs <- fmt.Errorf("publish to %s: job %s went to %v (another publish's reply)", id, jid, minions)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	yards := m.ClientYards()
	if len(yards) != 8 || !slices.Contains(yards, c.ClientYard()) {
		t.Fatalf("publishes came from %d yards %v, want 8 with %s", len(yards), yards, c.ClientYard())
	}
	publish(t, c, "m00", "glob", "test.ping")
	if got := m.ClientYards(); len(got) != 8 {
		t.Errorf("a publish alone opened another yard: %v", got)
	}
}
