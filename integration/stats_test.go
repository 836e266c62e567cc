package integration

import (
	"fmt"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// roadStats asks the master for its road stack's statistics over its
// lane, as a stats_req from a yard of its own.
func (c *cluster) roadStats() map[string]any {
	c.t.Helper()
	return c.stats("salt/stats/road")
}

// stats asks the master for the statistics the tag names.
func (c *cluster) stats(tag string) map[string]any {
	c.t.Helper()
	y := c.yard("stats")
	req := body.Map{
		{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "stats_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}},
		{Key: "tag", Value: tag},
	}
	d := y.Transmit(req, "manor")
	<-d.Done()
	if err := d.Err(); err != nil {
		c.t.Fatalf("stats_req: %v", err)
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case rx := <-y.Receive():
			if got, _ := rx.Body.String("tag"); got == tag {
				data, _ := rx.Body.Get("data")
				out := map[string]any{}
				if m, ok := data.(body.Map); ok {
					for _, it := range m {
						out[it.Key] = it.Value
					}
				}
				return out
			}
		case <-deadline:
			c.t.Fatal("no answer to stats_req")
		}
	}
}

func statOf(m map[string]any, key string) uint64 {
	var n uint64
	fmt.Sscan(fmt.Sprint(m[key]), &n)
	return n
}
