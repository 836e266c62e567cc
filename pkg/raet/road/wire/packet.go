// Package wire is the road's packet codec (raet-protocol.md section 3): the
// head, coat and foot of one datagram, and the trays that cut a message into
// segments and join them again.
//
// A road packet is head || coat || foot. The coat is the serialised body, or
// crypto_box(body) || nonce when the coat kind is nacl; the foot is an Ed25519
// signature over the packet with the signature slot zeroed. Everything here is
// pure: no sockets, no clocks, no state beyond one message. It stands apart
// from the road stack (package road) so that tools which only read datagrams,
// such as `raet decode`, and the fuzzers depend on the codec alone, and so that
// nothing in it can reach for the stack's state.
package wire

import (
	"net/netip"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Packet is one road datagram. Packed holds the whole datagram; the head
// fields are parsed out of it, and the coat and foot are slices of it. A
// Packet owns Packed: Verify briefly writes to it.
type Packet struct {
	Head
	Packed []byte
	// From is where a received packet came from (the reference's sh and
	// sp); the stack sets it.
	From netip.AddrPort
	// later, when set, signs the foot on the first send: a stack packs on
	// its loop and signs beside it.
	later *Footing
}

// Footing is a foot left to sign: the datagram with its signature slot
// zeroed and the key to sign it with. A transaction may queue the same
// packet again before its first send was signed; the once makes every send
// of it wait for the one signature, and nothing writes the buffer after.
type Footing struct {
	once   sync.Once
	buf    []byte
	signer *raet.Signer
}

// Sign signs the datagram, once however often it is called, and returns it:
// the bytes to send. A stack's writers call it beside the loop.
func (f *Footing) Sign() []byte {
	f.once.Do(func() {
		n := len(f.buf) - raet.SignatureSize
		copy(f.buf[n:], f.signer.Sign(f.buf))
	})
	return f.buf
}

// Datagram returns the bytes to send, signing them first if that was left
// for later. Only one goroutine may call it before the first send; after
// that the foot is fixed.
func (p *Packet) Datagram() []byte {
	if p.later != nil {
		return p.later.Sign()
	}
	return p.Packed
}

// Later returns the foot still to sign when the packet was packed to be
// signed on its first send (PackLater), nil otherwise: a writer that signs
// beside the loop takes it instead of the packet.
func (p *Packet) Later() *Footing { return p.later }

// Coat returns the bytes between head and foot: the body, its nacl box, or
// one segment of a segmented message's coat.
func (p *Packet) Coat() []byte { return p.Packed[p.HL : len(p.Packed)-p.FL] }

// Foot returns the signature, or nothing when the packet has no foot.
func (p *Packet) Foot() []byte { return p.Packed[len(p.Packed)-p.FL:] }

// Pack builds one signed datagram from head h and the serialised body plain
// (TxPacket.pack): the body is coated (sealed with box when h.CK is nacl and
// the body is not empty), the head written with its lengths, the foot signed
// with signer when h.FK is nacl. h is updated with the lengths. A packet over
// UDPMaxPacketSize is an error; PackTray segments messages instead.
func Pack(h *Head, plain []byte, box *raet.Box, signer *raet.Signer) (*Packet, error) {
	return pack(h, plain, box, signer, false)
}

// PackLater is Pack with the signature left for the first send (Datagram or
// Later().Sign()): a stack packs on its loop and signs beside it.
func PackLater(h *Head, plain []byte, box *raet.Box, signer *raet.Signer) (*Packet, error) {
	return pack(h, plain, box, signer, true)
}

// pack is Pack, leaving the signature for the first send when later is set.
func pack(h *Head, plain []byte, box *raet.Box, signer *raet.Signer, later bool) (*Packet, error) {
	coatLen, err := coatLength(h.CK, len(plain))
	if err != nil {
		return nil, err
	}
	buf, err := startPacket(h, coatLen, raet.UDPMaxPacketSize)
	if err != nil {
		return nil, err
	}
	if buf, err = appendCoat(buf, h.CK, plain, box); err != nil {
		return nil, err
	}
	return sign(buf, h, signer, later)
}

// PackCoat builds one signed datagram around a coat that is already made: a
// segment of a sealed message, or the coat of a packet being sent again.
func PackCoat(h *Head, coat []byte, signer *raet.Signer) (*Packet, error) {
	return packCoat(h, coat, signer, false)
}

func packCoat(h *Head, coat []byte, signer *raet.Signer, later bool) (*Packet, error) {
	return packCoatMax(h, coat, signer, later, raet.UDPMaxPacketSize)
}

// packCoatMax is packCoat allowing datagrams of up to size bytes.
func packCoatMax(h *Head, coat []byte, signer *raet.Signer, later bool, size int) (*Packet, error) {
	buf, err := startPacket(h, len(coat), size)
	if err != nil {
		return nil, err
	}
	return sign(append(buf, coat...), h, signer, later)
}

// startPacket allocates the datagram once, at its final size, and writes the head.
// A datagram longer than size is refused.
func startPacket(h *Head, coatLen, size int) ([]byte, error) {
	if err := checkFoot(h.FK); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, raet.MaxHeadSize+coatLen+h.FK.FootSize())
	buf, err := appendHead(buf, h, coatLen)
	if err != nil {
		return nil, err
	}
	if h.PL > size {
		return nil, raet.Errorf(raet.CodeOversize, "packet length of %d exceeds max of %d", h.PL, size)
	}
	return buf, nil
}

