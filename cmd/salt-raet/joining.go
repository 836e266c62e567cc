package main

import (
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/salt/client"
)

// printJoining is --progress's word on a join storm: while minions are
// still joining the master, a job reaches only those joined, so before the
// bar it says on stderr how many are joined and how many still joining
// (the master's presence, "joining" being ours). Salt 3006 has no such
// line; with none joining nothing is printed, as in Salt.
func (s *saltCmd) printJoining(ctx context.Context, c *client.LocalClient) {
	joining, err := c.Presence(ctx, "joining")
	if err != nil || len(joining) == 0 {
		return
	}
	joined, err := c.Presence(ctx, "joined")
	if err != nil {
		return
	}
	fmt.Fprintf(s.stderr, "Minions joined: %d, still joining: %d\n", len(joined), len(joining))
}
