package wire

import (
	"math"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Head is the head of one road packet (raet-protocol.md section 3.1). Fields
// carry the two-letter names of the wire so code and spec read side by side.
// The addresses sh/sp/dh/dp of the reference's packet data are not head
// fields: they travel in the UDP header, and the stack keeps them beside the
// packet.
type Head struct {
	HK raet.HeadKind // head kind: how this head is written
	VN uint8         // version, always 0
	PK raet.PcktKind // packet kind
	PL int           // packet length, the whole datagram (set by packing)
	HL int           // head length including its terminator (set by packing)
	SE uint32        // source estate id: the sender's nuid for the receiver
	DE uint32        // destination estate id: the sender's fuid for the receiver
	SI uint32        // session id
	TI uint32        // transaction id
	TK raet.TrnsKind // transaction kind
	DT float64       // datetime stamp, never set by the stacks
	OI uint32        // order index, unused
	SN int           // segment number, from 0
	SC int           // segment count; 0 is read as the default 1
	ML int           // message length: the whole coat of a segmented message
	BK raet.BodyKind // body kind
	CK raet.CoatKind // coat kind
	FK raet.FootKind // foot kind
	FL int           // foot length (set by packing from FK)

	// The flags travel together in the fg byte.
	CF bool // correspondent: sent by the side that did not start the transaction
	BF bool // broadcast
	NF bool // NAT (unused)
	DF bool // dynamic IP (unused)
	VF bool // IPv6 (unused)
	WF bool // wait: the sender waits for an ack after this packet
	SF bool // segment: part of a segmented message
	AF bool // again: a retransmitted segment
}

// Bits of the fg byte, first listed in PACKET_FLAG_FIELDS = bit 7.
const (
	flagVF = 0x80
	flagDF = 0x40
	flagNF = 0x20
	flagAF = 0x10
	flagSF = 0x08
	flagWF = 0x04
	flagBF = 0x02
	flagCF = 0x01
)

// FG returns the flags packed into the fg byte.
func (h *Head) FG() byte {
	var fg byte
	for _, f := range []struct {
		on  bool
		bit byte
	}{{h.VF, flagVF}, {h.DF, flagDF}, {h.NF, flagNF}, {h.AF, flagAF}, {h.SF, flagSF}, {h.WF, flagWF}, {h.BF, flagBF}, {h.CF, flagCF}} {
		if f.on {
			fg |= f.bit
		}
	}
	return fg
}

// SetFG unpacks the fg byte into the flags.
func (h *Head) SetFG(fg byte) {
	h.VF = fg&flagVF != 0
	h.DF = fg&flagDF != 0
	h.NF = fg&flagNF != 0
	h.AF = fg&flagAF != 0
	h.SF = fg&flagSF != 0
	h.WF = fg&flagWF != 0
	h.BF = fg&flagBF != 0
	h.CF = fg&flagCF != 0
}

// Count is the segment count with the default of the reference applied.
func (h *Head) Count() int {
	if h.SC == 0 {
		return 1
	}
	return h.SC
}

// Segmented reports whether the packet is part of a segmented message
// (the reference's Packet.segmentive).
func (h *Head) Segmented() bool { return h.SF || h.Count() > 1 }

// The serialised head fields after ri, pl, hl and fg, in the order of
// PACKET_DEFAULTS. A field is written only when it differs from its default.
// Each entry knows how to read itself from a head and write itself back.
type headField struct {
	key   string
	isInt bool // hex integer; otherwise dt, the only float
	min   uint64
	max   uint64
	get   func(h *Head) uint64
	set   func(h *Head, v uint64)
	def   uint64
}

var headFields = []headField{
	{"vn", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.VN) }, func(h *Head, v uint64) { h.VN = uint8(v) }, 0},
	{"pk", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.PK) }, func(h *Head, v uint64) { h.PK = raet.PcktKind(v) }, 0},
	{"hk", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.HK) }, func(h *Head, v uint64) { h.HK = raet.HeadKind(v) }, 0},
	{"se", true, 0, math.MaxUint32, func(h *Head) uint64 { return uint64(h.SE) }, func(h *Head, v uint64) { h.SE = uint32(v) }, 0},
	{"de", true, 0, math.MaxUint32, func(h *Head) uint64 { return uint64(h.DE) }, func(h *Head, v uint64) { h.DE = uint32(v) }, 0},
	{"si", true, 0, math.MaxUint32, func(h *Head) uint64 { return uint64(h.SI) }, func(h *Head, v uint64) { h.SI = uint32(v) }, 0},
	{"ti", true, 0, math.MaxUint32, func(h *Head) uint64 { return uint64(h.TI) }, func(h *Head, v uint64) { h.TI = uint32(v) }, 0},
	{"tk", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.TK) }, func(h *Head, v uint64) { h.TK = raet.TrnsKind(v) }, 0},
	{"dt", false, 0, 0, nil, nil, 0},
	{"oi", true, 0, math.MaxUint32, func(h *Head) uint64 { return uint64(h.OI) }, func(h *Head, v uint64) { h.OI = uint32(v) }, 0},
	{"sn", true, 0, raet.MaxSegmentCount - 1, func(h *Head) uint64 { return uint64(h.SN) }, func(h *Head, v uint64) { h.SN = int(v) }, 0},
	{"sc", true, 1, raet.MaxSegmentCount, func(h *Head) uint64 { return uint64(h.Count()) }, setSC, 1},
	{"ml", true, 0, raet.MaxMessageSize, func(h *Head) uint64 { return uint64(h.ML) }, func(h *Head, v uint64) { h.ML = int(v) }, 0},
	{"bk", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.BK) }, func(h *Head, v uint64) { h.BK = raet.BodyKind(v) }, 0},
	{"ck", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.CK) }, func(h *Head, v uint64) { h.CK = raet.CoatKind(v) }, 0},
	{"fk", true, 0, math.MaxUint8, func(h *Head) uint64 { return uint64(h.FK) }, func(h *Head, v uint64) { h.FK = raet.FootKind(v) }, 0},
	{"fl", true, 0, math.MaxUint16, func(h *Head) uint64 { return uint64(h.FL) }, func(h *Head, v uint64) { h.FL = int(v) }, 0},
}

