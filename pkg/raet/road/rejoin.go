package road

import (
	"fmt"
	"net/netip"
)

// Joining a remote again without a restart: an estate that forgot a remote,
// or whose remote went silent, joins it as a restart that cleared its
// remotes would, vacuously and under the uid the remote knows it by.

// joinAt joins the estate at ha, adding a remote for it first when none
// is known there, with uid when that is free (0: the next free one).
func (c *core) joinAt(ha netip.AddrPort, uid uint32, cascade bool) *Remote {
	var r *Remote
	for _, known := range c.remotes {
		if known.HA == ha {
			r = known
			break
		}
	}
	if r == nil {
		r = newRemote(0, ha)
		if _, taken := c.remotes[uid]; !taken && uid != c.uid {
			r.UID = uid
		}
		c.addRemote(r)
		r.Name = fmt.Sprintf("estate_%d", r.UID) // until the join tells us its name
		c.byName[r.Name] = r
	}
	c.join(r, false, cascade)
	return r
}

// rejoin joins a remote again vacuously under its uid here, as a restart
// that forgot its remotes would: what the remote answers is taken as new
// and its keys are judged again. It is how an estate that went silent is
// found out: one back with new keys signs nothing the old ones verify, and
// one back without its keep does not know our old uid, so neither answers
// an alive, while a join is neither signed nor addressed by uid.
func (c *core) rejoin(r *Remote, cascade bool) {
	c.stat("rejoin")
	c.endInProcess(r)
	r.FUID, r.Allowed = 0, No
	c.keyChanged(r.UID)
	c.join(r, false, cascade)
}

// endInProcess ends everything in process with a remote, before its ids change:
// they index its transactions. A message on its way is reported failed,
// for its sender to send again in the new session; whether the remote took
// it before it went silent cannot be known.
func (c *core) endInProcess(r *Remote) {
	for idx, t := range r.transactions {
		t.nack()
		if mt, ok := t.(*messenger); ok {
			mt.finish(ErrNotAllowed)
		}
		delete(r.transactions, idx)
	}
	for _, s := range r.saved {
		s.report(ErrNotAllowed)
	}
	r.saved = nil
}
