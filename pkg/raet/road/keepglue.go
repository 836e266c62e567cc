package road

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// The stack's use of its keep: acceptance of roles, and persisting remotes
// and the local estate when joins change them. A stack without a keep
// accepts no joins.

// statusRole asks the keep whether a role with these keys is accepted,
// pending or rejected, recording what it decides (RoadKeep.statusRole). A
// keep that cannot answer rejects: a key is never accepted by accident.
func (c *core) statusRole(role, verhex, pubhex string, r *Remote) raet.Acceptance {
	var acceptor Acceptor = c.cfg.Acceptor
	if acceptor == nil {
		if c.cfg.Keep == nil {
			c.stat("keep_missing")
			return raet.Rejected
		}
		acceptor = c.cfg.Keep
	}
	var status raet.Acceptance
	var err error
	if v, ok := c.verdictOn(role, verhex, pubhex); ok {
		status, err = v.Acceptance, v.Err
	} else {
		status, err = acceptor.StatusRole(role, verhex, pubhex)
	}
	if errors.Is(err, ErrDeciding) {
		c.awaitDecision(role, r)
		return raet.Pending
	}
	if err != nil {
		c.stat("keep_error")
		return raet.Rejected
	}
	return status
}

// statusRemote is statusRole for the keys a remote holds now.
func (c *core) statusRemote(r *Remote) raet.Acceptance {
	if r.verfer == nil || r.pubber == nil {
		return raet.Rejected
	}
	return c.statusRole(r.Role, r.verfer.Hex(), r.pubber.Hex(), r)
}

func (c *core) dumpRemote(r *Remote) {
	if c.cfg.Keep == nil || r.Name == "" {
		return
	}
	if err := c.cfg.Keep.DumpRemote(keepRemote(r)); err != nil {
		c.stat("keep_error")
	}
}

func (c *core) dumpLocal() {
	if c.cfg.Keep == nil {
		return
	}
	ha := keepHAOf(c.conn.LocalAddr())
	l := &keep.Local{Name: c.name, UID: c.uid, HA: ha, FQDN: c.cfg.FQDN, PUID: c.puid, AHA: ha, Role: c.role,
		SigHex: c.signer.SeedHex(), PriHex: c.priver.Hex()}
	if err := c.cfg.Keep.DumpLocal(l); err != nil {
		c.stat("keep_error")
	}
}

// removeRemote forgets a remote, nacking its transactions, and with clear
// also its keep file (RoadStack.removeRemote).
func (c *core) removeRemote(r *Remote, clear bool) {
	if c.remotes[r.UID] == r {
		delete(c.remotes, r.UID)
		c.keyChanged(r.UID)
	}
	if c.byName[r.Name] == r {
		delete(c.byName, r.Name)
	}
	if c.joinees[r.HA] == r {
		delete(c.joinees, r.HA)
	}
	for _, idx := range r.inOrder() {
		t, ok := r.transactions[idx]
		if !ok {
			continue
		}
		t.nack()
		if mt, ok := t.(*messenger); ok {
			mt.finish(ErrUnknownRemote)
		}
	}
	// Messages waiting for a new session with it will not get one.
	for _, saved := range r.saved {
		saved.report(ErrUnknownRemote)
	}
	r.saved = nil
	if clear && c.cfg.Keep != nil && r.Name != "" {
		if err := c.cfg.Keep.RemoveRemote(keepRemote(r)); err != nil {
			c.stat("keep_error")
		}
	}
	r.wakeAt = time.Time{} // its entries in the wake heap are void
	c.stat("remote_removed")
	c.emit(EventRemoved, r)
}

// renameRemote gives a remote a new name, moving its keep file.
func (c *core) renameRemote(r *Remote, name string) {
	if c.byName[r.Name] == r {
		delete(c.byName, r.Name)
		if c.cfg.Keep != nil && r.Name != "" {
			if err := c.cfg.Keep.RemoveRemote(keepRemote(r)); err != nil {
				c.stat("keep_error")
			}
		}
	}
	r.Name = name
	if _, known := c.remotes[r.UID]; known {
		c.byName[name] = r
	}
}

func keepHAOf(a netip.AddrPort) keep.HA {
	return keep.HA{Host: a.Addr().String(), Port: int(a.Port())}
}

func keepRemote(r *Remote) *keep.Remote {
	k := &keep.Remote{Name: r.Name, UID: r.UID, FUID: r.FUID, HA: keepHAOf(r.HA), FQDN: r.FQDN, SID: r.SID,
		Kind: int(r.Kind), Role: r.Role, Acceptance: r.Acceptance}
	main := r.Main
	k.Main = &main
	if r.Joined != Unknown {
		joined := r.Joined == Yes
		k.Joined = &joined
	}
	if r.verfer != nil {
		k.VerHex = r.verfer.Hex()
	}
	if r.pubber != nil {
		k.PubHex = r.pubber.Hex()
	}
	return k
}

// restore loads the stack's identity and remotes from its keep, as a
// reference stack does when it is made: the persisted name, uid, role and
// keys win over the configuration's, every restored remote starts a new
// session (so it presents a newer sid than before the restart), and
// everything is written back. A local estate file that cannot be read is an
// error: the stack must not take on another identity over it. A remote file
// that cannot be read is counted and left alone.
func (c *core) restore() error {
	k := c.cfg.Keep
	if k == nil {
		return nil
	}
	l, err := k.LoadLocal()
	switch {
	case errors.Is(err, keep.ErrCleared):
		c.stat("keep_local_cleared")
	case err != nil:
		return err
	}
	if l != nil {
		signer, err := raet.NewSigner([]byte(l.SigHex))
		if err != nil {
			return fmt.Errorf("keep %s: local signing key: %w", k.Dir(), err)
		}
		priver, err := raet.NewPrivateer([]byte(l.PriHex))
		if err != nil {
			return fmt.Errorf("keep %s: local private key: %w", k.Dir(), err)
		}
		c.name, c.uid, c.puid, c.role, c.signer, c.priver = l.Name, l.UID, l.PUID, l.Role, signer, priver
		c.cfg.FQDN = l.FQDN
	}
	remotes, err := k.LoadRemotes()
	if err != nil {
		c.stat("keep_remote_unreadable")
	}
	for _, kr := range remotes {
		ha, err := ResolveHA(context.Background(), kr.HA.Host, kr.HA.Port)
		if err != nil {
			c.stat("keep_remote_unreadable")
			continue
		}
		r := newRemote(kr.UID, ha)
		r.Name, r.Role, r.FUID, r.FQDN, r.Kind, r.SID = kr.Name, kr.Role, kr.FUID, kr.FQDN, uint8(kr.Kind), kr.SID
		r.Main = kr.Main != nil && *kr.Main
		if kr.Joined != nil {
			r.Joined = No
			if *kr.Joined {
				r.Joined = Yes
			}
		}
		r.Acceptance = kr.Acceptance
		if kr.VerHex != "" {
			if r.verfer, err = raet.NewVerifier([]byte(kr.VerHex)); err != nil {
				c.stat("keep_remote_unreadable")
				continue
			}
		}
		if kr.PubHex != "" {
			if r.pubber, err = raet.NewPublican([]byte(kr.PubHex)); err != nil {
				c.stat("keep_remote_unreadable")
				continue
			}
		}
		c.addRemote(r)
		r.nextSID()
		c.stat("keep_remote_restored")
	}
	c.dumpLocal()
	for _, r := range c.remotes {
		c.dumpRemote(r)
	}
	return nil
}
