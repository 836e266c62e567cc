package road

import (
	"net/netip"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/keep"
)

// The stack's use of its keep: acceptance of roles, and persisting remotes
// and the local estate when joins change them. A stack without a keep
// accepts no joins.

// statusRole asks the keep whether a role with these keys is accepted,
// pending or rejected, recording what it decides (RoadKeep.statusRole). A
// keep that cannot answer rejects: a key is never accepted by accident.
func (c *core) statusRole(role, verhex, pubhex string) raet.Acceptance {
	if c.cfg.Keep == nil {
		c.stat("keep_missing")
		return raet.Rejected
	}
	status, err := c.cfg.Keep.StatusRole(role, verhex, pubhex)
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
	return c.statusRole(r.Role, r.verfer.Hex(), r.pubber.Hex())
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
	}
	if c.byName[r.Name] == r {
		delete(c.byName, r.Name)
	}
	if c.joinees[r.HA] == r {
		delete(c.joinees, r.HA)
	}
	for _, t := range r.transactions {
		t.nack()
	}
	if clear && c.cfg.Keep != nil && r.Name != "" {
		if err := c.cfg.Keep.RemoveRemote(keepRemote(r)); err != nil {
			c.stat("keep_error")
		}
	}
	c.stat("remote_removed")
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