// Repack writes the packet again after its head changed (a retransmission
// sets af, the last packet of a burst sets wf): the same coat, and with it the
// same nonce, under a new head and a new signature.
func (p *Packet) Repack(signer *raet.Signer) error {
	return p.repack(signer, false)
}

// RepackLater is Repack with the signature left for the first send.
func (p *Packet) RepackLater(signer *raet.Signer) error {
	return p.repack(signer, true)
}

// repack builds a new datagram, so a send of the old one still queued is
// not disturbed.
func (p *Packet) repack(signer *raet.Signer, later bool) error {
	// Only flags change, and the flags byte has a fixed width: a packet
	// packed larger than UDPMaxPacketSize (toward a remote that reads
	// them) keeps its size.
	q, err := packCoatMax(&p.Head, p.Coat(), signer, later, max(len(p.Packed), raet.UDPMaxPacketSize))
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

func coatLength(ck raet.CoatKind, n int) (int, error) {
	switch ck {
	case raet.CoatNada:
		return n, nil
	case raet.CoatNacl:
		if n == 0 {
			return 0, nil // an empty body is never sealed
		}
		return n + raet.CoatOverheadNacl, nil
	}
	return 0, raet.Errorf(raet.CodeKind, "coat kind %s is not implemented", ck)
}

func appendCoat(dst []byte, ck raet.CoatKind, plain []byte, box *raet.Box) ([]byte, error) {
	if ck == raet.CoatNada || len(plain) == 0 {
		return append(dst, plain...), nil
	}
	if box == nil {
		return dst, raet.Errorf(raet.CodeCoat, "a nacl coat needs the session's keys")
	}
	return box.Seal(dst, plain)
}

func checkFoot(fk raet.FootKind) error {
	if fk != raet.FootNada && fk != raet.FootNacl {
		return raet.Errorf(raet.CodeKind, "foot kind %s is not implemented", fk)
	}
	return nil
}

// sign appends the foot to head || coat and signs the whole with the foot
// zeroed, which is what the reference signs; with later, the signing waits
// for the packet's first send.
func sign(buf []byte, h *Head, signer *raet.Signer, later bool) (*Packet, error) {
	if h.FK != raet.FootNacl {
		return &Packet{Head: *h, Packed: buf}, nil
	}
	if signer == nil {
		return nil, raet.Errorf(raet.CodeFoot, "a nacl foot needs a signing key")
	}
	n := len(buf)
	buf = append(buf, zeroFoot[:]...)
	p := &Packet{Head: *h, Packed: buf}
	if later {
		p.later = &Footing{buf: buf, signer: signer}
	} else {
		copy(buf[n:], signer.Sign(buf))
	}
	return p, nil
}

var zeroFoot [raet.SignatureSize]byte

// ParsePacket reads the head of datagram b and locates its coat and foot
// (the checks of RxPacket.parseOuter that need no keys). It verifies and opens
// nothing: which keys to use is known only once the stack has looked up the
// sender by de. The packet keeps b.
func ParsePacket(b []byte) (*Packet, error) {
	h, err := ParseHead(b)
	if err != nil {
		return nil, err
	}
	if h.HL+h.FL > len(b) {
		return nil, raet.Errorf(raet.CodeLength, "packet of %d bytes cannot hold a head of %d and a foot of %d", len(b), h.HL, h.FL)
	}
	return &Packet{Head: h, Packed: b}, nil
}

// checkKinds refuses kinds the reference names but never implemented, and
// feet whose length does not fit their kind.
func checkKinds(h *Head) error {
	if !h.BK.Known() {
		return raet.Errorf(raet.CodeKind, "unrecognizable packet body kind %d", h.BK)
	}
	if h.CK != raet.CoatNada && h.CK != raet.CoatNacl {
		return raet.Errorf(raet.CodeKind, "coat kind %s is not implemented", h.CK)
	}
	switch h.FK {
	case raet.FootNada:
		if h.FL != 0 {
			return raet.Errorf(raet.CodeFoot, "packet without a foot says fl %d", h.FL)
		}
	case raet.FootNacl:
		if h.FL != raet.SignatureSize {
			return raet.Errorf(raet.CodeFoot, "actual foot size %d does not match kind size %d", h.FL, raet.SignatureSize)
		}
	default:
		return raet.Errorf(raet.CodeKind, "foot kind %s is not implemented", h.FK)
	}
	return nil
}

// Signed reports whether the packet has a foot to verify.
func (p *Packet) Signed() bool { return p.FK == raet.FootNacl }

// Verify checks the foot with the sender's long-term verify key. A packet
// without a foot verifies trivially: whether it may lack one is the stack's
// rule (the reference's veritive flag), not the codec's.
func (p *Packet) Verify(v *raet.Verifier) error {
	if p.FK != raet.FootNacl {
		return nil
	}
	if v == nil {
		return raet.Errorf(raet.CodeSignature, "failed verification: no verify key for estate %d", p.DE)
	}
	// The signature covers the packet with its foot zeroed; zero it in place
	// for the check rather than copy the packet.
	foot := p.Foot()
	var sig [raet.SignatureSize]byte
	copy(sig[:], foot)
	copy(foot, zeroFoot[:])
	ok := v.Verify(p.Packed, sig[:])
	copy(foot, sig[:])
	if !ok {
		return raet.Errorf(raet.CodeSignature, "failed verification: key invalid")
	}
	return nil
}

// Plain returns the serialised body of an unsegmented packet, opening a nacl
// coat with box. A segment has no body of its own: join it in an RxTray.
func (p *Packet) Plain(box *raet.Box) ([]byte, error) {
	if p.Count() > 1 {
		return nil, raet.Errorf(raet.CodeSegment, "segment %d of %d has no body of its own", p.SN, p.Count())
	}
	return OpenCoat(p.CK, p.Coat(), box)
}

// OpenCoat returns the serialised body inside a coat of kind ck (RxCoat.parse).
func OpenCoat(ck raet.CoatKind, coat []byte, box *raet.Box) ([]byte, error) {
	switch ck {
	case raet.CoatNada:
		return coat, nil
	case raet.CoatNacl:
		if len(coat) == 0 {
			return coat, nil
		}
		if box == nil {
			return nil, raet.Errorf(raet.CodeCoat, "a nacl coat needs the session's keys")
		}
		return box.Open(nil, coat)
	}
	return nil, raet.Errorf(raet.CodeKind, "coat kind %s is not implemented", ck)
}
