package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

type peerOptions struct {
	name, host, keepDir, sigkey, prikey, auto, join, bodyKind, headKind string
	port                                                                int
	main, mutable                                                       bool
	trafficOptions
}

func newPeer(stdout io.Writer) *cobra.Command {
	var o peerOptions
	cmd := &cobra.Command{
		Use:   "peer",
		Short: "Run a scriptable road estate: join, allow, send and receive messages, print what happens as JSON lines",
		Long: `Run one road estate on UDP and print one JSON object per line for what happens:
start, joined, allowed, alived, lost, sent, send_failed, received, done, error.

With --join the estate joins the main at HOST:PORT, allows and alives it,
and sends its --send messages (each --count times) once allowed. Without
--join it waits for estates to join it (give --main to accept joins from
estates it does not know) and sends its messages to the first one allowed.
--size N adds to each message a "pad" of N characters and its "pad_sha256";
a received message with both is checked and its received event says
pad_ok. --echo sends every received message back to its sender. The
estate's identity and the keys it has accepted live in --keep, as in a
reference RAET keep.

The exit status is 0 when every message sent was delivered (the receiver
said done) and --expect messages arrived, 1 otherwise, 2 for a wrong
command line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPeer(cmd.Context(), o, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "the estate's name (required unless the keep has one)")
	f.StringVar(&o.host, "host", "127.0.0.1", "the address to listen on (empty for every interface)")
	f.IntVar(&o.port, "port", raet.Port, "the UDP port to listen on (0 for any free one)")
	f.StringVar(&o.keepDir, "keep", "", "the keep directory (default: the reference's /var/cache/raet/keep/NAME, else ~/.raet/keep/NAME)")
	f.StringVar(&o.sigkey, "sigkey", "", "Ed25519 signing seed, 64 hex digits, for a keep without an identity yet")
	f.StringVar(&o.prikey, "prikey", "", "Curve25519 private key, 64 hex digits, for a keep without an identity yet")
	f.StringVar(&o.auto, "auto", "never", "accept the keys of estates joining for the first time: never, once or always")
	f.BoolVar(&o.main, "main", false, "accept vacuous joins from estates this one does not know")
	f.BoolVar(&o.mutable, "mutable", false, "let joins change a known estate's name, address or keys")
	f.StringVar(&o.join, "join", "", "HOST:PORT of a main to join, allow and alive")
	f.StringVar(&o.bodyKind, "body", "json", "how bodies are serialised: json or msgpack")
	o.addFlags(f, "a message as a JSON object, sent once allowed (repeatable)")
	f.StringVar(&o.headKind, "head", "raet", "how packet heads are written: raet or json")
	return cmd
}

// peerRun is the state of one raet peer run, owned by runPeer's loop.
type peerRun struct {
	traffic
	o      peerOptions
	stack  *road.Stack
	sentTo bool   // the --send messages went to the first remote allowed
	target uint32 // the main of --join
}

func runPeer(ctx context.Context, o peerOptions, out io.Writer) error {
	p := &peerRun{traffic: newTraffic(o.trafficOptions, out), o: o}
	stack, err := p.setup()
	if err != nil {
		return err
	}
	p.stack = stack
	ctx, cancel, ran := p.runStack(ctx, stack.Run)
	defer cancel()
	p.emit("start", body.Map{{Key: "name", Value: stack.Name()}, {Key: "address", Value: road.JoinHostPort(stack.LocalAddr())}})
	if o.join != "" {
		ha, err := resolveHostPort(ctx, o.join)
		if err == nil {
			p.target, err = stack.Join(ha, true)
		}
		if err != nil {
			p.emit("error", body.Map{{Key: "error", Value: err.Error()}})
			cancel()
			<-ran
			return exitError{1}
		}
	}
	var lingerEnd <-chan time.Time
	for {
		if lingerEnd == nil && p.finished() {
			lingerEnd = time.After(o.linger)
		}
		select {
		case e := <-stack.Events():
			p.onEvent(e)
		case m := <-stack.Receive():
			p.onReceive(m.From, m.Body)
			if o.echo {
				if uid, ok := stack.UID(m.From); ok {
					p.transmit(m.Body, uid, m.From, -1)
				}
			}
		case r := <-p.results:
			p.onResult(r)
		case <-lingerEnd:
			cancel()
		case err := <-ran:
			return p.done(err, p.finished(), stack.Stats())
		}
	}
}

// setup opens the keep and the socket and makes the stack.
func (p *peerRun) setup() (*road.Stack, error) {
	o := p.o
	auto, err := raet.ParseAutoMode(o.auto)
	if err != nil {
		return nil, fmt.Errorf("--auto: %v", err)
	}
	bk, err := raet.ParseBodyKind(o.bodyKind)
	if err != nil || (bk != raet.BodyJSON && bk != raet.BodyMsgpack) {
		return nil, fmt.Errorf("--body: want json or msgpack, not %q", o.bodyKind)
	}
	hk, ok := map[string]raet.HeadKind{"raet": raet.HeadRaet, "json": raet.HeadJSON}[o.headKind]
	if !ok {
		return nil, fmt.Errorf("--head: want raet or json, not %q", o.headKind)
	}
	if p.bodies, err = o.bodies(); err != nil {
		return nil, err
	}
	dir := o.keepDir
	if dir == "" {
		if o.name == "" {
			return nil, fmt.Errorf("give --name or --keep")
		}
		dir = keep.DefaultDir(o.name)
	}
	k, err := keep.Open(dir, keep.KindJSON, auto)
	if err != nil {
		return nil, fmt.Errorf("--keep: %v", err)
	}
	signer, err := signerFrom(o.sigkey)
	if err != nil {
		return nil, fmt.Errorf("--sigkey: %w", err)
	}
	priv, err := privateerFrom(o.prikey)
	if err != nil {
		return nil, fmt.Errorf("--prikey: %w", err)
	}
	name := o.name
	if name == "" {
		name = "estate" // the keep's name wins below; a keep without one needs --name
		if l, err := k.LoadLocal(); err != nil || l == nil {
			return nil, fmt.Errorf("give --name: the keep in %s holds no estate", dir)
		}
	}
	conn, err := road.ListenUDP(net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		return nil, fmt.Errorf("listen: %v", err)
	}
	s, err := road.NewStack(road.Config{Name: name, Main: o.main, Mutable: o.mutable, Signer: signer, Privateer: priv,
		Conn: conn, Keep: k, HeadKind: hk, BodyKind: bk, Manage: true, ManageCascade: true,
		Timers: road.Timers{JoinentTimeout: road.Never}})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

func resolveHostPort(ctx context.Context, hp string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("--join %q: %v", hp, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("--join %q: port %q is not a number", hp, port)
	}
	return road.ResolveHA(ctx, host, n)
}

func (p *peerRun) onEvent(e road.Event) {
	p.emit(string(e.Kind), body.Map{{Key: "remote", Value: e.Name}, {Key: "uid", Value: int64(e.UID)}})
	if e.Kind == road.EventAllowed && !p.sentTo && (p.o.join == "" || e.UID == p.target) {
		p.sentTo = true
		p.sendAll(e.UID, e.Name)
	}
}

// sendAll sends every --send message --count times to a remote; their
// outcomes come back on p.results.
func (p *peerRun) sendAll(uid uint32, name string) {
	p.eachMessage(func(m body.Map, seq int) { p.transmit(m, uid, name, seq) })
}

func (p *peerRun) transmit(m body.Map, uid uint32, name string, seq int) {
	d := p.stack.Transmit(m, uid, 0)
	p.pending++
	go func() { p.results <- sendResult{to: name, seq: seq, err: d.Err()} }()
}

// finished reports whether the work is done: everything sent answered and
// everything expected arrived.
func (p *peerRun) finished() bool {
	return (p.wantSends() == 0 || p.sentTo) && p.settled() // echoes included
}
