package raet

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"slices"
	"sync/atomic"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/salsa20/salsa"
)

// The key types carry the names of raet/nacling.py so the two read side by
// side: a Signer and Verifier hold an estate's long-term Ed25519 pair, a
// Privateer and Publican a Curve25519 pair (long-term for the estate,
// short-term for each allowed session), and a Box the shared key of one
// Privateer and one Publican.

// KeyBytes reads 32 bytes of key material given either raw or as 64 hex
// digits, the two forms the reference accepts for sigkey and prikey.
func KeyBytes(b []byte) ([KeySize]byte, error) {
	var k [KeySize]byte
	switch len(b) {
	case KeySize:
		copy(k[:], b)
		return k, nil
	case 2 * KeySize:
		if _, err := hex.Decode(k[:], b); err != nil {
			return k, Errorf(CodeKey, "key is not hex: %v", err)
		}
		return k, nil
	}
	return k, Errorf(CodeKey, "key has %d bytes, want %d raw or %d hex", len(b), KeySize, 2*KeySize)
}

// KeyHex reads a key written as 64 hex digits.
func KeyHex(s string) ([KeySize]byte, error) {
	if len(s) != 2*KeySize {
		var k [KeySize]byte
		return k, Errorf(CodeKey, "key %q has %d hex digits, want %d", shorten(s), len(s), 2*KeySize)
	}
	return KeyBytes([]byte(s))
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// Signer signs with an estate's long-term Ed25519 key. The reference persists
// only the 32-byte seed (sighex); the verify key is derived from it.
type Signer struct {
	priv voi.PrivateKey
	// signed counts the signatures made: what a road packet costs is
	// counted against the crypto it needs (one signature per packet).
	signed atomic.Uint64
}

// NewSigner makes a signer from a 32-byte seed, raw or hex.
func NewSigner(seed []byte) (*Signer, error) {
	k, err := KeyBytes(seed)
	if err != nil {
		return nil, err
	}
	return &Signer{priv: voi.NewKeyFromSeed(k[:])}, nil
}

// GenerateSigner makes a signer from a random seed.
func GenerateSigner() (*Signer, error) {
	var seed [KeySize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, err
	}
	return NewSigner(seed[:])
}

// Seed returns the 32-byte seed (what the reference calls the signing key).
func (s *Signer) Seed() []byte { return s.priv.Seed() }

// SeedHex returns the seed as 64 lowercase hex digits (sighex).
func (s *Signer) SeedHex() string { return hex.EncodeToString(s.priv.Seed()) }

// VerKey returns the 32-byte Ed25519 public key.
func (s *Signer) VerKey() []byte { return []byte(s.priv.Public().(voi.PublicKey)) }

// VerHex returns the verify key as 64 lowercase hex digits (verhex).
func (s *Signer) VerHex() string { return hex.EncodeToString(s.VerKey()) }

// Sign returns the 64-byte detached signature of msg, the same bytes as
// libsodium's crypto_sign_detached.
func (s *Signer) Sign(msg []byte) []byte {
	s.signed.Add(1)
	return voi.Sign(s.priv, msg)
}

// Signatures is how many signatures s has made.
func (s *Signer) Signatures() uint64 { return s.signed.Load() }

// verifyOptions accept what libsodium's crypto_sign_verify_detached accepts
// (canonical S, R and A, no small-order A, the cofactorless equation) with one
// exception that buys 10% of the verification cost: R is not decompressed to
// refuse a small-order R. Only the holder of the signing key can make such a
// signature verify, so it authenticates the same estate.
var verifyOptions = &voi.Options{Verify: &voi.VerifyOptions{
	CofactorlessVerify: true,
	AllowSmallOrderR:   true,
}}

// Verifier checks signatures made by one remote estate's long-term key. It
// keeps the key expanded, which makes every verification after the first
// cheaper; make one per remote and keep it.
type Verifier struct {
	key      [KeySize]byte
	expanded *voi.ExpandedPublicKey
	verified atomic.Uint64 // verifications made, good or bad
}

// NewVerifier makes a verifier from a 32-byte verify key, raw or hex. A key
// that is not a usable Ed25519 point is refused here rather than failing
// every packet later.
func NewVerifier(key []byte) (*Verifier, error) {
	k, err := KeyBytes(key)
	if err != nil {
		return nil, err
	}
	x, err := voi.NewExpandedPublicKey(k[:])
	if err != nil {
		return nil, Errorf(CodeKey, "verify key %x is not an Ed25519 point", k)
	}
	return &Verifier{key: k, expanded: x}, nil
}

// Verifications is how many signatures v has checked.
func (v *Verifier) Verifications() uint64 { return v.verified.Load() }

// Key returns the 32-byte verify key.
func (v *Verifier) Key() []byte { return v.key[:] }

// Hex returns the verify key as 64 lowercase hex digits (verhex).
func (v *Verifier) Hex() string { return hex.EncodeToString(v.key[:]) }

// Verify reports whether sig is a valid signature of msg by this key.
func (v *Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	v.verified.Add(1)
	return voi.VerifyExpandedWithOptions(v.expanded, msg, sig, verifyOptions)
}

// Privateer holds a Curve25519 private key and its public key.
type Privateer struct {
	key [KeySize]byte
	pub [KeySize]byte
}

// NewPrivateer makes a privateer from a 32-byte private key, raw or hex.
func NewPrivateer(key []byte) (*Privateer, error) {
	k, err := KeyBytes(key)
	if err != nil {
		return nil, err
	}
	p := &Privateer{key: k}
	pub, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		return nil, Errorf(CodeKey, "private key gives no public key: %v", err)
	}
	copy(p.pub[:], pub)
	return p, nil
}

