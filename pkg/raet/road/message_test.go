package road

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// outcome records what a messenger reported.
type outcome struct {
	reported bool
	err      error
}

func (o *outcome) report(err error) {
	if o.reported {
		panic("a message reported twice")
	}
	o.reported, o.err = true, err
}

// padded is a message of about size bytes that says how to check itself.
func padded(rng *rand.Rand, seq, size int) body.Map {
	b := make([]byte, size)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.Intn(36)]
	}
	sum := sha256.Sum256(b)
	return body.Map{{Key: "seq", Value: int64(seq)}, {Key: "pad", Value: string(b)}, {Key: "pad_sha256", Value: hex.EncodeToString(sum[:])}}
}

// checkPad reports whether a received body is whole.
func checkPad(m body.Map) bool {
	pad, _ := m.String("pad")
	want, _ := m.String("pad_sha256")
	sum := sha256.Sum256([]byte(pad))
	return hex.EncodeToString(sum[:]) == want
}

func (st *simStack) send(to *simStack, m body.Map, timeout time.Duration) *outcome {
	o := &outcome{}
	st.message(st.byName[to.name], m, timeout, o.report)
	return o
}

func TestMessageBothWays(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	before := s.net.Stats().Sent
	o1 := beta.send(alpha, body.Map{{Key: "kind", Value: "small"}, {Key: "text", Value: "hello"}}, 0)
	s.runUntil(time.Minute, "delivered", func() bool { return o1.reported && len(alpha.received) == 1 })
	if o1.err != nil || alpha.received[0].From != "beta" {
		t.Fatalf("outcome %v, received %+v", o1.err, alpha.received)
	}
	if txt, _ := alpha.received[0].Body.String("text"); txt != "hello" {
		t.Errorf("body %v", alpha.received[0].Body)
	}
	o2 := alpha.send(beta, body.Map{{Key: "echo", Value: "hello"}}, 0)
	s.runUntil(time.Minute, "echoed", func() bool { return o2.reported && len(beta.received) == 1 })
	if o2.err != nil || beta.received[0].From != "alpha" {
		t.Fatalf("outcome %v, received %+v", o2.err, beta.received)
	}
	// Each small message is one packet and its done, besides presence alives.
	if alpha.stats["message_segment_tx"]+beta.stats["message_segment_tx"] != 2 || s.net.Stats().Sent-before < 4 {
		t.Errorf("stats alpha %v beta %v", alpha.stats, beta.stats)
	}
}

func TestMessageSegmentedBursts(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, burst := range []int{Unlimited, 1, 7, 11, 0} {
		for _, size := range []int{3000, 100_000, 1 << 20} {
			s := newSim(t, 1)
			alpha, beta, _ := bootstrap(t, s, Timers{})
			beta.cfg.BurstSize = burst
			m := padded(rng, 1, size)
			o := beta.send(alpha, m, 0)
			s.runUntil(10*time.Minute, fmt.Sprintf("burst %d size %d delivered", burst, size), func() bool { return o.reported && len(alpha.received) == 1 })
			if o.err != nil || !checkPad(alpha.received[0].Body) {
				t.Fatalf("burst %d size %d: %v", burst, size, o.err)
			}
			if burst > 0 && beta.stats["message_ack_rx"] == 0 && size > 3000 {
				t.Errorf("burst %d size %d: no acks asked for more", burst, size)
			}
		}
	}
}

func TestMessageNotAllowedIsReported(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	r.Allowed = No
	o := beta.send(alpha, body.Map{{Key: "x", Value: 1}}, 0)
	if !o.reported || !errors.Is(o.err, ErrNotAllowed) {
		t.Errorf("outcome %+v", o)
	}
	// And a stack that refuses a message from a remote it has no session with
	// nacks it: the sender learns at once.
	r.Allowed = Yes
	alpha.byName["beta"].Allowed = No
	alpha.cfg.Manage, beta.cfg.Manage = false, false
	o = beta.send(alpha, body.Map{{Key: "x", Value: 2}}, 0)
	s.runUntil(time.Minute, "nacked", func() bool { return o.reported })
	if !errors.Is(o.err, ErrNacked) || len(alpha.received) != 0 {
		t.Errorf("outcome %+v, received %v", o, alpha.received)
	}
}

