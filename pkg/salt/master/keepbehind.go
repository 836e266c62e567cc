package master

import "github.com/saltraet/saltraet/pkg/raet/road/keep"

// writeBehind has the road keep written off the road's loop once it is
// opened (keep.WriteBehind): in a join storm the fsyncs of the keep, four
// per join, were the loop's whole time, and the minions already joined
// saw their alives unanswered and joined again. Run flushes it at the end.
func (m *Master) writeBehind(kp *keep.Keep) error {
	kp.WriteBehind()
	m.keep = kp
	return nil
}
