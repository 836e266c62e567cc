package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/netsim"
)

// On a slow path (600–700 ms round trip, longer than the aliver's first
// redo wait of 250 ms) an alive is not repeated while its answer is on
// its way: once the main has measured the path, each alive exchange is
// one request. The fixed timers sent every alive two or three times, each
// repeat answered again (a signature and a verification on both sides).
func TestAliveRedoFollowsRoundTrip(t *testing.T) {
	s := newSim(t, 3)
	s.net.SetFaults(netsim.Faults{Delay: 300 * time.Millisecond, Jitter: 50 * time.Millisecond})
	alpha, beta, _ := bootstrap(t, s, daemonTimers)
	var seq []sent
	alpha.tapped(&seq)
	beta.tapped(&seq)
	s.runFor(5 * daemonTimers.Period) // the first alives measure the path
	seq = seq[:0]
	completeBefore := alpha.stats["alive_complete"]
	const periods = 20
	s.runFor(periods * daemonTimers.Period)
	n := aliveRequests(seq)
	exchanges := alpha.stats["alive_complete"] - completeBefore
	// A period runs from the answer of one alive to the next alive.
	if exchanges < periods*3/4 || n["beta"] > 1 {
		t.Fatalf("%d alive exchanges led by alpha in %d periods, %d alives of beta, want about one a period from alpha (stats %v)",
			exchanges, periods, n["beta"], alpha.stats)
	}
	if per := float64(n["alpha"]) / float64(exchanges); per > 1.1 {
		t.Errorf("%d alive requests for %d exchanges (%.2f each), want about one each", n["alpha"], exchanges, per)
	}
	if rb := alpha.byName["beta"]; rb.Alived != Yes || alpha.stats["aliver_timeout"] != 0 {
		t.Errorf("beta %v to alpha, stats %v", rb.Alived, alpha.stats)
	}
}

// The first wait is the remote's retransmission timeout within the
// configured bounds, and leaves room for one repeat within the aliver's
// timeout.
func TestAliveFirstWait(t *testing.T) {
	c := &core{cfg: Config{Timers: Timers{}.withDefaults()}}
	ms := time.Millisecond
	for _, tc := range []struct {
		m      meter
		within time.Duration
		want   time.Duration
	}{
		{meter{}, 2 * time.Second, 250 * ms},                                   // nothing learnt: the minimum
		{meter{rtt: 10 * ms, rttvar: 2 * ms}, 2 * time.Second, 250 * ms},       // a fast path: the minimum
		{meter{rtt: 400 * ms, rttvar: 50 * ms}, 2 * time.Second, 600 * ms},     // srtt + 4 rttvar
		{meter{rtt: 900 * ms, rttvar: 300 * ms}, 2 * time.Second, time.Second}, // at most the maximum
		{meter{rtt: 900 * ms, rttvar: 300 * ms}, 1200 * ms, 600 * ms},          // half the timeout
		{meter{rtt: 10 * ms, backedOff: 500 * ms}, 2 * time.Second, 500 * ms},  // a back-off kept
		{meter{rtt: 900 * ms, rttvar: 300 * ms}, 0, time.Second},               // no timeout
	} {
		r := &Remote{meter: tc.m}
		if got := c.aliveFirstWait(r, tc.within); got != tc.want {
			t.Errorf("%+v within %v: first wait %v, want %v", tc.m, tc.within, got, tc.want)
		}
	}
}