// The fault matrix: over networks that lose up to 30%, duplicate, reorder
// and delay, every message arrives exactly once and whole, and its sender
// hears done; nothing is delivered twice.
func TestMessageFaultMatrix(t *testing.T) {
	sizes := []int{1, 500, 900, 5000, 40_000, 300_000}
	if testing.Short() {
		sizes = sizes[:4]
	}
	for _, f := range []netsim.Faults{
		{},
		{Loss: 0.1},
		{Loss: 0.3},
		{Duplicate: 0.3},
		{Delay: 5 * time.Millisecond, Jitter: 50 * time.Millisecond},
		{Loss: 0.2, Duplicate: 0.2, Delay: time.Millisecond, Jitter: 30 * time.Millisecond},
	} {
		for seed := int64(1); seed <= 6; seed++ {
			name := fmt.Sprintf("faults %+v seed %d", f, seed)
			s := newSim(t, seed)
			rng := rand.New(rand.NewSource(seed))
			alpha, beta, _ := bootstrap(t, s, Timers{JoinerTimeout: Never, JoinentTimeout: Never, AllowTimeout: Never})
			s.net.SetFaults(f)
			var outs []*outcome
			for i, size := range sizes {
				from, to := beta, alpha
				if i%2 == 1 {
					from, to = alpha, beta
				}
				outs = append(outs, from.send(to, padded(rng, i, size), 0))
			}
			s.runUntil(30*time.Minute, name, func() bool {
				for _, o := range outs {
					if !o.reported {
						return false
					}
				}
				return true
			})
			// Let late duplicates arrive: none may be delivered again.
			end := s.clk.Now().Add(30 * time.Second)
			s.runUntil(time.Minute, "settle", func() bool { return s.clk.Now().After(end) })
			seen := map[int64]int{}
			for _, st := range []*simStack{alpha, beta} {
				for _, rcv := range st.received {
					seq, _ := rcv.Body.Int("seq")
					seen[seq]++
					if !checkPad(rcv.Body) {
						t.Errorf("%s: message %d arrived damaged", name, seq)
					}
				}
			}
			for i, o := range outs {
				if o.err != nil {
					t.Errorf("%s: message %d: %v", name, i, o.err)
				}
				if seen[int64(i)] != 1 {
					t.Errorf("%s: message %d delivered %d times", name, i, seen[int64(i)])
				}
			}
		}
	}
}

// A 5 MB message crosses a network losing 10% and duplicating 5%, whole and
// once.
func TestMessageFiveMegabytesLossy(t *testing.T) {
	if testing.Short() {
		t.Skip("5 MB in simulation")
	}
	s := newSim(t, 3)
	alpha, beta, _ := bootstrap(t, s, Timers{})
	s.net.SetFaults(netsim.Faults{Loss: 0.1, Duplicate: 0.05, Delay: time.Millisecond, Jitter: 5 * time.Millisecond})
	o := beta.send(alpha, padded(rand.New(rand.NewSource(3)), 1, 5<<20), 0)
	s.runUntil(time.Hour, "5 MB delivered", func() bool { return o.reported })
	if o.err != nil || len(alpha.received) != 1 || !checkPad(alpha.received[0].Body) {
		t.Fatalf("5 MB: %v, %d received", o.err, len(alpha.received))
	}
	end := s.clk.Now().Add(30 * time.Second)
	s.runUntil(time.Minute, "settle", func() bool { return s.clk.Now().After(end) })
	if len(alpha.received) != 1 {
		t.Errorf("delivered %d times", len(alpha.received))
	}
}

// A message in flight to a remote that is removed (a rejected rejoin, an
// operator's delete) reports that the remote is gone, rather than never.
func TestMessageToRemovedRemoteIsReported(t *testing.T) {
	s := newSim(t, 1)
	alpha, beta, r := bootstrap(t, s, Timers{})
	s.net.SetFaults(netsim.Faults{Loss: 1}) // nothing gets through any more
	o := beta.send(alpha, body.Map{{Key: "n", Value: 1}}, 0)
	s.runUntil(time.Minute, "sent", func() bool { return s.net.Stats().Dropped > 0 })
	beta.removeRemote(r, false)
	if !o.reported || !errors.Is(o.err, ErrUnknownRemote) {
		t.Fatalf("reported %v: %v", o.reported, o.err)
	}
}
