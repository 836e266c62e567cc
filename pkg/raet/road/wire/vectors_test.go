package wire_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/internal/testvectors/jsonview"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// exchange bundles a captured road exchange with the keys that made it.
type exchange struct {
	name      string
	datagrams []testvectors.Datagram
	meta      testvectors.Meta
}

func exchanges(t *testing.T) []exchange {
	var out []exchange
	for _, suffix := range []string{"", "-json"} {
		d, m := testvectors.RoadExchange(t, suffix)
		out = append(out, exchange{"road-exchange" + suffix, d, m})
	}
	return out
}

func (x exchange) signer(t *testing.T, role string) *raet.Signer {
	t.Helper()
	s, err := raet.NewSigner([]byte(x.meta.KeysOf(t, role).SigkeySeedHex))
	if err != nil {
		t.Fatal(err)
	}
	if s.VerHex() != x.meta.KeysOf(t, role).VerkeyHex {
		t.Fatalf("%s: seed of %s gives verify key %s, meta says %s", x.name, role, s.VerHex(), x.meta.KeysOf(t, role).VerkeyHex)
	}
	return s
}

func (x exchange) verifier(t *testing.T, role string) *raet.Verifier {
	t.Helper()
	v, err := raet.NewVerifier([]byte(x.meta.KeysOf(t, role).VerkeyHex))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// box is the session box of the receiving side: its short-term private key
// and the sender's short-term public key.
func (x exchange) box(t *testing.T, receiver string) *raet.Box {
	t.Helper()
	sk := x.meta.SessionKeysOf(t, receiver)
	pri, err := raet.NewPrivateer([]byte(sk.ShortPrihex))
	if err != nil {
		t.Fatal(err)
	}
	if pri.PubHex() != sk.ShortPubhex {
		t.Fatalf("short private key of %s gives %s, meta says %s", receiver, pri.PubHex(), sk.ShortPubhex)
	}
	pub, err := raet.NewPublican([]byte(sk.RemoteShortPubhex))
	if err != nil {
		t.Fatal(err)
	}
	b, err := raet.NewBox(pri, pub)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExchangeHeadsMatchReference(t *testing.T) {
	for _, x := range exchanges(t) {
		for _, d := range x.datagrams {
			p, err := wire.ParsePacket(d.Bytes(t))
			if err != nil {
				t.Fatalf("%s #%d: %v", x.name, d.I, err)
			}
			got := jsonview.Of(p.Fields())
			want := any(d.Raet.Data)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s #%d head:\n got %v\nwant %v", x.name, d.I, got, want)
			}
			kinds := map[string]string{}
			for _, it := range p.Kinds() {
				kinds[it.Key] = it.Value.(string)
			}
			if !reflect.DeepEqual(kinds, d.Raet.Kinds) {
				t.Errorf("%s #%d kinds: got %v want %v", x.name, d.I, kinds, d.Raet.Kinds)
			}
			parts := d.Raet.Parts
			if p.HL != parts.HeadLen || len(p.Coat()) != parts.CoatLen || len(p.Foot()) != parts.FootLen {
				t.Errorf("%s #%d parts: head %d coat %d foot %d, want %d %d %d", x.name, d.I,
					p.HL, len(p.Coat()), len(p.Foot()), parts.HeadLen, parts.CoatLen, parts.FootLen)
			}
			if parts.Signature != "" && hex.EncodeToString(p.Foot()) != parts.Signature {
				t.Errorf("%s #%d: foot differs from the reference's signature", x.name, d.I)
			}
		}
	}
}

func TestExchangeSignaturesVerify(t *testing.T) {
	for _, x := range exchanges(t) {
		for _, d := range x.datagrams {
			p, err := wire.ParsePacket(d.Bytes(t))
			if err != nil {
				t.Fatal(err)
			}
			switch d.Raet.Signature {
			case "none":
				if p.Signed() {
					t.Errorf("%s #%d: reference saw no signature, Go sees fk %d", x.name, d.I, p.FK)
				}
				continue
			case "verified":
			default:
				t.Fatalf("%s #%d: unexpected reference signature state %q", x.name, d.I, d.Raet.Signature)
			}
			if err := p.Verify(x.verifier(t, d.FromRole)); err != nil {
				t.Errorf("%s #%d: %v", x.name, d.I, err)
			}
			// The receiver's key is not the sender's: that must fail.
			if err := p.Verify(x.verifier(t, d.ToRole)); !errors.Is(err, raet.ErrSignature) {
				t.Errorf("%s #%d: verified with the wrong key: %v", x.name, d.I, err)
			}
			// Verify must leave the datagram as it found it.
			if !bytes.Equal(p.Packed, d.Bytes(t)) {
				t.Fatalf("%s #%d: Verify changed the datagram", x.name, d.I)
			}
			// Any flipped bit breaks the signature: head, coat or foot.
			for _, at := range []int{1, p.HL, len(p.Packed) - 1} {
				if at >= len(p.Packed) {
					continue
				}
				b := d.Bytes(t)
				b[at] ^= 0x01
				q, err := wire.ParsePacket(b)
				if err != nil {
					continue // a broken head is refused before any signature is checked
				}
				if err := q.Verify(x.verifier(t, d.FromRole)); !errors.Is(err, raet.ErrSignature) {
					t.Errorf("%s #%d: flipped byte %d still verifies: %v", x.name, d.I, at, err)
				}
			}
		}
	}
}

func TestExchangeBodiesOpenAndRepack(t *testing.T) {
	for _, x := range exchanges(t) {
		for _, d := range x.datagrams {
			raw := d.Bytes(t)
			p, err := wire.ParsePacket(raw)
			if err != nil {
				t.Fatal(err)
			}
			if p.Count() > 1 {
				continue // segments: TestExchangeSegments
			}
			var box *raet.Box
			if p.CK == raet.CoatNacl {
				box = x.box(t, d.ToRole)
			}
			plain, err := p.Plain(box)
			if err != nil {
				t.Fatalf("%s #%d: %v", x.name, d.I, err)
			}
			if ph := d.Raet.Parts.PlainBodyHex; ph != nil && hex.EncodeToString(plain) != *ph {
				t.Errorf("%s #%d: plain body %x, want %s", x.name, d.I, plain, *ph)
			}
			var decoded any
			switch {
			case p.BK == raet.BodyRaw:
				if d.Raet.BodyRawHex == nil || hex.EncodeToString(plain) != *d.Raet.BodyRawHex {
					t.Errorf("%s #%d: raw body %x differs from the reference's", x.name, d.I, plain)
				}
				decoded = plain
			default:
				m, err := body.Decode(p.BK, plain)
				if err != nil {
					t.Fatalf("%s #%d: %v", x.name, d.I, err)
				}
				if got, want := jsonview.Of(m), jsonview.Raw(t, d.Raet.Body); !reflect.DeepEqual(got, want) {
					t.Errorf("%s #%d body:\n got %v\nwant %v", x.name, d.I, got, want)
				}
				decoded = m
			}

			// Pack the decoded body again under the parsed head: the same
			// bytes must come out, with the captured nonce and the sender's key.
			var again []byte
			if m, ok := decoded.(body.Map); ok {
				if again, err = body.Encode(p.BK, m); err != nil {
					t.Fatal(err)
				}
			} else {
				again = decoded.([]byte)
			}
			if !bytes.Equal(again, plain) {
				t.Errorf("%s #%d: body re-encodes as %x, want %x", x.name, d.I, again, plain)
			}
			if box != nil && len(p.Coat()) > 0 {
				box = box.WithNonces(bytes.NewReader(p.Coat()[len(p.Coat())-raet.NonceSize:]))
			}
			h := p.Head
			q, err := wire.Pack(&h, again, box, x.signer(t, d.FromRole))
			if err != nil {
				t.Fatalf("%s #%d: %v", x.name, d.I, err)
			}
			if !bytes.Equal(q.Packed, raw) {
				t.Errorf("%s #%d: packed\n %q\nwant\n %q", x.name, d.I, q.Packed, raw)
			}
		}
	}
}

func TestExchangeSegments(t *testing.T) {
	for _, x := range exchanges(t) {
		var msgs [][]testvectors.Datagram // runs of segments of one message
		for _, d := range x.datagrams {
			if d.Raet.Segment == nil {
				continue
			}
			if d.Raet.Segment.SN == 0 {
				msgs = append(msgs, nil)
			}
			msgs[len(msgs)-1] = append(msgs[len(msgs)-1], d)
		}
		if len(msgs) != 2 {
			t.Fatalf("%s: want 2 segmented messages in the capture, found %d", x.name, len(msgs))
		}
		for _, segs := range msgs {
			last := segs[len(segs)-1]
			var tray wire.RxTray
			var packets []*wire.Packet
			var coat []byte
			// Feed the segments last first, the first one twice.
			order := []int{len(segs) - 1}
			for i := 0; i < len(segs)-1; i++ {
				order = append(order, i)
			}
			order = append(order, 0)
			for n, i := range order {
				p, err := wire.ParsePacket(segs[i].Bytes(t))
				if err != nil {
					t.Fatal(err)
				}
				if err := p.Verify(x.verifier(t, segs[i].FromRole)); err != nil {
					t.Fatal(err)
				}
				if n < len(segs) {
					packets = append(packets, p)
				}
				c, err := tray.Add(p)
				if err != nil {
					t.Fatal(err)
				}
				if n < len(segs)-1 && c != nil {
					t.Fatalf("%s: tray complete after %d of %d segments", x.name, n+1, len(segs))
				}
				coat = c
			}
			if coat == nil || len(coat) != segs[0].Raet.Segment.ML {
				t.Fatalf("%s: reassembled coat %d bytes, want %d", x.name, len(coat), segs[0].Raet.Segment.ML)
			}
			plain, err := wire.OpenCoat(raet.CoatNacl, coat, x.box(t, last.ToRole))
			if err != nil {
				t.Fatal(err)
			}
			m, err := body.Decode(tray.Head().BK, plain)
			if err != nil {
				t.Fatal(err)
			}
			// The reference summarises the 3000-character pad by its length,
			// hash and first characters.
			var want struct {
				Kind string `json:"kind"`
				Pad  struct {
					Len    int    `json:"len"`
					SHA256 string `json:"sha256"`
					Head   string `json:"head"`
				} `json:"pad"`
				PadSHA256 string `json:"pad_sha256"`
			}
			if err := json.Unmarshal(last.Raet.ReassembledBody, &want); err != nil {
				t.Fatal(err)
			}
			pad, _ := m.String("pad")
			sum := sha256.Sum256([]byte(pad))
			kind, _ := m.String("kind")
			padSum, _ := m.String("pad_sha256")
			if kind != want.Kind || len(pad) != want.Pad.Len || hex.EncodeToString(sum[:]) != want.Pad.SHA256 ||
				!strings.HasPrefix(pad, want.Pad.Head) || padSum != want.PadSHA256 {
				t.Errorf("%s: reassembled body differs from the reference's: kind %q pad %d bytes", x.name, kind, len(pad))
			}

			// Cut the coat again: the same segments, byte for byte, once the
			// last one carries the wait flag the messenger sets.
			h := packets[1].Head // segment 0 (packets[0] is the last one)
			h.SN, h.SC, h.ML, h.SF = 0, 0, 0, false
			again, err := wire.PackTrayCoat(h, coat, x.signer(t, last.FromRole))
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != len(segs) {
				t.Fatalf("%s: %d segments, want %d", x.name, len(again), len(segs))
			}
			again[len(again)-1].WF = true
			if err := again[len(again)-1].Repack(x.signer(t, last.FromRole)); err != nil {
				t.Fatal(err)
			}
			for i, p := range again {
				if !bytes.Equal(p.Packed, segs[i].Bytes(t)) {
					t.Errorf("%s: segment %d differs from the capture (%d vs %d bytes)", x.name, i, len(p.Packed), segs[i].Len)
				}
			}
		}
	}
}

func TestPacketVectors(t *testing.T) {
	for name, v := range testvectors.Packets(t) {
		raw := testvectors.Hex(t, v.Hex)
		p, err := wire.ParsePacket(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := jsonview.Of(p.Fields()); !reflect.DeepEqual(got, any(v.Decoded.Data)) {
			t.Errorf("%s head:\n got %v\nwant %v", name, got, v.Decoded.Data)
		}
		if p.Signed() {
			ver, err := raet.NewVerifier([]byte(v.KeysNeeded.Verify))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(ver); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if p.CK == raet.CoatNacl && len(p.Coat()) > 0 && p.Count() == 1 {
			pri, _ := raet.NewPrivateer([]byte(v.KeysNeeded.ReceiverPrikey))
			pub, _ := raet.NewPublican([]byte(v.KeysNeeded.SenderPubkey))
			box, err := raet.NewBox(pri, pub)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := p.Plain(box)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			m, err := body.Decode(p.BK, plain)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := jsonview.Of(m), jsonview.Raw(t, v.Decoded.Body); !reflect.DeepEqual(got, want) {
				t.Errorf("%s body: got %v want %v", name, got, want)
			}
		}
	}
}
