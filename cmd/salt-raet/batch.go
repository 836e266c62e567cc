package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// addBatchFlags adds -b/--batch-size and --batch-wait (salt/utils/parsers.py).
func (o *options) addBatchFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.batch, "batch-size", "b", "", "Execute the salt job in batch mode, pass either the number of minions to batch at a time, or the percentage of minions to have running.")
	f.StringVar(&o.batch, "batch", "", "The same as --batch-size.")
	f.Float64Var(&o.batchWait, "batch-wait", 0, "Wait the specified time in seconds after each job is done before freeing the slot in the batch for the next one.")
}

// batchSize is -b: a number of minions, or a percentage of those that
// answered the ping.
type batchSize struct {
	n       int
	pct     float64
	percent bool
}

// parseBatch reads -b as Batch.get_bnum does ("%" anywhere makes it a
// percentage, "%10" as "10%"); a size that is not a number, or not above
// 0 (on which Salt's batch loops for ever), gets Salt's message.
func parseBatch(spec string) (batchSize, error) {
	bad := fmt.Errorf("Invalid batch data sent: %s\nData must be in the form of %%10, 10%% or 3", spec)
	if strings.Contains(spec, "%") {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.Trim(spec, "%")), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return batchSize{}, bad
		}
		return batchSize{pct: v, percent: true}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(spec))
	if err != nil || n <= 0 {
		return batchSize{}, bad
	}
	return batchSize{n: n}, nil
}

// of is the number of minions to run at once out of n: a percentage
// rounds down, but to no less than 1.
func (b batchSize) of(n int) int {
	if !b.percent {
		return b.n
	}
	res := b.pct / 100 * float64(n)
	if res < 1 {
		return int(math.Ceil(res))
	}
	return int(res)
}

// batchRun is one run of the salt command with -b (salt/cli/batch.py).
type batchRun struct {
	s     *saltCmd
	c     *client.LocalClient
	j     jobSpec
	quiet bool // --static: the returns as one group at the end

	active  map[string]bool // the minions running the job now
	waits   []time.Time     // --batch-wait: when each slot a minion freed opens
	parts   chan client.Return
	left    int // the minions yet to return or be given up on
	static  body.Map
	retcode int
}

