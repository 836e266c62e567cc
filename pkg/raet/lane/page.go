// Package lane is the Unix-datagram half of RAET: the page codec and the
// books that carry bodies larger than one page (raet-protocol.md section 6).
//
// A page is a text head, every field always written in a fixed order and
// ended by "\n\n", followed by the serialised body. Lanes are neither signed
// nor encrypted: the operating system delivers datagrams between processes of
// one host, and socket permissions decide who may write to a yard.
package lane

import (
	"bytes"
	"math"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/internal/parts"
)

// PageHead is the head of one lane page, fields named as on the wire.
type PageHead struct {
	VN uint8         // version, always 0
	PK raet.PackKind // how the body is serialised
	SN string        // source yard name
	DN string        // destination yard name
	SI string        // session id: the sender's id for this destination, 18 characters
	BI uint32        // book id, counted per destination by the sender
	PN int           // page number, from 0
	PC int           // page count; 0 is read as the default 1
}

// SessionIDSize is the length of a lane session id (format ".18s").
const SessionIDSize = 18

// DefaultSessionID is the si of the reference's page defaults.
const DefaultSessionID = "000000000000000000"

// Count is the page count with the default applied.
func (h *PageHead) Count() int {
	if h.PC == 0 {
		return 1
	}
	return h.PC
}

// BodyKind maps the page's pack kind to the body kind that serialises it.
func (h *PageHead) BodyKind() raet.BodyKind {
	if h.PK == raet.PackMsgpack {
		return raet.BodyMsgpack
	}
	return raet.BodyJSON
}

// appendPageHead writes the head (TxHead.pack). Names may hold no space or
// newline, or the page could not be read back; si is cut to 18 characters as
// the reference's ".18s" format cuts it.
func appendPageHead(dst []byte, h *PageHead) ([]byte, error) {
	for _, name := range []string{h.SN, h.DN, h.SI} {
		if name == "" || bytes.ContainsAny([]byte(name), " \n") {
			return dst, raet.Errorf(raet.CodePage, "page head value %q is empty or holds a space or newline", name)
		}
	}
	si := h.SI
	if len(si) > SessionIDSize {
		si = si[:SessionIDSize]
	}
	dst = append(dst, "ri RAET\nvn "...)
	dst = strconv.AppendUint(dst, uint64(h.VN), 16)
	dst = append(dst, "\npk "...)
	dst = strconv.AppendUint(dst, uint64(h.PK), 16)
	dst = append(dst, "\nsn "...)
	dst = append(dst, h.SN...)
	dst = append(dst, "\ndn "...)
	dst = append(dst, h.DN...)
	dst = append(dst, "\nsi "...)
	dst = append(dst, si...)
	dst = append(dst, "\nbi "...)
	dst = strconv.AppendUint(dst, uint64(h.BI), 16)
	dst = append(dst, "\npn "...)
	dst = appendHex4(dst, h.PN)
	dst = append(dst, "\npc "...)
	dst = appendHex4(dst, h.Count())
	return append(dst, raet.HeadEnd...), nil
}

