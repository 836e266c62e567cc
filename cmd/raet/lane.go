package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

type laneOptions struct {
	lane, yard, dir, to, bodyKind string
	count, size, expect           int
	echo, refuseUnknown           bool
	sends                         []string
	timeout, linger               time.Duration
}

func newLane(stdout io.Writer) *cobra.Command {
	var o laneOptions
	cmd := &cobra.Command{
		Use:   "lane",
		Short: "Run a scriptable lane yard: send and receive messages on local sockets, print what happens as JSON lines",
		Long: `Run one yard of a RAET lane, on the Unix datagram socket
<dir>/<lane>.<yard>.uxd, and print one JSON object per line for what
happens: start, sent, send_failed, received, done.

With --to the yard sends its --send messages (each --count times) to the
yard of that name on the same lane and directory. --size N adds to each
message a "pad" of N characters and its "pad_sha256"; a received message
with both is checked and its received event says pad_ok. --echo sends
every received message back to the yard that sent it. --refuse-unknown
drops pages from yards this one does not know (only --to is known
beforehand), where the reference takes them.

The yard stops once every message is handed to its receiver's socket and
--expect messages arrived, after --linger to answer what is still on its
way, or at --timeout. The exit status is 0 when every send succeeded and
every expected message arrived, 1 otherwise, 2 for a wrong command line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLane(cmd.Context(), o, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.lane, "lane", "lane", "the lane's name")
	f.StringVar(&o.yard, "yard", "", "this yard's name (default: lane_<session id>, as the reference names it)")
	f.StringVar(&o.dir, "dir", "", "the socket directory (default: the reference's "+lane.DefaultDir+", else "+lane.AltDir+")")
	f.StringVar(&o.to, "to", "", "the yard to send the --send messages to")
	f.StringArrayVar(&o.sends, "send", nil, "a message as a JSON object, sent to --to (repeatable)")
	f.IntVar(&o.count, "count", 1, "how many times each --send message is sent")
	f.IntVar(&o.size, "size", 0, "add a pad of this many characters to each message, with its SHA-256")
	f.StringVar(&o.bodyKind, "body", "json", "how the bodies sent are serialised: json or msgpack")
	f.IntVar(&o.expect, "expect", 0, "wait for this many received messages")
	f.BoolVar(&o.echo, "echo", false, "send every received message back to its sender")
	f.BoolVar(&o.refuseUnknown, "refuse-unknown", false, "drop pages from yards this one does not know")
	o.timeout, o.linger = 30*time.Second, time.Second
	f.Var((*seconds)(&o.timeout), "timeout", "give up after this long: seconds, or a duration such as 2m")
	f.Var((*seconds)(&o.linger), "linger", "stay this long after the work is done, to answer what is still on its way: seconds, or a duration")
	return cmd
}

// laneRun is the state of one raet lane run, owned by runLane's loop.
type laneRun struct {
	o                      laneOptions
	out                    io.Writer
	stack                  *lane.Stack
	bodies                 []body.Map
	sent, failed, received int
	pending                int // messages queued whose outcome has not come back
	results                chan peerResult
	padMismatch            int

	// The outbox holds what is to be transmitted, in order, for the
	// transmitter goroutine: Transmit waits while a yard's queue is full,
	// and the loop must go on reading meanwhile, or two yards echoing
	// floods at each other would each wait for the other to read.
	mu     sync.Mutex
	cond   *sync.Cond
	outbox []laneSend
	closed bool
}

type laneSend struct {
	m   body.Map
	to  string
	seq int
}

func runLane(ctx context.Context, o laneOptions, out io.Writer) error {
	p := &laneRun{o: o, out: out, results: make(chan peerResult, 64)}
	p.cond = sync.NewCond(&p.mu)
	stack, err := p.setup()
	if err != nil {
		return err
	}
	p.stack = stack
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- stack.Run(ctx) }()
	transmitted := make(chan struct{})
	go func() {
		p.transmitter()
		close(transmitted)
	}()
	p.emit("start", body.Map{{Key: "lane", Value: stack.Lane()}, {Key: "yard", Value: stack.Name()}, {Key: "address", Value: stack.Addr()}})
	p.sendAll()
	var lingerEnd <-chan time.Time
	for {
		if lingerEnd == nil && p.finished() {
			lingerEnd = time.After(o.linger)
		}
		select {
		case m := <-stack.Receive():
			p.onReceive(m)
		case r := <-p.results:
			p.onResult(r)
		case <-lingerEnd:
			cancel()
		case err := <-ran:
			// The stack has stopped: what is still queued fails at once
			// (lane.ErrStopped), so every outcome comes back.
			p.mu.Lock()
			p.closed = true
			p.cond.Broadcast()
			p.mu.Unlock()
			for p.pending > 0 {
				p.onResult(<-p.results)
			}
			<-transmitted
			return p.done(err, lingerEnd != nil)
		}
	}
}

// setup checks the command line and binds the yard's socket.
func (p *laneRun) setup() (*lane.Stack, error) {
	o := p.o
	pk, ok := map[string]raet.PackKind{"json": raet.PackJSON, "msgpack": raet.PackMsgpack}[o.bodyKind]
	if !ok {
		return nil, fmt.Errorf("--body: want json or msgpack, not %q", o.bodyKind)
	}
	if o.count < 0 || o.size < 0 || o.expect < 0 {
		return nil, fmt.Errorf("--count, --size and --expect cannot be negative")
	}
	for i, s := range o.sends {
		v, err := body.DecodeJSON([]byte(s))
		m, ok := v.(body.Map)
		if err != nil || !ok {
			return nil, fmt.Errorf("--send %d: want a JSON object, got %q", i+1, clipArg(s))
		}
		p.bodies = append(p.bodies, m)
	}
	if len(p.bodies) > 0 && o.to == "" {
		return nil, fmt.Errorf("--send needs --to, the yard to send to")
	}
	for _, n := range []struct{ flag, what, name string }{{"--lane", "lane", o.lane}, {"--yard", "yard", o.yard}, {"--to", "yard", o.to}} {
		if n.name == "" && n.flag != "--lane" {
			continue // no --yard: the library names it; no --to: nothing to send
		}
		if err := lane.CheckName(n.what, n.name); err != nil {
			return nil, fmt.Errorf("%s: %v", n.flag, err)
		}
	}
	s, err := lane.NewStack(lane.Config{Name: o.yard, Lane: o.lane, Dir: o.dir, PackKind: pk, RefuseUnknown: o.refuseUnknown})
	if err != nil {
		return nil, err
	}
	if o.to != "" {
		// Known from the start, so its pages are taken with --refuse-unknown.
		if err := s.AddYard(o.to); err != nil {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			s.Run(ctx) // closes the socket and removes its file
			return nil, fmt.Errorf("--to: %v", err)
		}
	}
	return s, nil
}

// sendAll queues every --send message --count times for --to.
func (p *laneRun) sendAll() {
	seq := 0
	for i := 0; i < p.o.count; i++ {
		for _, b := range p.bodies {
			m := append(body.Map(nil), b...)
			if p.o.size > 0 {
				pad := makePad(p.o.size, seq)
				sum := sha256.Sum256([]byte(pad))
				m.Set("pad", pad)
				m.Set("pad_sha256", hex.EncodeToString(sum[:]))
			}
			p.transmit(m, p.o.to, seq)
			seq++
		}
	}
}

// transmit queues a message for the transmitter; its outcome comes back on
// p.results.
func (p *laneRun) transmit(m body.Map, to string, seq int) {
	p.pending++
	p.mu.Lock()
	p.outbox = append(p.outbox, laneSend{m: m, to: to, seq: seq})
	p.cond.Broadcast()
	p.mu.Unlock()
}

// transmitter hands the outbox to the stack in order, until the loop
// closes it and it is empty. The outcomes come back in the same order:
// each waits for its own delivery, then for the one before it to be
// reported.
func (p *laneRun) transmitter() {
	prev := make(chan struct{})
	close(prev)
	for {
		p.mu.Lock()
		for len(p.outbox) == 0 && !p.closed {
			p.cond.Wait()
		}
		batch := p.outbox
		p.outbox = nil
		p.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for _, s := range batch {
			d := p.stack.Transmit(s.m, s.to)
			before, reported := prev, make(chan struct{})
			go func() {
				err := d.Err()
				<-before
				p.results <- peerResult{to: s.to, seq: s.seq, err: err}
				close(reported)
			}()
			prev = reported
		}
	}
}

func (p *laneRun) onResult(r peerResult) {
	p.pending--
	if r.err != nil {
		p.failed++
		p.emit("send_failed", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}, {Key: "error", Value: r.err.Error()}})
	} else {
		p.sent++
		p.emit("sent", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}})
	}
}

func (p *laneRun) onReceive(m lane.Received) {
	p.received++
	fields := body.Map{{Key: "from", Value: m.From}}
	pad, hasPad := m.Body.String("pad")
	want, hasSum := m.Body.String("pad_sha256")
	shown := m.Body
	if hasPad && hasSum {
		sum := sha256.Sum256([]byte(pad))
		ok := hex.EncodeToString(sum[:]) == want
		if !ok {
			p.padMismatch++
		}
		fields = append(fields, body.Item{Key: "pad_ok", Value: ok})
		if len(pad) > 64 { // show the pad by its length, not a megabyte of it
			shown = append(body.Map(nil), m.Body...)
			shown.Set("pad", fmt.Sprintf("<%d characters>", len(pad)))
		}
	}
	fields = append(fields, body.Item{Key: "body", Value: display(shown)})
	p.emit("received", fields)
	if p.o.echo {
		p.transmit(m.Body, m.From, -1)
	}
}

// finished reports whether the work is done: every message sent has its
// outcome and everything expected arrived.
func (p *laneRun) finished() bool {
	wantSends := len(p.bodies) * p.o.count
	return p.pending == 0 && p.received >= p.o.expect && (p.o.expect > 0 || wantSends > 0)
}

// done prints the done event; completed says the work was finished before
// the stack stopped, rather than cut short by --timeout.
func (p *laneRun) done(runErr error, completed bool) error {
	wantSends := len(p.bodies) * p.o.count
	ok := runErr == nil && p.failed == 0 && p.sent >= wantSends && p.received >= p.o.expect && p.padMismatch == 0 && p.pending == 0
	stats := body.Map{}
	for k, v := range p.stack.Stats() {
		stats = append(stats, body.Item{Key: k, Value: int64(v)})
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Key < stats[j].Key })
	fields := body.Map{
		{Key: "ok", Value: ok}, {Key: "sent", Value: p.sent}, {Key: "send_failed", Value: p.failed},
		{Key: "received", Value: p.received}, {Key: "expected", Value: p.o.expect},
	}
	if runErr != nil {
		fields = append(fields, body.Item{Key: "error", Value: runErr.Error()})
	}
	if !completed && runErr == nil && (wantSends > 0 || p.o.expect > 0) {
		fields = append(fields, body.Item{Key: "error", Value: "timed out after " + p.o.timeout.String()})
	}
	fields = append(fields, body.Item{Key: "stats", Value: stats})
	p.emit("done", fields)
	if !ok {
		return exitError{1}
	}
	return nil
}

func (p *laneRun) emit(event string, fields body.Map) {
	writeJSON(p.out, append(body.Map{{Key: "event", Value: event}}, fields...))
}