// runBatch is Salt 3006's batch mode: test.ping finds the minions that
// answer ("Minion <id> did not respond. No job will be sent." for the
// others), then the job runs on a window of them at a time, each window
// published as a list target ("Executing run on [...]"), a new minion
// starting as soon as one returns (and --batch-wait has passed). Each
// return is printed with its jid and retcode; a minion that does not
// return is printed with an empty mapping. The exit status is the
// highest retcode (0 with --static).
func (s *saltCmd) runBatch(ctx context.Context, c *client.LocalClient, j jobSpec) int {
	size, _ := parseBatch(s.o.batch) // checked with the command line
	up, down, code, done := s.gatherMinions(ctx, c, j)
	if done {
		return code
	}
	b := &batchRun{s: s, c: c, j: j, quiet: s.o.static, active: map[string]bool{}, parts: make(chan client.Return)}
	if !b.quiet {
		for _, id := range down {
			fmt.Fprintf(s.stdout, "Minion %s did not respond. No job will be sent.\n", id)
		}
	}
	if len(up) == 0 {
		return exitOK
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the windows' followers
	if code, done := b.run(ctx, up, size.of(len(up))); done {
		return code
	}
	if b.quiet {
		s.display(b.static, "", 0)
		return exitOK
	}
	return b.retcode
}

// gatherMinions pings the target (Batch.gather_minions): up are the
// minions that answered, in id order; down those the master targeted
// (or named missing) that did not. done means the command ends here.
func (s *saltCmd) gatherMinions(ctx context.Context, c *client.LocalClient, j jobSpec) (up, down []string, code int, done bool) {
	kwargs := job.CLIKwargs(!s.o.hideTimeout, s.o.showJID, s.o.delimiter, true)
	jid, minions, err := c.Publish(ctx, j.tgt, s.tgtType, "test.ping", []any{}, kwargs)
	switch {
	case errors.Is(err, client.ErrNoMinions):
		if !s.o.static {
			fmt.Fprintln(s.stdout, noMatchNotice)
			fmt.Fprintln(s.stdout, "No minions matched the target.")
		}
		return nil, nil, exitOK, true
	case ctx.Err() != nil:
		fmt.Fprintln(s.stderr, "\nExiting gracefully on Ctrl-c")
		return nil, nil, exitGeneric, true
	case err != nil:
		s.publishFailed(err)
		return nil, nil, exitNoReturn, true
	}
	for r := range c.Returns(ctx, jid, minions, s.timeout) {
		if r.Missing == "" {
			up = append(up, r.ID)
		} else {
			down = append(down, r.ID)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(s.stderr, "\nExiting gracefully on Ctrl-c")
		return nil, nil, exitGeneric, true
	}
	slices.Sort(up)
	slices.Sort(down)
	return up, down, 0, false
}

// run keeps bnum minions running the job until every one in toRun has
// returned or was given up on. done means the command ends here.
func (b *batchRun) run(ctx context.Context, toRun []string, bnum int) (code int, done bool) {
	b.left = len(toRun)
	wait := time.Duration(b.s.o.batchWait * float64(time.Second))
	for b.left > 0 {
		b.dropWaits(time.Now())
		var next []string
		if len(toRun) <= bnum-len(b.waits) && len(b.active) == 0 {
			next, toRun = toRun, nil // the last of them, all at once
		} else if n := min(max(bnum-len(b.active)-len(b.waits), 0), len(toRun)); n > 0 {
			next, toRun = toRun[:n], toRun[n:]
		}
		if len(next) > 0 {
			if code, done := b.start(ctx, next); done {
				return code, true
			}
		}
		if !b.take(ctx, wait) {
			fmt.Fprintln(b.s.stderr, "\nExiting gracefully on Ctrl-c")
			return exitGeneric, true
		}
	}
	return 0, false
}

// take waits for the next return of a window, or for a slot to open
// when --batch-wait holds it; false when ctx ended.
func (b *batchRun) take(ctx context.Context, wait time.Duration) bool {
	var opens <-chan time.Time
	if len(b.waits) > 0 {
		t := time.NewTimer(time.Until(b.waits[0]))
		defer t.Stop()
		opens = t.C
	}
	select {
	case r := <-b.parts:
		if !b.active[r.ID] {
			return true // not of a window (Salt: "probably a duplicate key")
		}
		delete(b.active, r.ID)
		b.left--
		if wait > 0 {
			b.waits = append(b.waits, time.Now().Add(wait))
		}
		b.show(r)
	case <-opens:
	case <-ctx.Done():
		return false
	}
	return true
}

// dropWaits frees the slots whose --batch-wait is over.
func (b *batchRun) dropWaits(now time.Time) {
	i := 0
	for i < len(b.waits) && !b.waits[i].After(now) {
		i++
	}
	b.waits = b.waits[i:]
}

// start publishes the job to one window of minions and follows its
// returns. A minion the publish did not reach is given up on at once.
func (b *batchRun) start(ctx context.Context, next []string) (code int, done bool) {
	s := b.s
	if !b.quiet {
		fmt.Fprintf(s.stdout, "\nExecuting run on %s\n\n", output.Repr(slices.Sorted(slices.Values(next))))
	}
	tgt := make([]any, len(next))
	for i, id := range next {
		tgt[i] = id
		b.active[id] = true
	}
	kwargs := job.CLIKwargs(!s.o.hideTimeout, s.o.showJID, s.o.delimiter, true)
	jid, minions, err := b.c.Publish(ctx, tgt, "list", b.j.fun, b.j.arg, kwargs)
	switch {
	case errors.Is(err, client.ErrNoMinions):
		if !b.quiet {
			fmt.Fprintln(s.stdout, noMatchNotice)
		}
	case ctx.Err() != nil:
		fmt.Fprintln(s.stderr, "\nExiting gracefully on Ctrl-c")
		return exitGeneric, true
	case err != nil:
		s.publishFailed(err)
		return exitNoReturn, true
	}
	var unreached []string
	for _, id := range next {
		if !slices.Contains(minions, id) {
			unreached = append(unreached, id)
		}
	}
	go b.follow(ctx, jid, minions, unreached)
	return 0, false
}

// follow sends the window's returns to the batch, and a not-returned
// one for each minion the publish did not reach.
func (b *batchRun) follow(ctx context.Context, jid string, minions, unreached []string) {
	send := func(r client.Return) bool {
		select {
		case b.parts <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, id := range unreached {
		if !send(client.Return{ID: id, Missing: client.NotDelivered}) {
			return
		}
	}
	if len(minions) == 0 {
		return
	}
	for r := range b.c.Returns(ctx, jid, minions, b.s.timeout) {
		if !send(r) {
			return
		}
	}
}

// show prints one return as Batch.run does: {"jid", <id>, "retcode"}
// with the return's outputter, or {<id>: {}} for a minion that did not
// return (retcode 0, as in Salt); with --static it is kept for the end.
func (b *batchRun) show(r client.Return) {
	if r.Missing != "" {
		b.keep(r.ID, body.Map{})
		if !b.quiet {
			b.s.display(body.Map{{Key: r.ID, Value: body.Map{}}}, "", 0)
		}
		return
	}
	b.retcode = max(b.retcode, r.Retcode)
	b.keep(r.ID, r.Ret)
	if b.quiet {
		return
	}
	var data body.Map
	if r.Data.Has("retcode") {
		data = append(data, body.Item{Key: "retcode", Value: int64(client.Retcode(r.Data))})
	}
	if jid, ok := r.Data.Get("jid"); ok {
		data = append(data, body.Item{Key: "jid", Value: jid})
	}
	data = append(data, body.Item{Key: r.ID, Value: r.Ret})
	b.s.display(data, r.Out, 0)
}

func (b *batchRun) keep(id string, ret any) {
	if b.quiet {
		b.static = append(b.static, body.Item{Key: id, Value: ret})
	}
}

// checkJobOptions checks -b, --batch-wait and --out-file before anything
// is sent.
func (o *options) checkJobOptions() error {
	if o.batch != "" {
		if _, err := parseBatch(o.batch); err != nil {
			return err
		}
	}
	if o.batchWait < 0 || math.IsNaN(o.batchWait) || math.IsInf(o.batchWait, 0) {
		return fmt.Errorf("option --batch-wait: %v is not a number of seconds", o.batchWait)
	}
	return o.prepareOutFile()
}
