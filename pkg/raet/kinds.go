package raet

import (
	"fmt"
	"strconv"
)

// The numbered kinds of raeting.py. Their values go on the wire as hex head
// fields, so they must not change. Each type's 255 is "unknown", which the
// reference stores when a parse meets a value it does not know.

// HeadKind is the head field hk: how the head of a road packet is written.
type HeadKind uint8

const (
	HeadRaet    HeadKind = 0 // "key value" lines ending in \n\n (the stacks' default)
	HeadJSON    HeadKind = 1 // a compact JSON object ending in \r\n\r\n
	HeadBinary  HeadKind = 2 // named by the reference, never implemented
	HeadUnknown HeadKind = 255
)

// BodyKind is the head field bk: how the body is serialised.
type BodyKind uint8

const (
	BodyNada    BodyKind = 0
	BodyJSON    BodyKind = 1
	BodyRaw     BodyKind = 2
	BodyMsgpack BodyKind = 3
	BodyUnknown BodyKind = 255
)

// CoatKind is the head field ck: how the body is wrapped (encrypted).
type CoatKind uint8

const (
	CoatNada    CoatKind = 0
	CoatNacl    CoatKind = 1 // crypto_box with the 24-byte nonce appended
	CoatCRC16   CoatKind = 2 // named by the reference, never implemented
	CoatCRC64   CoatKind = 3 // named by the reference, never implemented
	CoatUnknown CoatKind = 255
)

// FootKind is the head field fk: how the packet is authenticated.
type FootKind uint8

const (
	FootNada    FootKind = 0
	FootNacl    FootKind = 1 // Ed25519 detached signature
	FootSHA2    FootKind = 2 // named by the reference, never implemented
	FootCRC64   FootKind = 3 // named by the reference, never implemented
	FootUnknown FootKind = 255
)

// TrnsKind is the head field tk: the kind of transaction a packet belongs to.
type TrnsKind uint8

const (
	TrnsMessage TrnsKind = 0
	TrnsJoin    TrnsKind = 1
	TrnsBind    TrnsKind = 2 // named by the reference, never used
	TrnsAllow   TrnsKind = 3
	TrnsAlive   TrnsKind = 4
	TrnsUnknown TrnsKind = 255
)

// PcktKind is the head field pk of a road packet: its role in the transaction.
type PcktKind uint8

const (
	PcktMessage   PcktKind = 0
	PcktAck       PcktKind = 1
	PcktNack      PcktKind = 2
	PcktResend    PcktKind = 3
	PcktRequest   PcktKind = 4
	PcktResponse  PcktKind = 5
	PcktHello     PcktKind = 6
	PcktCookie    PcktKind = 7
	PcktInitiate  PcktKind = 8
	PcktUnjoined  PcktKind = 9
	PcktUnallowed PcktKind = 10
	PcktRenew     PcktKind = 11
	PcktRefuse    PcktKind = 12
	PcktReject    PcktKind = 13
	PcktPend      PcktKind = 14
	PcktDone      PcktKind = 15
	PcktUnknown   PcktKind = 255
)

// Acceptance is what a keep records for a remote role. A role never seen has
// no acceptance at all (null in the role file), which Go callers express with
// a separate "known" flag or a pointer.
type Acceptance uint8

const (
	Pending  Acceptance = 0
	Accepted Acceptance = 1
	Rejected Acceptance = 2
)

// AutoMode is a keep's policy for accepting the keys of roles it has not accepted yet.
type AutoMode uint8

const (
	AutoNever  AutoMode = 0
	AutoOnce   AutoMode = 1
	AutoAlways AutoMode = 2
)

// PackKind is the field pk of a lane page: how its body is serialised.
type PackKind uint8

const (
	PackJSON    PackKind = 0
	PackMsgpack PackKind = 1 // "pack" in the reference
)

