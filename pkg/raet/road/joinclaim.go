package road

import (
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// What the two sides of a join say of themselves, and how a claim is read
// and taken.

// joinBody is what each side says of itself: the request's fields, and in a
// response also the uid the joinent gives the joiner.
func (c *core) joinBody(uid uint32) body.Map {
	var mode int64
	if c.cfg.Main {
		mode = 1 // bit 0 of the operation flags: this stack is main
	}
	m := body.Map{
		{Key: "name", Value: c.name},
		{Key: "mode", Value: mode},
		{Key: "kind", Value: int64(c.cfg.Kind)},
	}
	if uid != 0 {
		m = append(m, body.Item{Key: "uid", Value: int64(uid)})
	}
	m = append(m,
		body.Item{Key: "verhex", Value: c.signer.VerHex()},
		body.Item{Key: "pubhex", Value: c.priver.PubHex()},
		body.Item{Key: "role", Value: c.role})
	if n := c.announcedPacketSize(); n > 0 {
		// Last, after every field the reference reads (segsize.go).
		m = append(m, body.Item{Key: maxPacketKey, Value: int64(n)})
	}
	return m
}

// joinClaim is what a join packet says of the estate that sent it.
type joinClaim struct {
	name, role     string
	main           bool
	kind           uint8
	uid            uint32
	verhex, pubhex string
	verfer         *raet.Verifier
	pubber         *raet.Publican
	maxPacket      int // announced; 0 when not
}

// readJoinClaim checks a join body's fields as Joiner.accept and
// Joinent.join do, and the keys besides: a key that is not one is refused
// here, not found out at the first signature.
func readJoinClaim(bk raet.BodyKind, plain []byte, wantUID bool) (joinClaim, bool) {
	var jc joinClaim
	m, err := body.Decode(bk, plain)
	if err != nil {
		return jc, false
	}
	var ok bool
	if jc.name, ok = m.String("name"); !ok || jc.name == "" {
		return jc, false
	}
	mode, ok := m.Int("mode")
	if !ok || mode < 0 || mode > 255 {
		return jc, false
	}
	jc.main = mode&1 != 0
	kind, ok := m.Int("kind")
	if !ok || kind < 0 || kind > 255 {
		return jc, false
	}
	jc.kind = uint8(kind)
	if wantUID {
		uid, ok := m.Int("uid")
		if !ok || uid <= 0 || uid > 0xffffffff {
			return jc, false
		}
		jc.uid = uint32(uid)
	}
	if jc.verhex, ok = m.String("verhex"); !ok {
		return jc, false
	}
	if jc.pubhex, ok = m.String("pubhex"); !ok {
		return jc, false
	}
	if jc.role, ok = m.String("role"); !ok || jc.role == "" {
		return jc, false
	}
	vk, err := raet.KeyHex(jc.verhex)
	if err != nil {
		return jc, false
	}
	if jc.verfer, err = raet.NewVerifier(vk[:]); err != nil {
		return jc, false
	}
	pk, err := raet.KeyHex(jc.pubhex)
	if err != nil {
		return jc, false
	}
	jc.pubber, _ = raet.NewPublican(pk[:])
	jc.maxPacket = readMaxPacket(m.Int(maxPacketKey))
	return jc, true
}

// sameKeys reports whether a remote holds this role and these keys.
func (jc *joinClaim) sameRoleKeys(r *Remote) bool {
	return jc.role == r.Role && r.verfer != nil && r.pubber != nil &&
		jc.verhex == r.verfer.Hex() && jc.pubhex == r.pubber.Hex()
}

// adopt makes a remote what the claim says it is.
func (jc *joinClaim) adopt(r *Remote) {
	r.Main, r.Kind, r.Role = jc.main, jc.kind, jc.role
	r.maxPacket = jc.maxPacket // a join that does not say it is the reference's size
	if r.pubber == nil || !r.pubber.Equal(jc.pubber) {
		r.longBox = nil
	}
	r.verfer, r.pubber = jc.verfer, jc.pubber
}