// appendHex4 writes "%04x": at least four digits.
func appendHex4(dst []byte, v int) []byte {
	s := strconv.FormatUint(uint64(v), 16)
	for i := len(s); i < 4; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// PackPage writes one page holding the whole serialised body (TxPage.pack).
// A page over UXDMaxPacketSize is an error; PackBook splits bodies instead.
func PackPage(h PageHead, plain []byte) ([]byte, error) {
	buf, err := appendPageHead(make([]byte, 0, 128+len(plain)), &h)
	if err != nil {
		return nil, err
	}
	buf = append(buf, plain...)
	if len(buf) > raet.UXDMaxPacketSize {
		return nil, raet.Errorf(raet.CodeOversize, "page length of %d exceeds max of %d", len(buf), raet.UXDMaxPacketSize)
	}
	return buf, nil
}

// PackBook writes a serialised body as one page, or, when head and body
// exceed UXDMaxPacketSize, as a book of pages (TxBook.pack and paginate): the
// body bytes are cut into sections of UXDMaxPacketSize - (head size + 2),
// the head being that of the unsplit page, and each page carries pn and pc.
// A section may end inside a character or a msgpack value; only the whole
// book is ever parsed.
func PackBook(h PageHead, plain []byte) ([][]byte, error) {
	if len(plain) > raet.MaxMessageSize {
		return nil, raet.Errorf(raet.CodeOversize, "packed message length of %d exceeds max of %d", len(plain), raet.MaxMessageSize)
	}
	h.PN, h.PC = 0, 1
	head, err := appendPageHead(nil, &h)
	if err != nil {
		return nil, err
	}
	if len(head)+len(plain) <= raet.UXDMaxPacketSize {
		return [][]byte{append(head, plain...)}, nil
	}
	secsize := raet.UXDMaxPacketSize - (len(head) + 2)
	count := (len(plain) + secsize - 1) / secsize
	pages := make([][]byte, 0, count)
	for i := 0; i < count; i++ {
		h.PN, h.PC = i, count
		section := plain[i*secsize : min((i+1)*secsize, len(plain))]
		page, err := appendPageHead(make([]byte, 0, len(head)+4+len(section)), &h)
		if err != nil {
			return nil, err
		}
		pages = append(pages, append(page, section...))
	}
	return pages, nil
}

// ParsePage reads a page (RxHead.parse) and returns its head and its body
// bytes, a slice of b. Every field is optional and takes the reference's
// default when absent; an unknown or repeated field, a line that is not one
// key and one value, or a version other than 0 is an error.
func ParsePage(b []byte) (PageHead, []byte, error) {
	h := PageHead{SI: DefaultSessionID, PC: 1}
	if !bytes.HasPrefix(b, []byte("ri RAET\n")) {
		return h, nil, raet.Errorf(raet.CodePage, "unrecognized page head")
	}
	end := bytes.Index(b, []byte(raet.HeadEnd))
	if end < 0 {
		return h, nil, raet.Errorf(raet.CodePage, "unrecognized page head: no end")
	}
	text, plain := b[:end], b[end+len(raet.HeadEnd):]
	var seen uint16 // bits of pageFields: a map here was an allocation per page
	for _, line := range bytes.Split(text, []byte{'\n'}) {
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || bytes.IndexByte(line[sp+1:], ' ') >= 0 {
			return h, nil, raet.Errorf(raet.CodePage, "page head line %q is not one key and one value", clip(line))
		}
		key, val := string(line[:sp]), line[sp+1:]
		if bit := pageFieldBit(key); bit != 0 {
			if seen&bit != 0 {
				return h, nil, raet.Errorf(raet.CodePage, "page head field %s appears twice", clip([]byte(key)))
			}
			seen |= bit
		}
		var err error
		switch key {
		case "ri":
			if string(val) != "RAET" {
				err = raet.Errorf(raet.CodePage, "page head field ri is %q, not RAET", clip(val))
			}
		case "vn":
			var v uint64
			v, err = pageHex(key, val, math.MaxUint8)
			h.VN = uint8(v)
		case "pk":
			var v uint64
			v, err = pageHex(key, val, math.MaxUint8)
			h.PK = raet.PackKind(v)
		case "sn":
			h.SN = string(val)
		case "dn":
			h.DN = string(val)
		case "si":
			h.SI = string(val)
		case "bi":
			var v uint64
			v, err = pageHex(key, val, math.MaxUint32)
			h.BI = uint32(v)
		case "pn", "pc":
			// A book of MaxMessageSize bytes has about a thousand pages; a
			// larger count is hostile and would size the receiver's book.
			var v uint64
			v, err = pageHex(key, val, math.MaxUint16)
			if key == "pn" {
				h.PN = int(v)
			} else {
				h.PC = int(v)
			}
		default:
			err = raet.Errorf(raet.CodePage, "unknown page head field %q", clip([]byte(key)))
		}
		if err != nil {
			return h, nil, err
		}
	}
	if h.VN != raet.Version {
		return h, nil, raet.Errorf(raet.CodeVersion, "received incompatible page version %d", h.VN)
	}
	if !h.PK.Known() {
		return h, nil, raet.Errorf(raet.CodeKind, "unrecognizable page pack kind %d", h.PK)
	}
	if h.PC == 0 || h.PN >= h.PC {
		return h, nil, raet.Errorf(raet.CodePage, "page number %d is not below the page count %d", h.PN, h.PC)
	}
	return h, plain, nil
}

// pageFields are the fields of a page head; any other is refused.
var pageFields = [...]string{"ri", "vn", "pk", "sn", "dn", "si", "bi", "pn", "pc"}

// pageFieldBit is key's bit in ParsePage's record of the fields seen, 0
// for a field that is not a page head's (refused as unknown).
func pageFieldBit(key string) uint16 {
	for i, f := range pageFields {
		if f == key {
			return 1 << i
		}
	}
	return 0
}

func pageHex(key string, val []byte, max uint64) (uint64, error) {
	v, err := strconv.ParseUint(string(val), 16, 64)
	if err != nil || v > max || len(val) == 0 || val[0] == '+' {
		return 0, raet.Errorf(raet.CodePage, "page head field %s %q is not hex up to %#x", key, clip(val), max)
	}
	return v, nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// RxBook gathers the pages of one received book (RxBook in the reference).
// Books are told apart by (dn, sn, si, bi); the receiving stack keeps one
// RxBook for each. A book must begin with page 0: a stack that sees a later
// page of a book it has not begun has missed its start and drops it.
type RxBook struct {
	head  PageHead
	pages parts.Parts
	plain []byte
}

// Add takes one page of the book, with its body bytes. It returns the whole
// serialised body once every page has arrived, nil before. A page whose count
// disagrees with the first page's is an error; a repeated page is ignored.
func (b *RxBook) Add(h PageHead, section []byte) ([]byte, error) {
	if b.plain != nil {
		return b.plain, nil
	}
	if b.pages.Count() == 0 {
		b.head = h
		if h.Count() == 1 {
			b.plain = section
			return b.plain, nil
		}
		b.pages.Init(h.Count())
	}
	if h.Count() != b.pages.Count() || h.PN >= b.pages.Count() {
		return nil, raet.Errorf(raet.CodePage, "page %d of %d does not belong to a book of %d pages", h.PN, h.Count(), b.pages.Count())
	}
	if b.pages.Has(h.PN) {
		return nil, nil
	}
	if b.pages.Size()+len(section) > raet.MaxMessageSize {
		return nil, raet.Errorf(raet.CodeOversize, "book exceeds max message length %d", raet.MaxMessageSize)
	}
	b.pages.Put(h.PN, section)
	if !b.pages.Complete() {
		return nil, nil
	}
	b.plain = b.pages.Join()
	return b.plain, nil
}

// Head returns the head of the book's first page.
func (b *RxBook) Head() PageHead { return b.head }

// Complete reports whether every page has arrived.
func (b *RxBook) Complete() bool { return b.plain != nil }
