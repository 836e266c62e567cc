package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// tally is what a batch of requests gave: their times, and how many
// failed or came back with fewer minions than asked for.
type tally struct {
	name       string
	times      []time.Duration
	done       int
	incomplete int
	errs       errCounts
	wall       time.Duration
	clients    int
}

// errCounts counts failures by what they were (an HTTP status, a timeout).
type errCounts map[string]int

func (e errCounts) add(err error) {
	var se *statusError
	switch {
	case errors.As(err, &se):
		e[fmt.Sprintf("HTTP %d", se.code)]++
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout"):
		e["timeout"]++
	default:
		e[err.Error()]++
	}
}

func (e errCounts) String() string {
	if len(e) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, e[k])
	}
	return strings.Join(parts, ", ")
}

func (t *tally) record(d time.Duration, answered int, err error, want int) {
	if err != nil {
		t.errs.add(err)
		return
	}
	t.done++
	t.times = append(t.times, d)
	if want > 0 && answered < want {
		t.incomplete++
	}
}

// quantile is the q-th of the sorted times (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (t *tally) String() string {
	s := slices.Clone(t.times)
	slices.Sort(s)
	line := fmt.Sprintf("%s: %d done, round trip median %s, p90 %s, p99 %s, max %s; incomplete %d; failed: %s",
		t.name, t.done, ms(quantile(s, 0.5)), ms(quantile(s, 0.9)), ms(quantile(s, 0.99)), ms(quantile(s, 1)), t.incomplete, t.errs)
	if t.clients > 0 {
		line += fmt.Sprintf("; %.0f requests/s (%d clients, %s)", float64(t.done)/t.wall.Seconds(), t.clients, t.wall.Round(time.Millisecond))
	}
	return line
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// roundTrips times o.rounds requests one after another.
func roundTrips(ctx context.Context, api *apiClient, low map[string]any, o options) *tally {
	t := &tally{name: "one at a time", errs: errCounts{}}
	for range o.rounds {
		start := time.Now()
		n, err := api.run(ctx, low)
		t.record(time.Since(start), n, err, o.minions)
	}
	return t
}

// concurrent runs o.clients clients, each posting requests back to back
// for o.duration, all under the one token as a web console's users would
// share an API.
func concurrent(ctx context.Context, api *apiClient, low map[string]any, o options) *tally {
	t := &tally{name: "at once", errs: errCounts{}, clients: o.clients}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(o.duration)
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				s := time.Now()
				n, err := api.run(ctx, low)
				mu.Lock()
				t.record(time.Since(s), n, err, o.minions)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.wall = time.Since(start)
	return t
}