// The names the reference gives each value, indexed by value.
var (
	headKindNames   = []string{"raet", "json", "binary"}
	bodyKindNames   = []string{"nada", "json", "raw", "msgpack"}
	coatKindNames   = []string{"nada", "nacl", "crc16", "crc64"}
	footKindNames   = []string{"nada", "nacl", "sha2", "crc64"}
	trnsKindNames   = []string{"message", "join", "bind", "allow", "alive"}
	acceptanceNames = []string{"pending", "accepted", "rejected"}
	autoModeNames   = []string{"never", "once", "always"}
	packKindNames   = []string{"json", "pack"}
	pcktKindNames   = []string{
		"message", "ack", "nack", "resend", "request", "response", "hello", "cookie",
		"initiate", "unjoined", "unallowed", "renew", "refuse", "reject", "pend", "done",
	}
)

func (k HeadKind) String() string   { return kindName(uint8(k), headKindNames, true) }
func (k BodyKind) String() string   { return kindName(uint8(k), bodyKindNames, true) }
func (k CoatKind) String() string   { return kindName(uint8(k), coatKindNames, true) }
func (k FootKind) String() string   { return kindName(uint8(k), footKindNames, true) }
func (k TrnsKind) String() string   { return kindName(uint8(k), trnsKindNames, true) }
func (k PcktKind) String() string   { return kindName(uint8(k), pcktKindNames, true) }
func (a Acceptance) String() string { return kindName(uint8(a), acceptanceNames, false) }
func (a AutoMode) String() string   { return kindName(uint8(a), autoModeNames, false) }
func (k PackKind) String() string   { return kindName(uint8(k), packKindNames, false) }

// Known reports whether the value is one the reference names (other than unknown).
func (k HeadKind) Known() bool { return int(k) < len(headKindNames) }
func (k BodyKind) Known() bool { return int(k) < len(bodyKindNames) }
func (k CoatKind) Known() bool { return int(k) < len(coatKindNames) }
func (k FootKind) Known() bool { return int(k) < len(footKindNames) }
func (k TrnsKind) Known() bool { return int(k) < len(trnsKindNames) }
func (k PcktKind) Known() bool { return int(k) < len(pcktKindNames) }
func (k PackKind) Known() bool { return int(k) < len(packKindNames) }

// FootSize is the length of the foot of kind k (FootSize in raeting.py).
func (k FootKind) FootSize() int {
	switch k {
	case FootNacl:
		return SignatureSize
	case FootSHA2:
		return 256
	case FootCRC64:
		return 8
	}
	return 0
}

// TailSize is what a coat of kind k adds behind the cipher (TailSize in raeting.py).
func (k CoatKind) TailSize() int {
	switch k {
	case CoatNacl:
		return NonceSize
	case CoatCRC16:
		return 2
	case CoatCRC64:
		return 8
	}
	return 0
}

// ParseAutoMode reads an auto mode by name ("never", "once", "always") or number.
func ParseAutoMode(s string) (AutoMode, error) {
	v, err := parseKind(s, autoModeNames, "auto mode")
	return AutoMode(v), err
}

// ParseBodyKind reads a body kind by name ("json", "msgpack", ...) or number.
func ParseBodyKind(s string) (BodyKind, error) {
	v, err := parseKind(s, bodyKindNames, "body kind")
	return BodyKind(v), err
}

// ParseAcceptance reads an acceptance by name or number.
func ParseAcceptance(s string) (Acceptance, error) {
	v, err := parseKind(s, acceptanceNames, "acceptance")
	return Acceptance(v), err
}

func kindName(v uint8, names []string, hasUnknown bool) string {
	if int(v) < len(names) {
		return names[v]
	}
	if hasUnknown && v == 255 {
		return "unknown"
	}
	return "unknown(" + strconv.Itoa(int(v)) + ")"
}

func parseKind(s string, names []string, what string) (uint8, error) {
	for i, n := range names {
		if s == n {
			return uint8(i), nil
		}
	}
	if n, err := strconv.ParseUint(s, 10, 8); err == nil && int(n) < len(names) {
		return uint8(n), nil
	}
	return 0, fmt.Errorf("raet: unknown %s %q (want one of %v)", what, s, names)
}
