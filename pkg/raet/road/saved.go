package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A message whose session changes under it, or that is sent while a new
// session is being made, is not lost and not sent twice: it waits for the
// new session, and goes again in it only when the remote said it never
// took it.

// savedMessage is a message waiting for the session an allow on its way
// will make.
type savedMessage struct {
	body    body.Map
	timeout time.Duration
	report  report
}

// refused ends a message the remote refused: it never delivered it, and
// never will. One begun in a session since replaced goes again in the new
// one, and one whose session is being replaced waits for it (settleSaved);
// any other fails. Each goes again only once a session has changed, so two
// stacks that disagree about their session cannot pass it back and forth.
func (mt *messenger) refused() {
	c, r := mt.c, mt.r
	allowing := len(allowInProcess(r)) > 0
	if !allowing && (mt.sid == r.SID || r.Allowed != Yes) {
		mt.finish(ErrNacked)
		return
	}
	delete(r.transactions, mt.index())
	timeout := mt.timeout
	if !mt.expire.IsZero() {
		if timeout = mt.expire.Sub(c.clock.Now()); timeout <= 0 {
			mt.finish(ErrTimedOut)
			return
		}
	}
	if allowing {
		r.saved = append(r.saved, savedMessage{body: mt.body, timeout: timeout, report: mt.report})
		c.stat("message_saved")
	} else {
		c.message(r, mt.body, timeout, mt.report)
	}
	mt.report = nil
}

// sendSaved sends again the messages whose session went stale, now that a
// new one is allowed (RemoteEstate.sendSavedMessages).
func (c *core) sendSaved(r *Remote) {
	saved := r.saved
	r.saved = nil
	for _, s := range saved {
		c.message(r, s.body, s.timeout, s.report)
	}
}

// settleSaved sends the saved messages once an allow has ended: in its new
// session, or, when it failed and no other is on its way, as failed.
func (c *core) settleSaved(r *Remote) {
	if r.Allowed == Yes {
		c.sendSaved(r)
		return
	}
	if len(allowInProcess(r)) > 0 {
		return
	}
	saved := r.saved
	r.saved = nil
	for _, s := range saved {
		s.report(ErrNotAllowed)
	}
}
