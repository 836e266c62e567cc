package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// raet peer (road estates over UDP) and raet lane (yards over Unix
// sockets) are one scriptable tool over two transports: the same options
// for what to send and what to wait for, the same padded messages, the
// same events and the same done event with the same rule for success.
// That part is here, once; peer.go and lane.go keep what their transport
// needs.

// trafficOptions are the options raet peer and raet lane share: what to
// send, what to wait for, how long to run.
type trafficOptions struct {
	sends               []string
	count, size, expect int
	echo                bool
	timeout, linger     time.Duration
}

// addFlags defines the options on f; sendHelp says where --send messages
// go.
func (o *trafficOptions) addFlags(f *pflag.FlagSet, sendHelp string) {
	f.StringArrayVar(&o.sends, "send", nil, sendHelp)
	f.IntVar(&o.count, "count", 1, "how many times each --send message is sent")
	f.IntVar(&o.size, "size", 0, "add a pad of this many characters to each message, with its SHA-256")
	f.IntVar(&o.expect, "expect", 0, "wait for this many received messages")
	f.BoolVar(&o.echo, "echo", false, "send every received message back to its sender")
	o.timeout, o.linger = 30*time.Second, time.Second
	f.Var((*seconds)(&o.timeout), "timeout", "give up after this long: seconds, or a duration such as 2m")
	f.Var((*seconds)(&o.linger), "linger", "stay this long after the work is done, to answer what is still on its way: seconds, or a duration")
}

// bodies checks the counts and decodes the --send messages.
func (o *trafficOptions) bodies() ([]body.Map, error) {
	if o.count < 0 || o.size < 0 || o.expect < 0 {
		return nil, fmt.Errorf("--count, --size and --expect cannot be negative")
	}
	var bodies []body.Map
	for i, s := range o.sends {
		v, err := body.DecodeJSON([]byte(s))
		m, ok := v.(body.Map)
		if err != nil || !ok {
			return nil, fmt.Errorf("--send %d: want a JSON object, got %q", i+1, clipArg(s))
		}
		bodies = append(bodies, m)
	}
	return bodies, nil
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

// sendResult is the outcome of one message sent, as the transport
// reported it.
type sendResult struct {
	to  string
	seq int // -1 for an echo
	err error
}

// traffic is what one raet peer or raet lane run sent and received, and
// prints as JSON events; the run's loop owns it.
type traffic struct {
	o                      trafficOptions
	out                    io.Writer
	bodies                 []body.Map
	sent, failed, received int
	pending                int // messages handed over whose outcome has not come back
	padMismatch            int
	results                chan sendResult
}

func newTraffic(o trafficOptions, out io.Writer) traffic {
	return traffic{o: o, out: out, results: make(chan sendResult, 64)}
}

// runStack runs a stack (its Run) in the background until ctx ends or
// --timeout passes, whichever is first; what Run returns comes on ran.
// cancel stops it.
func (t *traffic) runStack(ctx context.Context, run func(context.Context) error) (_ context.Context, cancel context.CancelFunc, ran <-chan error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel = context.WithTimeout(ctx, t.o.timeout)
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	return ctx, cancel, done
}

// wantSends is how many messages the run is to send, echoes aside.
func (t *traffic) wantSends() int { return len(t.bodies) * t.o.count }

// eachMessage hands send every --send message --count times, numbered
// from 0, each with a pad of --size characters and its SHA-256 when asked
// for. The pad differs from message to message.
func (t *traffic) eachMessage(send func(m body.Map, seq int)) {
	seq := 0
	for i := 0; i < t.o.count; i++ {
		for _, b := range t.bodies {
			m := append(body.Map(nil), b...)
			if t.o.size > 0 {
				pad := makePad(t.o.size, seq)
				sum := sha256.Sum256([]byte(pad))
				m.Set("pad", pad)
				m.Set("pad_sha256", hex.EncodeToString(sum[:]))
			}
			send(m, seq)
			seq++
		}
	}
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

// onResult counts and prints the outcome of a message sent.
func (t *traffic) onResult(r sendResult) {
	t.pending--
	if r.err != nil {
		t.failed++
		t.emit("send_failed", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}, {Key: "error", Value: r.err.Error()}})
	} else {
		t.sent++
		t.emit("sent", body.Map{{Key: "to", Value: r.to}, {Key: "seq", Value: r.seq}})
	}
}

// onReceive counts and prints a message received; one with a pad and its
// SHA-256 is checked, and a long pad shown by its length.
func (t *traffic) onReceive(from string, b body.Map) {
	t.received++
	fields := body.Map{{Key: "from", Value: from}}
	pad, hasPad := b.String("pad")
	want, hasSum := b.String("pad_sha256")
	shown := b
	if hasPad && hasSum {
		sum := sha256.Sum256([]byte(pad))
		ok := hex.EncodeToString(sum[:]) == want
		if !ok {
			t.padMismatch++
		}
		fields = append(fields, body.Item{Key: "pad_ok", Value: ok})
		if len(pad) > 64 { // show the pad by its length, not a megabyte of it
			shown = append(body.Map(nil), b...)
			shown.Set("pad", fmt.Sprintf("<%d characters>", len(pad)))
		}
	}
	fields = append(fields, body.Item{Key: "body", Value: display(shown)})
	t.emit("received", fields)
}

// settled reports whether every message handed over has its outcome and
// everything expected arrived, in a run that has anything to do.
func (t *traffic) settled() bool {
	return t.pending == 0 && t.received >= t.o.expect && (t.o.expect > 0 || t.wantSends() > 0)
}

// done prints the done event, with the stack's counters, and returns the
// exit status: 0 (nil) when every send succeeded and every expected
// message arrived intact. completed says the work was finished before the
// stack stopped, rather than cut short by --timeout.
func (t *traffic) done(runErr error, completed bool, counters map[string]uint64) error {
	wantSends := t.wantSends()
	ok := runErr == nil && t.failed == 0 && t.sent >= wantSends && t.received >= t.o.expect && t.padMismatch == 0 && t.pending == 0
	stats := body.Map{}
	for k, v := range counters {
		stats = append(stats, body.Item{Key: k, Value: int64(v)})
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Key < stats[j].Key })
	fields := body.Map{
		{Key: "ok", Value: ok}, {Key: "sent", Value: t.sent}, {Key: "send_failed", Value: t.failed},
		{Key: "received", Value: t.received}, {Key: "expected", Value: t.o.expect},
	}
	if runErr != nil {
		fields = append(fields, body.Item{Key: "error", Value: runErr.Error()})
	}
	if !completed && runErr == nil && (wantSends > 0 || t.o.expect > 0) {
		fields = append(fields, body.Item{Key: "error", Value: "timed out after " + t.o.timeout.String()})
	}
	fields = append(fields, body.Item{Key: "stats", Value: stats})
	t.emit("done", fields)
	if !ok {
		return exitError{1}
	}
	return nil
}

// emit prints one event as a JSON line.
func (t *traffic) emit(event string, fields body.Map) {
	writeJSON(t.out, append(body.Map{{Key: "event", Value: event}}, fields...))
}

func clipArg(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
