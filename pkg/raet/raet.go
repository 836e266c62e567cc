// Package raet holds the vocabulary shared by RAET road (UDP) and lane (Unix
// datagram) stacks: the protocol constants, the numbered kinds that travel in
// packet heads, the errors the codecs return, and the long- and short-term
// NaCl keys.
//
// It follows raet 0.6.9 (raet/raeting.py and raet/nacling.py) value for value;
// ../shared/spec/raet-protocol.md sections 1 and 2 list them. Everything here
// is free of Salt: other programs can use RAET alone.
package raet

// Ports and hosts of raeting.py.
const (
	// Port is RAET_PORT, where a road stack listens by default.
	Port = 7530
	// TestPort is RAET_TEST_PORT, given to a remote estate created without an address.
	TestPort = 7531
	// DefaultSrcHost is the empty host a stack binds to: every interface.
	DefaultSrcHost = ""
	// DefaultDstHost is where a remote is sought when no host is given.
	DefaultDstHost = "127.0.0.1"
)

// Sizes and limits of raeting.py.
const (
	UDPMaxDatagramSize = 65535
	UDPMaxSafePayload  = 548 // informational in the reference, unused
	// UDPMaxPacketSize bounds every road datagram; larger messages are segmented.
	UDPMaxPacketSize = 1024
	// UXDMaxPacketSize bounds every lane page; larger bodies are split into books.
	UXDMaxPacketSize = 65535
	MaxSegmentCount  = 65535
	// MaxMessageSize bounds the coat of one road message and the body of one lane message.
	MaxMessageSize = 67107840 // min(67107840, UDPMaxPacketSize*MaxSegmentCount)
	// MaxHeadSize bounds a packed head; a longer one cannot be packed.
	MaxHeadSize = 255
	// MaxMissedsResend bounds the segment numbers carried by one resend packet.
	MaxMissedsResend = 64 // min((1024-255-110)//6, 64)
)

// Head terminators.
const (
	// HeadEnd ends a RAET-kind road head and every lane page head.
	HeadEnd = "\n\n"
	// JSONEnd ends a JSON-kind road head.
	JSONEnd = "\r\n\r\n"
)

// Version is the only version number (vn) the reference accepts: VERSIONS = {'0.1': 0}.
const Version = 0

// Session id arithmetic: sids are compared modulo 2^32 within half the range,
// and roll over from 0xffffffff to 1 because 0 means "no session".
const (
	SIDWrapModulo = 0x100000000
	SIDWrapDelta  = 0x80000000
	SIDRollover   = 0xffffffff
)

// Sizes of the allow (CurveCP-style) bodies, from the struct packers of raeting.py.
const (
	HelloSize         = 64 + 32 + 80 + 24       // !64s32s80s24s: plain, short pub, cipher, nonce
	CookieStuffSize   = 32 + 4 + 4 + 24         // !32sLL24s: short pub, nuid, fuid, nonce
	CookieSize        = 80 + 24                 // !80s24s: cipher, nonce
	InitiateStuffSize = 32 + 48 + 24 + 128      // !32s48s24s128s: long pub, vcipher, vnonce, fqdn
	InitiateSize      = 32 + 24 + 248 + 24      // !32s24s248s24s: short pub, cookie, cipher, nonce
	NonceSize         = 24                      // crypto_box nonce, appended to every coat
	BoxOverhead       = 16                      // Poly1305 tag in front of every box
	SignatureSize     = 64                      // Ed25519 detached signature
	KeySize           = 32                      // every long- and short-term key
	FootSizeNacl      = SignatureSize           // fl of a signed packet
	TailSizeNacl      = NonceSize               // what a nacl coat adds behind the cipher
	CoatOverheadNacl  = BoxOverhead + NonceSize // len(coat) - len(body) for a nacl coat
)
