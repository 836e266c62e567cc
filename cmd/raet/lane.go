package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

type laneOptions struct {
	lane, yard, dir, to, bodyKind string
	refuseUnknown                 bool
	trafficOptions
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
	f.StringVar(&o.bodyKind, "body", "json", "how the bodies sent are serialised: json or msgpack")
	f.BoolVar(&o.refuseUnknown, "refuse-unknown", false, "drop pages from yards this one does not know")
	o.addFlags(f, "a message as a JSON object, sent to --to (repeatable)")
	return cmd
}

// laneRun is the state of one raet lane run, owned by runLane's loop.
type laneRun struct {
	traffic
	o     laneOptions
	stack *lane.Stack

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
	p := &laneRun{traffic: newTraffic(o.trafficOptions, out), o: o}
	p.cond = sync.NewCond(&p.mu)
	stack, err := p.setup()
	if err != nil {
		return err
	}
	p.stack = stack
	ctx, cancel, ran := p.runStack(ctx, stack.Run)
	defer cancel()
	transmitted := make(chan struct{})
	go func() {
		p.transmitter()
		close(transmitted)
	}()
	p.emit("start", body.Map{{Key: "lane", Value: stack.Lane()}, {Key: "yard", Value: stack.Name()}, {Key: "address", Value: stack.Addr()}})
	p.sendAll()
	var lingerEnd <-chan time.Time
	for {
		if lingerEnd == nil && p.settled() {
			lingerEnd = time.After(o.linger)
		}
		select {
		case m := <-stack.Receive():
			p.onReceive(m.From, m.Body)
			if o.echo {
				p.transmit(m.Body, m.From, -1)
			}
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
			return p.done(err, lingerEnd != nil, stack.Stats())
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
	var err error
	if p.bodies, err = o.bodies(); err != nil {
		return nil, err
	}
	if len(p.bodies) > 0 && o.to == "" {
		return nil, fmt.Errorf("--send needs --to, the yard to send to")
	}
	for _, n := range []struct {
		flag  string
		check func(string) error
		name  string
	}{{"--lane", lane.CheckLane, o.lane}, {"--yard", lane.CheckYard, o.yard}, {"--to", lane.CheckYard, o.to}} {
		if n.name == "" && n.flag != "--lane" {
			continue // no --yard: the library names it; no --to: nothing to send
		}
		if err := n.check(n.name); err != nil {
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
	p.eachMessage(func(m body.Map, seq int) { p.transmit(m, p.o.to, seq) })
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
				p.results <- sendResult{to: s.to, seq: s.seq, err: err}
				close(reported)
			}()
			prev = reported
		}
	}
}
