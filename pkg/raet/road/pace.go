package road

import (
	"slices"
	"time"
)

// What a messenger learns from the answers to its segments, and what it
// sends again because of them (issue 16): only segments the messengent
// lacks, each once per loss, however late, duplicated or reordered the
// answers arrive.

// known is what the messengent is known to hold: every segment below
// below, and those marked beyond it. It only grows: a messengent never
// drops a segment it took.
type known struct {
	below int
	marks []bool
}

func (k *known) mark(sn int) {
	if sn < k.below {
		return
	}
	if k.marks == nil {
		k.marks = make([]bool, 0, 64)
	}
	for len(k.marks) <= sn {
		k.marks = append(k.marks, false)
	}
	k.marks[sn] = true
}

// markBelow says every segment below n is held.
func (k *known) markBelow(n int) {
	for k.below < n {
		k.mark(k.below)
		k.below++
	}
}

func (k *known) holds(sn int) bool {
	return sn < k.below || (sn < len(k.marks) && k.marks[sn])
}

func (mt *messenger) has(sn int) bool { return mt.held.holds(sn) }

// tail queues again what was sent after the highest segment an ack says
// the messengent has (an ack says nothing is missing up to it): those not
// still on their way were lost. An ack older than one already taken (late,
// or duplicated on the way) says nothing new.
func (mt *messenger) tail(highest int, now time.Time) {
	if highest < mt.highest {
		mt.c.stat("message_ack_stale")
		return
	}
	mt.highest = highest
	mt.held.markBelow(highest + 1)
	for sn := highest + 1; sn < mt.current; sn++ {
		if !mt.inFlight(sn, now) && !slices.Contains(mt.misseds, sn) {
			mt.misseds = append(mt.misseds, sn)
		}
	}
}

// listed takes a resend's list of missing segments: the messengent lists
// in order what it lacks from the lowest it found missing, 64 a packet,
// so between the first and the last of one list it holds everything not
// listed. (Ours sends only the first 64; the reference sends them all, in
// several packets, so nothing is known of what lies below a list.) A
// segment listed that it is known to hold comes from an older list (late
// or duplicated) and is not sent again, nor is one sent so lately that it
// may still be on its way. A segment lost again halves the window.
func (mt *messenger) listed(misseds []int, now time.Time) {
	if slices.IsSorted(misseds) {
		for i := 1; i < len(misseds); i++ {
			for sn := misseds[i-1] + 1; sn < misseds[i]; sn++ {
				mt.held.mark(sn)
			}
		}
	}
	lost := false
	for _, sn := range misseds {
		switch {
		case mt.has(sn):
			mt.c.stat("message_resend_stale")
		case mt.inFlight(sn, now):
			mt.c.stat("message_resend_in_flight")
		case !slices.Contains(mt.misseds, sn):
			mt.misseds = append(mt.misseds, sn)
			lost = true
		}
	}
	if lost {
		mt.win.lost(now, mt.rtt.srtt)
	}
	if len(mt.misseds) > 0 {
		mt.sendMisseds()
		return
	}
	// Every segment listed is held or still on its way (overtaken, not
	// lost): the next burst carries the packet that asks for an answer
	// once they have arrived.
	mt.sendBurst()
}
