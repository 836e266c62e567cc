package road

import "github.com/saltraet/saltraet/pkg/raet"

// NextID returns the id that follows id. Session, transaction and estate ids
// all count up and roll over from 0xffffffff to 1, because 0 means "none":
// no session yet, an estate whose uid is not known (vacuous) (nextSid,
// nextTid, nextUid).
func NextID(id uint32) uint32 {
	if id == raet.SIDRollover {
		return 1
	}
	return id + 1
}

// ValidSID reports whether session id sid may follow old (Lot.validateSid):
// when either is 0 it may, and otherwise when sid is old or later, later
// meaning less than half the 32-bit range ahead, so that ids can wrap.
func ValidSID(sid, old uint32) bool {
	if sid == 0 || old == 0 {
		return true
	}
	return sid-old < raet.SIDWrapDelta // uint32 arithmetic is modulo 2^32
}