// setSC stores a count of 1 as the zero value, the form an unsegmented head
// has when it is built in code, so that heads compare equal however they
// were made.
func setSC(h *Head, v uint64) {
	if v == 1 {
		v = 0
	}
	h.SC = int(v)
}

var headFieldIndex = func() map[string]int {
	m := make(map[string]int, len(headFields))
	for i, f := range headFields {
		m[f.key] = i
	}
	return m
}()

const (
	raetHeadPrefix = "ri RAET\n"
	jsonHeadPrefix = `{"ri":"RAET",`
)

// appendHead appends the head of a packet whose coat has coatLen bytes. It
// sets FL from FK, then HL and PL, and returns the extended buffer. The
// length fields have fixed widths (4 and 2 hex digits in a RAET head, 7 and 2
// in a JSON head) so their values can be filled in after the head is measured,
// as the reference does; a packet longer than the width shows its last digits,
// as in the reference, and is refused by the caller anyway.
func appendHead(dst []byte, h *Head, coatLen int) ([]byte, error) {
	h.FL = h.FK.FootSize()
	if coatLen > raet.MaxMessageSize {
		return dst, raet.Errorf(raet.CodeOversize, "packed message length of %d exceeds max of %d", coatLen, raet.MaxMessageSize)
	}
	start := len(dst)
	var plAt, hlAt int
	switch h.HK {
	case raet.HeadRaet:
		dst = append(dst, "ri RAET\npl "...)
		plAt = len(dst)
		dst = append(dst, "0000\nhl "...)
		hlAt = len(dst)
		dst = append(dst, "00\nfg "...)
		dst = appendHex2(dst, h.FG())
		for i := range headFields {
			f := &headFields[i]
			if f.isInt {
				v := f.get(h)
				if v == f.def {
					continue
				}
				dst = append(dst, '\n')
				dst = append(dst, f.key...)
				dst = append(dst, ' ')
				dst = strconv.AppendUint(dst, v, 16)
			} else if h.DT != 0 {
				dst = append(dst, "\ndt "...)
				dst = strconv.AppendFloat(dst, h.DT, 'f', 6, 64) // Python "{:f}"
			}
		}
		dst = append(dst, raet.HeadEnd...)
	case raet.HeadJSON:
		dst = append(dst, `{"ri":"RAET","pl":"`...)
		plAt = len(dst)
		dst = append(dst, `0000000","hl":"`...)
		hlAt = len(dst)
		dst = append(dst, `00","fg":"`...)
		dst = appendHex2(dst, h.FG())
		dst = append(dst, '"')
		for i := range headFields {
			f := &headFields[i]
			if f.isInt {
				v := f.get(h)
				if v == f.def {
					continue
				}
				dst = append(dst, ",\""...)
				dst = append(dst, f.key...)
				dst = append(dst, "\":"...)
				dst = strconv.AppendUint(dst, v, 10)
			} else if h.DT != 0 {
				dst = append(dst, `,"dt":`...)
				dst, _ = body.AppendJSON(dst, h.DT) // Python's float repr, as json.dumps writes it; a float cannot fail
			}
		}
		dst = append(dst, '}')
		dst = append(dst, raet.JSONEnd...)
	default:
		return dst, raet.Errorf(raet.CodeKind, "head kind %s cannot be packed", h.HK)
	}
	hl := len(dst) - start
	if hl > raet.MaxHeadSize {
		return dst[:start], raet.Errorf(raet.CodeOversize, "head length of %d exceeds max of %d", hl, raet.MaxHeadSize)
	}
	h.HL = hl
	h.PL = hl + coatLen + h.FL
	if h.HK == raet.HeadRaet {
		putHex(dst[plAt:plAt+4], uint64(h.PL))
	} else {
		putHex(dst[plAt:plAt+7], uint64(h.PL))
	}
	putHex(dst[hlAt:hlAt+2], uint64(hl))
	return dst, nil
}

