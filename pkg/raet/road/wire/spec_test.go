package wire_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

func mustSigner(t testing.TB, seedByte byte) *raet.Signer {
	t.Helper()
	s, err := raet.NewSigner(bytes.Repeat([]byte{seedByte}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustPrivateer(t testing.TB, b byte) *raet.Privateer {
	t.Helper()
	p, err := raet.NewPrivateer(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustBox(t testing.TB, pri, pub *raet.Privateer) *raet.Box {
	t.Helper()
	b, err := raet.NewBox(pri, pub.Publican())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(t testing.TB, bk raet.BodyKind, m body.Map) []byte {
	t.Helper()
	b, err := body.Encode(bk, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The keys of spec section 3.8.
func TestSpecKeys(t *testing.T) {
	for _, c := range []struct {
		b        byte
		ver, pub string
	}{
		{0x11, "d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737", ""},
		{0x22, "", "0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20"},
		{0x33, "17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce", ""},
		{0x44, "", "ff2ee45601ec1b67310c7790404585ae697331eee1c1f8cf2419731c1fff3e6b"},
		{0x66, "", "219e4d800da968d2a5fcb009c784f4746c7138edb9ee4844b739e830b05cf424"},
	} {
		if c.ver != "" {
			if got := mustSigner(t, c.b).VerHex(); got != c.ver {
				t.Errorf("seed %02x: verify key %s, want %s", c.b, got, c.ver)
			}
		}
		if c.pub != "" {
			if got := mustPrivateer(t, c.b).PubHex(); got != c.pub {
				t.Errorf("private %02x: public key %s, want %s", c.b, got, c.pub)
			}
		}
	}
}

// Spec 3.8 vector 1: a vacuous join request, unsigned.
func TestSpecVacuousJoinRequest(t *testing.T) {
	s, p := mustSigner(t, 0x11), mustPrivateer(t, 0x22)
	m := body.Map{{Key: "name", Value: "other"}, {Key: "mode", Value: 0}, {Key: "kind", Value: 0},
		{Key: "verhex", Value: s.VerHex()}, {Key: "pubhex", Value: p.PubHex()}, {Key: "role", Value: "other"}}
	h := wire.Head{PK: raet.PcktRequest, SE: 2, TI: 1, TK: raet.TrnsJoin, BK: raet.BodyJSON}
	pkt, err := wire.Pack(&h, encode(t, raet.BodyJSON, m), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "ri RAET\npl 00ff\nhl 36\nfg 00\npk 4\nse 2\nti 1\ntk 1\nbk 1\n\n" +
		`{"name":"other","mode":0,"kind":0,"verhex":"d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737",` +
		`"pubhex":"0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20","role":"other"}`
	if string(pkt.Packed) != want || len(pkt.Packed) != 255 {
		t.Errorf("got %d bytes\n%q\nwant\n%q", len(pkt.Packed), pkt.Packed, want)
	}
}

// Spec 3.8 vector 2: the signed final ack of an allow.
func TestSpecSignedAllowAck(t *testing.T) {
	h := wire.Head{PK: raet.PcktAck, SE: 2, DE: 3, SI: 1, TI: 2, TK: raet.TrnsAllow, BK: raet.BodyRaw, FK: raet.FootNacl}
	pkt, err := wire.Pack(&h, nil, nil, mustSigner(t, 0x11))
	if err != nil {
		t.Fatal(err)
	}
	want := "726920524145540a706c20303038620a686c2034620a66672030300a706b20310a736520320a646520330a736920310a746920320a746b20330a626b20320a666b20310a666c2034300a0a56784f1659d58be9b0a5f582ef1f3dbc00547d1abe72a8f8149c6ec34c9191686444ea061e705ea85f282c6cf1eafcc9fc46961425451e195b2af2fb23f7c50f"
	if got := hex.EncodeToString(pkt.Packed); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Spec 3.8 vector 3: a signed packet with a JSON head.
func TestSpecSignedJSONHead(t *testing.T) {
	s := mustSigner(t, 0x11)
	h := wire.Head{HK: raet.HeadJSON, PK: raet.PcktRequest, SE: 5, DE: 6, SI: 7, TI: 8, TK: raet.TrnsAlive,
		BK: raet.BodyJSON, FK: raet.FootNacl, CF: true}
	pkt, err := wire.Pack(&h, nil, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	head := `{"ri":"RAET","pl":"00000bb","hl":"7b","fg":"01","pk":4,"hk":1,"se":5,"de":6,"si":7,"ti":8,"tk":4,"bk":1,"fk":1,"fl":64}` + "\r\n\r\n"
	if got := string(pkt.Packed[:len(pkt.Packed)-64]); got != head {
		t.Errorf("head %q\nwant %q", got, head)
	}
	if len(pkt.Packed) != 0xbb {
		t.Errorf("length %d, want %d", len(pkt.Packed), 0xbb)
	}
	back, err := wire.ParsePacket(pkt.Packed)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := raet.NewVerifier(s.VerKey())
	if err := back.Verify(ver); err != nil {
		t.Fatal(err)
	}
	if back.Head != h {
		t.Errorf("parsed head %+v, want %+v", back.Head, h)
	}
}

// Spec 3.8 vector 4: an encrypted and signed message with a forced nonce.
func TestSpecEncryptedMessage(t *testing.T) {
	box := mustBox(t, mustPrivateer(t, 0x55), mustPrivateer(t, 0x66)).WithNonces(bytes.NewReader(bytes.Repeat([]byte{7}, 24)))
	h := wire.Head{SE: 2, DE: 3, SI: 2, TI: 4, BK: raet.BodyJSON, CK: raet.CoatNacl, FK: raet.FootNacl, WF: true}
	pkt, err := wire.Pack(&h, encode(t, raet.BodyJSON, body.Map{{Key: "content", Value: "hi"}}), box, mustSigner(t, 0x11))
	if err != nil {
		t.Fatal(err)
	}
	want := "726920524145540a706c20303062650a686c2034360a66672030340a736520320a646520330a736920320a746920340a626b20310a636b20310a666b20310a666c2034300a0a02f1e531835edc1e6005e8022c4c7edaba2c25d60a899786d4741e34c85eb1a5070707070707070707070707070707070707070707070707227cf43e33b30b84e32dbde4899fb08432d7ef86b89331e2c2bc23e06999929100ec0d837985fea34a6ab566337f06cff487b61379bf432519bf50e7fbf7c904"
	if got := hex.EncodeToString(pkt.Packed); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The receiver opens it with its private key and the sender's public key.
	back, err := wire.ParsePacket(pkt.Packed)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := back.Plain(mustBox(t, mustPrivateer(t, 0x66), mustPrivateer(t, 0x55)))
	if err != nil || string(plain) != `{"content":"hi"}` {
		t.Errorf("opened %q, %v", plain, err)
	}
}

var helloBody = body.Map{{Key: "msg", Value: "Hello Raet World"}, {Key: "extra", Value: "Goodby Big Moon"}}

// The examples of spec 3.3, from the reference's test_packeting.py.
func TestSpecBasicPackets(t *testing.T) {
	for _, c := range []struct {
		hk   raet.HeadKind
		bk   raet.BodyKind
		want string
	}{
		{raet.HeadJSON, raet.BodyJSON, `{"ri":"RAET","pl":"0000076","hl":"42","fg":"00","hk":1,"bk":1}` + "\r\n\r\n" + `{"msg":"Hello Raet World","extra":"Goodby Big Moon"}`},
		{raet.HeadJSON, raet.BodyMsgpack, `{"ri":"RAET","pl":"000006e","hl":"42","fg":"00","hk":1,"bk":3}` + "\r\n\r\n" + "\x82\xa3msg\xb0Hello Raet World\xa5extra\xafGoodby Big Moon"},
		{raet.HeadRaet, raet.BodyJSON, "ri RAET\npl 0056\nhl 22\nfg 00\nbk 1\n\n" + `{"msg":"Hello Raet World","extra":"Goodby Big Moon"}`},
		{raet.HeadRaet, raet.BodyMsgpack, "ri RAET\npl 004e\nhl 22\nfg 00\nbk 3\n\n\x82\xa3msg\xb0Hello Raet World\xa5extra\xafGoodby Big Moon"},
		{raet.HeadRaet, raet.BodyRaw, "ri RAET\npl 0040\nhl 22\nfg 00\nbk 2\n\nThis is a fine kettle of fish."},
	} {
		plain := []byte("This is a fine kettle of fish.")
		if c.bk != raet.BodyRaw {
			plain = encode(t, c.bk, helloBody)
		}
		h := wire.Head{HK: c.hk, BK: c.bk}
		pkt, err := wire.Pack(&h, plain, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(pkt.Packed) != c.want {
			t.Errorf("hk %s bk %s:\n got %q\nwant %q", c.hk, c.bk, pkt.Packed, c.want)
		}
		back, err := wire.ParsePacket([]byte(c.want))
		if err != nil {
			t.Fatal(err)
		}
		if back.Head != h {
			t.Errorf("parsed %+v, want %+v", back.Head, h)
		}
		got, err := back.Plain(nil)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("body %q, %v", got, err)
		}
	}
}

// stuff is the 1200-byte body of the reference's segmentation tests.
func stuff() []byte {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "%4d", i)
	}
	return []byte(b.String())
}

// Segment sizes of test_packeting.py: 1009/458 raw, 1009/470 json,
// 1009/520 for the json body in a nacl coat (1252 bytes).
func TestSpecSegmentSizes(t *testing.T) {
	main := mustSigner(t, 0x11)
	box := mustBox(t, mustPrivateer(t, 0x22), mustPrivateer(t, 0x44))
	jsonStuff := encode(t, raet.BodyJSON, body.Map{{Key: "stuff", Value: string(stuff())}})
	for _, c := range []struct {
		name  string
		bk    raet.BodyKind
		ck    raet.CoatKind
		plain []byte
		coat  int
		sizes []int
	}{
		{"raw", raet.BodyRaw, raet.CoatNada, stuff(), 1200, []int{1009, 458}},
		{"json", raet.BodyJSON, raet.CoatNada, jsonStuff, 1212, []int{1009, 470}},
		{"json nacl", raet.BodyJSON, raet.CoatNacl, jsonStuff, 1252, []int{1009, 520}},
	} {
		h := wire.Head{SE: 2, DE: 3, BK: c.bk, CK: c.ck, FK: raet.FootNacl}
		// One packet cannot hold it.
		one := h
		if _, err := wire.Pack(&one, c.plain, box, main); !errors.Is(err, raet.ErrOversize) {
			t.Errorf("%s: Pack of %d bytes: %v, want oversize", c.name, len(c.plain), err)
		}
		pkts, err := wire.PackTray(h, c.plain, box, main)
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		var tray wire.RxTray
		var coat []byte
		for _, p := range pkts {
			sizes = append(sizes, len(p.Packed))
			back, err := wire.ParsePacket(p.Packed)
			if err != nil {
				t.Fatal(err)
			}
			if coat, err = tray.Add(back); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(sizes) != fmt.Sprint(c.sizes) {
			t.Errorf("%s: segment sizes %v, want %v", c.name, sizes, c.sizes)
		}
		if len(coat) != c.coat {
			t.Errorf("%s: coat %d bytes, want %d", c.name, len(coat), c.coat)
		}
		plain, err := wire.OpenCoat(c.ck, coat, mustBox(t, mustPrivateer(t, 0x44), mustPrivateer(t, 0x22)))
		if err != nil || !bytes.Equal(plain, c.plain) {
			t.Errorf("%s: reassembled body differs (%v)", c.name, err)
		}
	}
}

// Every head kind with every body, coat and foot kind, with random fields,
// packs and parses back to the same head and body.
func TestRoundTripAllKinds(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	signer := mustSigner(t, 0x33)
	ver, _ := raet.NewVerifier(signer.VerKey())
	sealer := mustBox(t, mustPrivateer(t, 0x22), mustPrivateer(t, 0x44))
	opener := mustBox(t, mustPrivateer(t, 0x44), mustPrivateer(t, 0x22))
	bodies := map[raet.BodyKind][]byte{
		raet.BodyNada:    nil,
		raet.BodyRaw:     []byte("raw \x00\xff bytes"),
		raet.BodyJSON:    encode(t, raet.BodyJSON, helloBody),
		raet.BodyMsgpack: encode(t, raet.BodyMsgpack, helloBody),
	}
	for _, hk := range []raet.HeadKind{raet.HeadRaet, raet.HeadJSON} {
		for bk, plain := range bodies {
			for _, ck := range []raet.CoatKind{raet.CoatNada, raet.CoatNacl} {
				for _, fk := range []raet.FootKind{raet.FootNada, raet.FootNacl} {
					for n := 0; n < 20; n++ {
						h := wire.Head{HK: hk, BK: bk, CK: ck, FK: fk,
							PK: raet.PcktKind(rng.Intn(16)), TK: raet.TrnsKind(rng.Intn(5)),
							SE: rng.Uint32(), DE: rng.Uint32(), SI: rng.Uint32(), TI: rng.Uint32(),
							OI: uint32(rng.Intn(3))}
						h.SetFG(byte(rng.Intn(256)))
						if n%4 == 0 {
							h.DT = float64(rng.Intn(1<<20)) / 4 // exact in "%f" and in repr
						}
						if n%2 == 0 {
							h.SC = 2 + rng.Intn(100)
							h.SN = rng.Intn(h.SC)
							h.ML = rng.Intn(1 << 20)
						}
						name := fmt.Sprintf("hk %s bk %s ck %s fk %s #%d", hk, bk, ck, fk, n)
						pkt, err := wire.Pack(&h, plain, sealer, signer)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						back, err := wire.ParsePacket(pkt.Packed)
						if err != nil {
							t.Fatalf("%s: %v\n%q", name, err, pkt.Packed)
						}
						if back.Head != h {
							t.Fatalf("%s:\nparsed %+v\nwant   %+v", name, back.Head, h)
						}
						if err := back.Verify(ver); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if h.Count() > 1 {
							continue
						}
						got, err := back.Plain(opener)
						if err != nil || !bytes.Equal(got, plain) {
							t.Fatalf("%s: body %q, %v", name, got, err)
						}
					}
				}
			}
		}
	}
}

// Messages of 1 to 2000 segments arrive whole whatever the order and
// however often segments repeat; Missing reports the gaps below the highest.
func TestTrayRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	signer := mustSigner(t, 0x11)
	sealer := mustBox(t, mustPrivateer(t, 0x22), mustPrivateer(t, 0x44))
	opener := mustBox(t, mustPrivateer(t, 0x44), mustPrivateer(t, 0x22))
	for _, want := range []int{1, 2, 3, 7, 64, 500, 2000} {
		for _, hk := range []raet.HeadKind{raet.HeadRaet, raet.HeadJSON} {
			h := wire.Head{HK: hk, SE: 2, DE: 3, SI: 5, TI: 9, BK: raet.BodyRaw, CK: raet.CoatNacl, FK: raet.FootNacl}
			// A message filling want segments: the segment size is what one
			// packet holds less the head grown by sn, sc and ml.
			size := want * 870
			if want == 1 {
				size = 100
			}
			plain := make([]byte, size)
			rng.Read(plain)
			pkts, err := wire.PackTray(h, plain, sealer, signer)
			if err != nil {
				t.Fatal(err)
			}
			if want > 1 && len(pkts) < want || want == 1 && len(pkts) != 1 {
				t.Fatalf("%d bytes gave %d segments, want %d or more", size, len(pkts), want)
			}
			for _, p := range pkts {
				if len(p.Packed) > raet.UDPMaxPacketSize {
					t.Fatalf("segment of %d bytes", len(p.Packed))
				}
			}
			var tray wire.RxTray
			var coat []byte
			order := rng.Perm(len(pkts))
			order = append(order, order[:len(order)/3]...) // repeats
			seen := map[int]bool{}
			for _, i := range order {
				back, err := wire.ParsePacket(pkts[i].Packed)
				if err != nil {
					t.Fatal(err)
				}
				c, err := tray.Add(back)
				if err != nil {
					t.Fatal(err)
				}
				seen[i] = true
				if c != nil {
					coat = c
				} else if len(seen) == len(pkts) {
					t.Fatalf("all %d segments in, tray not complete", len(pkts))
				}
				if !tray.Complete() && len(pkts) > 1 {
					for _, m := range tray.Missing(0, -1) {
						if seen[m] || m >= tray.Highest() {
							t.Fatalf("Missing reports %d, which arrived or is not below the highest %d", m, tray.Highest())
						}
					}
				}
			}
			got, err := wire.OpenCoat(raet.CoatNacl, coat, opener)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d segments: reassembled body differs (%v)", len(pkts), err)
			}
		}
	}
}

func TestTrayMissing(t *testing.T) {
	signer := mustSigner(t, 0x11)
	h := wire.Head{SE: 2, DE: 3, SI: 5, TI: 9, BK: raet.BodyRaw, FK: raet.FootNacl}
	pkts, err := wire.PackTray(h, make([]byte, 8*900), nil, signer)
	if err != nil || len(pkts) != 9 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	var tray wire.RxTray
	for _, i := range []int{0, 2, 5} {
		if _, err := tray.Add(pkts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(tray.Missing(0, -1)); got != "[1 3 4]" {
		t.Errorf("Missing(0, -1) = %s, want [1 3 4] (trailing gaps after the highest are not reported)", got)
	}
	if got := fmt.Sprint(tray.Missing(2, 9)); got != "[3 4 6 7 8]" {
		t.Errorf("Missing(2, 9) = %s", got)
	}
}

func TestTrayRefusesStrangers(t *testing.T) {
	signer := mustSigner(t, 0x11)
	h := wire.Head{SE: 2, DE: 3, SI: 5, TI: 9, BK: raet.BodyRaw, FK: raet.FootNacl}
	a, _ := wire.PackTray(h, make([]byte, 3000), nil, signer)
	b, _ := wire.PackTray(h, make([]byte, 5000), nil, signer)
	var tray wire.RxTray
	if _, err := tray.Add(a[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := tray.Add(b[1]); !errors.Is(err, raet.ErrSegment) {
		t.Errorf("segment of another message: %v, want a segment error", err)
	}
	// A segment whose coat does not fit the stated length.
	forged := *a[1]
	forged.Head.ML = 10
	if _, err := tray.Add(&forged); !errors.Is(err, raet.ErrSegment) {
		t.Errorf("segment with another ml: %v", err)
	}
}

func TestMalformedDatagrams(t *testing.T) {
	good := "ri RAET\npl 0040\nhl 22\nfg 00\nbk 2\n\nThis is a fine kettle of fish."
	signed, _ := wire.Pack(&wire.Head{BK: raet.BodyRaw, FK: raet.FootNacl}, []byte("x"), nil, mustSigner(t, 0x11))
	for _, c := range []struct {
		name string
		in   string
		code raet.Code
	}{
		{"empty", "", raet.CodeHead},
		{"not raet", "GET / HTTP/1.1\r\n\r\n", raet.CodeHead},
		{"no end", "ri RAET\npl 0010\nhl 10\nfg 00\n", raet.CodeHead},
		{"json no end", `{"ri":"RAET","pl":"0000010"}`, raet.CodeHead},
		{"pl short", strings.Replace(good, "pl 0040", "pl 0041", 1), raet.CodeLength},
		{"hl wrong", strings.Replace(good, "hl 22", "hl 21", 1), raet.CodeLength},
		{"unknown field", strings.Replace(good, "bk 2", "zz 2", 1), raet.CodeHead},
		{"bl field", strings.Replace(good, "bk 2", "bl 2", 1), raet.CodeHead},
		{"two spaces", strings.Replace(good, "bk 2", "bk  2", 1), raet.CodeHead},
		{"no space", strings.Replace(good, "bk 2", "bk2", 1), raet.CodeHead},
		{"bad hex", strings.Replace(good, "bk 2", "bk g", 1), raet.CodeHead},
		{"huge hex", strings.Replace(good, "fg 00\nbk 2", "fg 00\nse fffffffff", 1), raet.CodeHead},
		{"kind too big", strings.Replace(good, "bk 2", "bk 100", 1), raet.CodeHead},
		{"twice", strings.Replace(good, "fg 00", "bk 2", 1), raet.CodeHead},
		{"head says json", strings.Replace(good, "fg 00", "hk 1", 1), raet.CodeHead},
		{"version", strings.Replace(good, "fg 00", "vn 01", 1), raet.CodeVersion},
		{"unknown body", strings.Replace(good, "bk 2", "bk 9", 1), raet.CodeKind},
		{"crc coat", strings.Replace(good, "bk 2", "ck 2", 1), raet.CodeKind},
		{"sha2 foot", strings.Replace(good, "bk 2", "fk 2", 1), raet.CodeKind},
		{"fl without foot", strings.Replace(good, "bk 2", "fl 2", 1), raet.CodeFoot},
		{"foot too short", strings.Replace(string(signed.Packed), "fl 40", "fl 3f", 1), raet.CodeFoot},
		{"sc zero", strings.Replace(good, "bk 2", "sc 0", 1), raet.CodeHead},
		{"json not object", "{\"ri\":\"RAET\",]\r\n\r\n", raet.CodeHead},
		{"json pl number", `{"ri":"RAET","pl":65,"hl":"2e","fg":"00","hk":1}` + "\r\n\r\n", raet.CodeHead},
		{"json se string", `{"ri":"RAET","pl":"0000035","hl":"35","fg":"00","hk":1,"se":"2"}` + "\r\n\r\n", raet.CodeHead},
		{"json se negative", `{"ri":"RAET","pl":"0000034","hl":"34","fg":"00","hk":1,"se":-2}` + "\r\n\r\n", raet.CodeHead},
	} {
		_, err := wire.ParsePacket([]byte(c.in))
		if err == nil {
			t.Errorf("%s: parsed %q", c.name, c.in)
			continue
		}
		if got := raet.CodeOf(err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
		}
	}
	// The good one parses, so the table tests what it means to.
	if _, err := wire.ParsePacket([]byte(good)); err != nil {
		t.Fatal(err)
	}
	// An sn past the count parses (an ack's sn is the highest segment its
	// sender has, with no sc beside it), but joins no tray.
	p, err := wire.ParsePacket([]byte(strings.Replace(good, "bk 2", "sn 5", 1)))
	if err != nil || p.SN != 5 {
		t.Fatalf("ack-like sn: %v", err)
	}
	seg, _ := wire.ParsePacket([]byte(strings.Replace(strings.Replace(good, "bk 2", "sn 5", 1), "fg 00", "sc 02", 1)))
	var tray wire.RxTray
	if seg == nil {
		t.Fatal("segment with sc 2 does not parse")
	}
	if _, err := tray.Add(seg); !errors.Is(err, raet.ErrSegment) {
		t.Errorf("segment 5 of 2 joined a tray: %v", err)
	}
}

// Python's repr of floats, which a JSON head writes for dt.
func TestJSONHeadFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1.5, "1.5"}, {0.25, "0.25"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {1e-5, "1e-05"},
		{0.0001, "0.0001"}, {123.0, "123.0"}, {1.5e300, "1.5e+300"}, {1700000000.123456, "1700000000.123456"},
	} {
		h := wire.Head{HK: raet.HeadJSON, DT: c.f}
		pkt, err := wire.Pack(&h, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(pkt.Packed), `,"dt":`+c.want+`}`) {
			t.Errorf("dt %v written as %q, want %s", c.f, pkt.Packed, c.want)
		}
		back, err := wire.ParsePacket(pkt.Packed)
		if err != nil || back.DT != c.f {
			t.Errorf("dt %v read back as %v, %v", c.f, back.DT, err)
		}
	}
	// A RAET head writes "{:f}".
	h := wire.Head{DT: 1.5}
	pkt, _ := wire.Pack(&h, nil, nil, nil)
	if !strings.Contains(string(pkt.Packed), "\ndt 1.500000\n") {
		t.Errorf("raet head dt: %q", pkt.Packed)
	}
}

func TestPackRefusals(t *testing.T) {
	signer := mustSigner(t, 0x11)
	for _, c := range []struct {
		name  string
		h     wire.Head
		plain []byte
		box   bool
		sign  bool
		code  raet.Code
	}{
		{"nacl coat without keys", wire.Head{CK: raet.CoatNacl}, []byte("x"), false, false, raet.CodeCoat},
		{"nacl foot without key", wire.Head{FK: raet.FootNacl}, nil, false, false, raet.CodeFoot},
		{"crc coat", wire.Head{CK: raet.CoatCRC16}, []byte("x"), false, false, raet.CodeKind},
		{"sha2 foot", wire.Head{FK: raet.FootSHA2}, nil, false, true, raet.CodeKind},
		{"binary head", wire.Head{HK: raet.HeadBinary}, nil, false, false, raet.CodeKind},
		{"too big", wire.Head{}, make([]byte, 1000), false, false, raet.CodeOversize},
		{"message too big", wire.Head{}, make([]byte, raet.MaxMessageSize+1), false, false, raet.CodeOversize},
	} {
		var s *raet.Signer
		if c.sign {
			s = signer
		}
		h := c.h
		_, err := wire.Pack(&h, c.plain, nil, s)
		if got := raet.CodeOf(err); got != c.code {
			t.Errorf("%s: %v, want code %s", c.name, err, c.code)
		}
	}
}

// A tray keeps the caller's packet kind in every segment, and sizes segments
// by the head of the whole message with that kind in it: the reference means
// to force kind message but never does (message is 0, which reads as "no
// kind"), and Python peers cut segments this way.
func TestTrayKeepsPacketKind(t *testing.T) {
	signer := mustSigner(t, 0x11)
	h := wire.Head{PK: raet.PcktPend, SE: 0x3e50e30b, DE: 2, SI: 5, TI: 9, TK: raet.TrnsAllow, BK: raet.BodyRaw, FK: raet.FootNacl}
	small := h
	if _, err := wire.Pack(&small, []byte("x"), nil, signer); err != nil {
		t.Fatal(err)
	}
	coat := make([]byte, 5111)
	pkts, err := wire.PackTray(h, coat, nil, signer)
	if err != nil {
		t.Fatal(err)
	}
	segsize := raet.UDPMaxPacketSize - (small.HL + 27 + raet.SignatureSize)
	if want := (len(coat) + segsize - 1) / segsize; len(pkts) != want {
		t.Errorf("%d segments, want %d of %d bytes", len(pkts), want, segsize)
	}
	for i, p := range pkts {
		if p.PK != raet.PcktPend || len(p.Coat()) != min(segsize, len(coat)-i*segsize) {
			t.Errorf("segment %d: kind %s, %d bytes", i, p.PK, len(p.Coat()))
		}
	}
}
