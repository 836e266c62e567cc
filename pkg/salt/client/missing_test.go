package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/client"
)

// An id a list target names that has no key (the master's missing list)
// is reported as not returned, with [No response] as Salt 3006 prints it,
// after the minions that returned, and is neither waited for nor asked
// with saltutil.find_job.
func TestMasterMissingList(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	m := startManor(t, dir, nil, ping("a", "b")...)
	c := newClient(t, dir, testKey, 10*time.Second)
	jid, minions, err := c.Publish(context.Background(), []any{"a", "ghost"}, "list", "test.ping", []any{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(minions) != 1 || minions[0] != "a" {
		t.Fatalf("published to %v, want [a]", minions)
	}
	got := collect(t, c.Returns(context.Background(), jid, minions, 10*time.Second))
	if len(got) != 2 || got[0].ID != "a" || got[0].Ret != true {
		t.Fatalf("returns %+v", got)
	}
	g := got[1]
	if g.ID != "ghost" || g.Missing != client.NoResponse || g.Ret != "Minion did not return. [No response]" || g.Retcode != 1 || g.Out != "no_return" {
		t.Errorf("ghost: %+v", g)
	}
	if n := len(m.Loads()); n != 1 {
		t.Errorf("%d publishes, want only the job (no find_job for ghost)", n)
	}
}
