package wire

import (
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/internal/parts"
)

// segmentHeadExtra is the room the reference leaves in a segment's head for
// the sn, sc and ml fields an unsegmented head lacks (TxTray.packetize). It is
// a fixed guess, not a measurement, and the segment sizes on the wire follow
// from it, so it is kept as it is.
func segmentHeadExtra(hk raet.HeadKind) int {
	if hk == raet.HeadJSON {
		return 36
	}
	return 27
}

// PackTray packs a message (TxTray.pack): the body is coated once, with one
// nonce for the whole message, and sent as one packet when that fits in
// UDPMaxPacketSize, else cut into segments (see PackTrayCoat).
func PackTray(h Head, plain []byte, box *raet.Box, signer *raet.Signer) ([]*Packet, error) {
	return packTray(h, plain, box, signer, false, raet.UDPMaxPacketSize)
}

// PackTrayLater is PackTray with each packet's signature left for its first
// send.
func PackTrayLater(h Head, plain []byte, box *raet.Box, signer *raet.Signer) ([]*Packet, error) {
	return packTray(h, plain, box, signer, true, raet.UDPMaxPacketSize)
}

// PackTrayLaterSize is PackTrayLater with packets of up to size bytes
// instead of UDPMaxPacketSize: toward a remote that announced it reads
// larger datagrams, on a path that carries them whole. A size at or below
// UDPMaxPacketSize packs exactly as PackTrayLater.
func PackTrayLaterSize(h Head, plain []byte, box *raet.Box, signer *raet.Signer, size int) ([]*Packet, error) {
	return packTray(h, plain, box, signer, true, max(size, raet.UDPMaxPacketSize))
}

func packTray(h Head, plain []byte, box *raet.Box, signer *raet.Signer, later bool, size int) ([]*Packet, error) {
	if _, err := coatLength(h.CK, len(plain)); err != nil {
		return nil, err
	}
	coat, err := appendCoat(nil, h.CK, plain, box)
	if err != nil {
		return nil, err
	}
	return packTrayCoat(h, coat, signer, later, size)
}

// PackTrayCoat packs a message whose coat is already made. A coat too large
// for one packet is cut into segments of
//
//	segsize = UDPMaxPacketSize - (unsegmented head size + extra + foot size)
//
// each signed on its own and carrying sn, sc, ml and the sf flag, exactly as
// TxTray.packetize cuts it. The packet kind is the caller's: the reference
// means to make it message but never does (its kind 0 reads as "no kind").
func PackTrayCoat(h Head, coat []byte, signer *raet.Signer) ([]*Packet, error) {
	return packTrayCoat(h, coat, signer, false, raet.UDPMaxPacketSize)
}

// packTrayCoat cuts with packets of up to size bytes, the reference's
// formula with size in place of UDPMaxPacketSize.
func packTrayCoat(h Head, coat []byte, signer *raet.Signer, later bool, size int) ([]*Packet, error) {
	whole := h
	var scratch [raet.MaxHeadSize + 64]byte
	if _, err := appendHead(scratch[:0], &whole, len(coat)); err != nil {
		return nil, err
	}
	if whole.PL <= size {
		p, err := packCoatMax(&h, coat, signer, later, size)
		if err != nil {
			return nil, err
		}
		return []*Packet{p}, nil
	}
	segsize := size - (whole.HL + segmentHeadExtra(h.HK) + whole.FL)
	count := (len(coat) + segsize - 1) / segsize
	if count > raet.MaxSegmentCount {
		return nil, raet.Errorf(raet.CodeOversize, "message of %d bytes needs %d segments, more than %d", len(coat), count, raet.MaxSegmentCount)
	}
	packets := make([]*Packet, 0, count)
	for i := 0; i < count; i++ {
		seg := h
		seg.SN, seg.SC, seg.ML, seg.SF = i, count, len(coat), true
		end := min((i+1)*segsize, len(coat))
		p, err := packCoatMax(&seg, coat[i*segsize:end], signer, later, size)
		if err != nil {
			return nil, err
		}
		packets = append(packets, p)
	}
	return packets, nil
}

// RxTray gathers the segments of one received message (RxTray in the
// reference). The first segment to arrive fixes the segment count and the
// message length; a later segment that disagrees is refused, where the
// reference would crash or join a wrong message.
type RxTray struct {
	head     Head        // of the first segment received
	segments parts.Parts // coat slices by segment number
	highest  int         // highest segment number seen
	coat     []byte      // the whole coat, once complete
}

// Add takes one parsed and verified packet of the message. It returns the
// whole coat when the message is complete, nil before. A repeated segment is
// ignored.
func (t *RxTray) Add(p *Packet) ([]byte, error) {
	if t.coat != nil {
		return t.coat, nil
	}
	sc := p.Count()
	if p.SN > t.highest {
		t.highest = p.SN
	}
	if t.segments.Count() == 0 {
		t.head = p.Head
		if sc == 1 { // the only segment: the message is whole now
			t.coat = p.Coat()
			return t.coat, nil
		}
		if p.ML > raet.MaxMessageSize {
			return nil, raet.Errorf(raet.CodeOversize, "message length %d exceeds max of %d", p.ML, raet.MaxMessageSize)
		}
		t.segments.Init(sc)
	}
	// sn is checked here, not when parsing: an ack's sn is the highest
	// segment its sender has, with no sc beside it.
	if p.SN >= sc {
		return nil, raet.Errorf(raet.CodeSegment, "segment number %d is not below the segment count %d", p.SN, sc)
	}
	if sc != t.head.Count() || p.ML != t.head.ML {
		return nil, raet.Errorf(raet.CodeSegment, "segment %d says %d segments of %d bytes, the tray has %d of %d",
			p.SN, sc, p.ML, t.head.Count(), t.head.ML)
	}
	if t.segments.Has(p.SN) {
		return nil, nil
	}
	seg := p.Coat()
	if t.segments.Size()+len(seg) > t.head.ML {
		return nil, raet.Errorf(raet.CodeSegment, "segments add up to more than the message length %d", t.head.ML)
	}
	t.segments.Put(p.SN, seg)
	if !t.segments.Complete() {
		return nil, nil
	}
	if t.segments.Size() != t.head.ML {
		return nil, raet.Errorf(raet.CodeSegment, "full message payload length %d does not equal head field ml %d", t.segments.Size(), t.head.ML)
	}
	t.coat = t.segments.Join()
	return t.coat, nil
}

// Head returns the head of the first segment received, which carries the
// message's kinds and transaction.
func (t *RxTray) Head() Head { return t.head }

// Complete reports whether every segment has arrived.
func (t *RxTray) Complete() bool { return t.coat != nil }

// Have is the number of segments held of a message not yet complete.
func (t *RxTray) Have() int { return t.segments.Have() }

// Highest is the highest segment number seen.
func (t *RxTray) Highest() int { return t.highest }

// Missing lists the segment numbers in [begin, end) that have not arrived.
// With end < 0 it stops before the highest segment seen, so trailing segments
// that may still be on their way are not reported (RxTray.missing).
func (t *RxTray) Missing(begin, end int) []int {
	if end < 0 {
		end = t.highest
	}
	return t.segments.Missing(begin, end, 0)
}

// MissingFirst lists at most limit segment numbers from begin that have not
// arrived, below the highest seen: what one resend packet can ask for.
func (t *RxTray) MissingFirst(begin, limit int) []int {
	return t.segments.Missing(begin, t.highest, limit)
}

// Size is the number of coat bytes held: the segments received of a
// message not yet complete.
func (t *RxTray) Size() int { return t.segments.Size() }
