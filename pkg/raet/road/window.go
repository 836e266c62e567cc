package road

import "time"

// window paces the segments of one message (issue 16): how many go in a
// burst, the last of it asking for an answer (wf). It grows while bursts
// are answered with an ack (nothing missing) and halves when an answer
// lists missing segments, at most once a round trip, as TCP's AIMD does:
// a burst larger than the receiver's socket buffer or the path loses its
// tail, and every lost segment costs a resend. Only the segments the
// receiver lists go again.
type window struct {
	cwnd     int // segments in the next burst
	ssthresh int // below it the window doubles each round; above, grows by one
	limit    int // the most it may reach
	cutAt    time.Time
}

// Window sizes: the first burst carries about initialWindowBytes, a
// window never shrinks below minWindow segments, and without a burst limit
// it grows to about maxWindowBytes (the stack asks its socket for a 4 MB
// receive buffer).
const (
	initialWindowBytes = 256 << 10
	maxWindowBytes     = 2 << 20
	minWindow          = 2
)

// newWindow sizes a window for segments of about segment bytes; burst,
// when positive, caps it (Config.BurstSize).
func newWindow(segment, burst int) window {
	limit := max(minWindow, maxWindowBytes/segment)
	if burst > 0 {
		limit = burst
	}
	first := min(limit, max(minWindow, initialWindowBytes/segment))
	return window{cwnd: first, ssthresh: limit, limit: limit}
}

// acked grows the window after a round with nothing missing.
func (w *window) acked() {
	if w.cwnd < w.ssthresh {
		w.cwnd = min(2*w.cwnd, w.ssthresh)
	} else {
		w.cwnd++
	}
	w.cwnd = min(w.cwnd, w.limit)
}

// lost halves the window after a round that lost segments, once a round
// trip (rtt): the answers to one burst tell of one loss.
func (w *window) lost(now time.Time, rtt time.Duration) {
	if !w.cutAt.IsZero() && now.Sub(w.cutAt) < rtt {
		return
	}
	w.cutAt = now
	w.ssthresh = max(minWindow, w.cwnd/2)
	w.cwnd = w.ssthresh
}

// rtt estimates a message's round trip from a packet that waits (wf) to
// an answer, as TCP does (RFC 6298), erring long: answers do not say which
// packet they answer, so each is timed from the first packet that waits
// sent since the answer before, and the longest round trip seen counts
// too. An estimate too short makes segments still on their way look lost,
// and they go twice; one too long only waits a little more for a loss.
type rtt struct {
	waitAt       time.Time // the first packet that waits sent since the last answer
	srtt, rttvar time.Duration
	longest      time.Duration
}

func (r *rtt) waiting(now time.Time) {
	if r.waitAt.IsZero() {
		r.waitAt = now
	}
}

// answered takes the sample an answer gives, if a packet waited for it.
func (r *rtt) answered(now time.Time) (time.Duration, bool) {
	if r.waitAt.IsZero() {
		return 0, false
	}
	sample := now.Sub(r.waitAt)
	r.waitAt = time.Time{}
	r.longest = max(r.longest, sample)
	if r.srtt == 0 {
		r.srtt, r.rttvar = sample, sample/2
	} else {
		r.rttvar += (abs(r.srtt-sample) - r.rttvar) / 4
		r.srtt += (sample - r.srtt) / 8
	}
	return sample, true
}

// flight is how long a segment may take to arrive and be answered.
func (r *rtt) flight() time.Duration {
	return max(2*r.srtt, r.srtt+4*r.rttvar, r.longest) + time.Millisecond
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
