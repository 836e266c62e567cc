package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"sort"
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
	port, count, size, expect                                           int
	main, mutable, echo                                                 bool
	sends                                                               []string
	timeout, linger                                                     time.Duration
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
	f.StringArrayVar(&o.sends, "send", nil, "a message as a JSON object, sent once allowed (repeatable)")
	f.IntVar(&o.count, "count", 1, "how many times each --send message is sent")
	f.IntVar(&o.size, "size", 0, "add a pad of this many characters to each message, with its SHA-256")
	f.StringVar(&o.bodyKind, "body", "json", "how bodies are serialised: json or msgpack")
	f.IntVar(&o.expect, "expect", 0, "wait for this many received messages")
	f.BoolVar(&o.echo, "echo", false, "send every received message back to its sender")
	o.timeout, o.linger = 30*time.Second, time.Second
	f.Var((*seconds)(&o.timeout), "timeout", "give up after this long: seconds, or a duration such as 2m")
	f.Var((*seconds)(&o.linger), "linger", "stay this long after the work is done, to answer what is still on its way: seconds, or a duration")
	f.StringVar(&o.headKind, "head", "raet", "how packet heads are written: raet or json")
	return cmd
}

// seconds is a duration flag that also takes plain seconds, as Salt's
// timeouts are written: "--timeout 5" is five seconds, "--timeout 1.5m"
// a minute and a half.
type seconds time.Duration

func (s *seconds) String() string { return time.Duration(*s).String() }
func (s *seconds) Type() string   { return "seconds" }
func (s *seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64/float64(time.Second) {
			return fmt.Errorf("%q is not a number of seconds", v)
		}
		*s = seconds(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is neither seconds nor a duration such as 90s or 2m", v)
	}
	*s = seconds(d)
	return nil
}

// peerRun is the state of one raet peer run, owned by runPeer's loop.
type peerRun struct {
	o                      peerOptions
	out                    io.Writer
	stack                  *road.Stack
	bodies                 []body.Map
	sent, failed, received int
	pending                int
	sentTo                 bool
	results                chan peerResult
	target                 uint32
	padMismatch            int
}

type peerResult struct {
	to  string
	seq int
	err error
}

func runPeer(ctx context.Context, o peerOptions, out io.Writer) error {
	p := &peerRun{o: o, out: out, results: make(chan peerResult, 64)}
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
			p.onReceive(m)
		case r := <-p.results:
			p.pending--
			if r.err != nil {
				p.failed++
				p.emit("send_failed", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}, {Key: "error", Value: r.err.Error()}})
			} else {
				p.sent++
				p.emit("sent", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}})
			}
		case <-lingerEnd:
			cancel()
		case err := <-ran:
			return p.done(err)
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
			p.transmit(m, uid, name, seq)
			seq++
		}
	}
}

func (p *peerRun) transmit(m body.Map, uid uint32, name string, seq int) {
	d := p.stack.Transmit(m, uid, 0)
	p.pending++
	go func() { p.results <- peerResult{to: name, seq: seq, err: d.Err()} }()
}

// makePad is n printable characters, different for each message.
func makePad(n, seq int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+seq*13)%len(alphabet)]
	}
	return string(b)
}

func (p *peerRun) onReceive(m road.Received) {
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
		if uid, ok := p.stack.UID(m.From); ok {
			p.transmit(m.Body, uid, m.From, -1)
		}
	}
}

// finished reports whether the work is done: everything sent answered and
// everything expected arrived.
func (p *peerRun) finished() bool {
	wantSends := len(p.bodies) * p.o.count
	sendsDone := (wantSends == 0 || p.sentTo) && p.pending == 0 // echoes included
	return sendsDone && p.received >= p.o.expect && (p.o.expect > 0 || wantSends > 0)
}

func (p *peerRun) done(runErr error) error {
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
	if !p.finished() && runErr == nil && (wantSends > 0 || p.o.expect > 0) {
		fields = append(fields, body.Item{Key: "error", Value: "timed out after " + p.o.timeout.String()})
	}
	fields = append(fields, body.Item{Key: "stats", Value: stats})
	p.emit("done", fields)
	if !ok {
		return exitError{1}
	}
	return nil
}

func (p *peerRun) emit(event string, fields body.Map) {
	writeJSON(p.out, append(body.Map{{Key: "event", Value: event}}, fields...))
}

func clipArg(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