const hexDigits = "0123456789abcdef"

func appendHex2(dst []byte, b byte) []byte {
	return append(dst, hexDigits[b>>4], hexDigits[b&0xf])
}

// putHex writes the last len(dst) hex digits of v, zero padded.
func putHex(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = hexDigits[v&0xf]
		v >>= 4
	}
}

// Fields returns every head field by its two-letter name, defaults filled in,
// in the order of the reference's packet data (PACKET_DEFAULTS without the
// addresses), with fg as its two hex digits: what the reference decodes from
// a packet, for tools and tests to show and compare.
func (h *Head) Fields() body.Map {
	var dt any = int64(0)
	if h.DT != 0 {
		dt = h.DT
	}
	return body.Map{
		{Key: "ri", Value: "RAET"},
		{Key: "vn", Value: int64(h.VN)},
		{Key: "pk", Value: int64(h.PK)},
		{Key: "pl", Value: int64(h.PL)},
		{Key: "hk", Value: int64(h.HK)},
		{Key: "hl", Value: int64(h.HL)},
		{Key: "se", Value: int64(h.SE)},
		{Key: "de", Value: int64(h.DE)},
		{Key: "cf", Value: h.CF},
		{Key: "bf", Value: h.BF},
		{Key: "nf", Value: h.NF},
		{Key: "df", Value: h.DF},
		{Key: "vf", Value: h.VF},
		{Key: "si", Value: int64(h.SI)},
		{Key: "ti", Value: int64(h.TI)},
		{Key: "tk", Value: int64(h.TK)},
		{Key: "dt", Value: dt},
		{Key: "oi", Value: int64(h.OI)},
		{Key: "wf", Value: h.WF},
		{Key: "sn", Value: int64(h.SN)},
		{Key: "sc", Value: int64(h.Count())},
		{Key: "ml", Value: int64(h.ML)},
		{Key: "sf", Value: h.SF},
		{Key: "af", Value: h.AF},
		{Key: "bk", Value: int64(h.BK)},
		{Key: "ck", Value: int64(h.CK)},
		{Key: "fk", Value: int64(h.FK)},
		{Key: "fl", Value: int64(h.FL)},
		{Key: "fg", Value: string(appendHex2(nil, h.FG()))},
	}
}

// Kinds names the numbered kinds of the head, as the reference's enums name them.
func (h *Head) Kinds() body.Map {
	return body.Map{
		{Key: "tk", Value: h.TK.String()},
		{Key: "pk", Value: h.PK.String()},
		{Key: "bk", Value: h.BK.String()},
		{Key: "ck", Value: h.CK.String()},
		{Key: "fk", Value: h.FK.String()},
	}
}