// GeneratePrivateer makes a privateer from a random key, as the reference
// does for every session's short-term key.
func GeneratePrivateer() (*Privateer, error) {
	var k [KeySize]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, err
	}
	return NewPrivateer(k[:])
}

// Key returns the 32-byte private key.
func (p *Privateer) Key() []byte { return p.key[:] }

// Hex returns the private key as 64 lowercase hex digits (prihex).
func (p *Privateer) Hex() string { return hex.EncodeToString(p.key[:]) }

// PubKey returns the 32-byte public key.
func (p *Privateer) PubKey() []byte { return p.pub[:] }

// PubHex returns the public key as 64 lowercase hex digits (pubhex).
func (p *Privateer) PubHex() string { return hex.EncodeToString(p.pub[:]) }

// Publican returns the public half.
func (p *Privateer) Publican() *Publican { return &Publican{key: p.pub} }

// Publican holds a Curve25519 public key.
type Publican struct {
	key [KeySize]byte
}

// NewPublican makes a publican from a 32-byte public key, raw or hex.
func NewPublican(key []byte) (*Publican, error) {
	k, err := KeyBytes(key)
	if err != nil {
		return nil, err
	}
	return &Publican{key: k}, nil
}

// Key returns the 32-byte public key.
func (p *Publican) Key() []byte { return p.key[:] }

// Hex returns the public key as 64 lowercase hex digits (pubhex).
func (p *Publican) Hex() string { return hex.EncodeToString(p.key[:]) }

// Equal reports whether two publicans hold the same key.
func (p *Publican) Equal(q *Publican) bool {
	return subtle.ConstantTimeCompare(p.key[:], q.key[:]) == 1
}

var boxPrecomputations atomic.Uint64

// BoxPrecomputations counts the X25519 computations done by NewBox since the
// program started. It is there to show, in tests and benchmarks, that sealing
// and opening packets computes none.
func BoxPrecomputations() uint64 { return boxPrecomputations.Load() }

// Box seals and opens NaCl crypto_box messages between one private and one
// public key. The X25519 shared key is computed once, when the box is made,
// where the reference computes it for every packet; the bytes on the wire are
// the same.
type Box struct {
	shared [KeySize]byte
	nonces io.Reader // where Seal takes nonces; crypto/rand when nil
}

// NewBox computes the shared key of a private key and a peer's public key.
// A public key of small order, which would make the shared key all zeros, is
// refused, as libsodium's crypto_box_beforenm refuses it.
func NewBox(priv *Privateer, pub *Publican) (*Box, error) {
	boxPrecomputations.Add(1)
	s, err := curve25519.X25519(priv.key[:], pub.key[:])
	if err != nil {
		return nil, Errorf(CodeKey, "public key %x gives no shared key: %v", pub.key, err)
	}
	var k [KeySize]byte
	copy(k[:], s)
	b := &Box{}
	var zeros [16]byte
	salsa.HSalsa20(&b.shared, &zeros, &k, &salsa.Sigma)
	return b, nil
}

// Seal appends to dst the coat of msg: crypto_box(msg) followed by the
// 24-byte nonce, which is random.
func (b *Box) Seal(dst, msg []byte) ([]byte, error) {
	var nonce [NonceSize]byte
	src := b.nonces
	if src == nil {
		src = rand.Reader
	}
	if _, err := io.ReadFull(src, nonce[:]); err != nil {
		return nil, err
	}
	return b.SealNonce(dst, msg, &nonce), nil
}

// WithNonces returns a box with the same keys that takes its nonces from r,
// so that tests can reproduce captured packets byte for byte. A nonce must
// never be used twice with the same keys: never use this in production.
func (b *Box) WithNonces(r io.Reader) *Box {
	return &Box{shared: b.shared, nonces: r}
}

// SealNonce is Seal with a given nonce, for test vectors. A nonce must never
// be used twice with the same box.
func (b *Box) SealNonce(dst, msg []byte, nonce *[NonceSize]byte) []byte {
	// Room for the nonce too: appended to a box sized for the box alone,
	// it would copy a megabyte message once more.
	dst = slices.Grow(dst, len(msg)+BoxOverhead+NonceSize)
	dst = secretbox.Seal(dst, msg, nonce, &b.shared)
	return append(dst, nonce[:]...)
}

// Open appends to dst the message inside a coat made by Seal.
func (b *Box) Open(dst, coat []byte) ([]byte, error) {
	if len(coat) < NonceSize+BoxOverhead {
		return nil, Errorf(CodeCoat, "coat of %d bytes is shorter than a box and its nonce (%d)", len(coat), NonceSize+BoxOverhead)
	}
	var nonce [NonceSize]byte
	cut := len(coat) - NonceSize
	copy(nonce[:], coat[cut:])
	out, ok := secretbox.Open(dst, coat[:cut], &nonce, &b.shared)
	if !ok {
		return nil, Errorf(CodeCoat, "coat does not open with these keys")
	}
	return out, nil
}
