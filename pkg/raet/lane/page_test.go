package lane_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/internal/testvectors/jsonview"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

var laneVectors = []string{"single-json", "single-msgpack", "single-msgpack-bin", "empty-json", "empty-msgpack", "book-json", "book-msgpack"}

// headValue renders a page head the way the vectors show the reference's page data.
func headValue(h lane.PageHead) map[string]any {
	return map[string]any{"ri": "RAET", "vn": float64(h.VN), "pk": float64(h.PK), "sn": h.SN, "dn": h.DN,
		"si": h.SI, "bi": float64(h.BI), "pn": float64(h.PN), "pc": float64(h.Count())}
}

func TestLaneVectors(t *testing.T) {
	for _, name := range laneVectors {
		v := testvectors.LaneVector(t, name)
		var book lane.RxBook
		var plain []byte
		var first lane.PageHead
		for i, pg := range v.Pages {
			raw := testvectors.Hex(t, pg.Hex)
			h, section, err := lane.ParsePage(raw)
			if err != nil {
				t.Fatalf("%s page %d: %v", name, i, err)
			}
			if i == 0 {
				first = h
			}
			if got := headValue(h); !reflect.DeepEqual(got, pg.Head) {
				t.Errorf("%s page %d head %v, want %v", name, i, got, pg.Head)
			}
			if string(raw[:len(raw)-len(section)]) != pg.HeadText || len(section) != pg.BodyLen {
				t.Errorf("%s page %d: head/body split at %d, want %d", name, i, len(raw)-len(section), pg.HeadLen)
			}
			if plain, err = book.Add(h, section); err != nil {
				t.Fatal(err)
			}
			if (plain != nil) != (i == len(v.Pages)-1) {
				t.Fatalf("%s: book complete after page %d of %d: %v", name, i+1, len(v.Pages), plain != nil)
			}
		}
		sum := sha256.Sum256(plain)
		if len(plain) != v.PackedBodyLen || hex.EncodeToString(sum[:]) != v.PackedBodySHA256 {
			t.Fatalf("%s: joined body %d bytes, want %d with the reference's hash", name, len(plain), v.PackedBodyLen)
		}
		m, err := body.Decode(first.BodyKind(), plain)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(v.Body, &want); err != nil {
			t.Fatal(err)
		}
		if got := jsonview.Of(m); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: body differs from the reference's:\n got %.300v\nwant %.300v", name, got, want)
		}
		// Serialise the decoded body and page it again: the same datagrams.
		again, err := body.Encode(first.BodyKind(), m)
		if err != nil {
			t.Fatal(err)
		}
		pages, err := lane.PackBook(first, again)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) != len(v.Pages) {
			t.Fatalf("%s: %d pages, want %d", name, len(pages), len(v.Pages))
		}
		for i, pg := range pages {
			if hex.EncodeToString(pg) != v.Pages[i].Hex {
				t.Errorf("%s: page %d differs from the capture (%d vs %d bytes)", name, i, len(pg), v.Pages[i].Len)
			}
		}
		if v.Pagination != nil {
			for i, pg := range pages {
				if got := len(pg) - v.Pages[i].HeadLen; got != v.Pagination.SectionSizes[i] {
					t.Errorf("%s: section %d has %d bytes, want %d", name, i, got, v.Pagination.SectionSizes[i])
				}
			}
		}
	}
}

func TestBookRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, size := range []int{0, 1, 65535 - 79, 65535 - 78, 200000, 1 << 20, 10 << 20} {
		plain := make([]byte, size)
		rng.Read(plain)
		h := lane.PageHead{PK: raet.PackMsgpack, SN: "alpha", DN: "beta", SI: "0005f6c2a1b3c4d5e6", BI: uint32(rng.Intn(1 << 30))}
		pages, err := lane.PackBook(h, plain)
		if err != nil {
			t.Fatal(err)
		}
		var book lane.RxBook
		var got []byte
		order := rng.Perm(len(pages))
		if len(order) > 1 {
			// A book begins with page 0; the rest come in any order, some twice.
			for i, p := range order {
				if p == 0 {
					order[0], order[i] = order[i], order[0]
				}
			}
			order = append(order, order[len(order)/2])
		}
		for _, i := range order {
			if len(pages[i]) > raet.UXDMaxPacketSize {
				t.Fatalf("page of %d bytes", len(pages[i]))
			}
			ph, section, err := lane.ParsePage(pages[i])
			if err != nil {
				t.Fatal(err)
			}
			if ph.BI != h.BI || ph.SI != h.SI || ph.PN != i || ph.Count() != len(pages) {
				t.Fatalf("page %d head %+v", i, ph)
			}
			c, err := book.Add(ph, section)
			if err != nil {
				t.Fatal(err)
			}
			if c != nil {
				got = c
			}
		}
		if !bytes.Equal(got, plain) || !book.Complete() {
			t.Errorf("%d bytes in %d pages: joined %d bytes", size, len(pages), len(got))
		}
	}
}

func TestPageHeadForms(t *testing.T) {
	h := lane.PageHead{PK: raet.PackJSON, SN: "a", DN: "b", SI: "0123456789abcdefghXYZ", BI: 0x1abc, PN: 0, PC: 0}
	pg, err := lane.PackPage(h, []byte(`{"k":1}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "ri RAET\nvn 0\npk 0\nsn a\ndn b\nsi 0123456789abcdefgh\nbi 1abc\npn 0000\npc 0001\n\n{\"k\":1}"
	if string(pg) != want {
		t.Errorf("got %q\nwant %q", pg, want)
	}
	// Absent fields take the reference's defaults.
	d, rest, err := lane.ParsePage([]byte("ri RAET\nsn x\n\n"))
	if err != nil || d.SI != lane.DefaultSessionID || d.Count() != 1 || d.DN != "" || len(rest) != 0 {
		t.Errorf("defaults: %+v %q %v", d, rest, err)
	}
	// A page too large for one datagram is refused; a book splits it.
	if _, err := lane.PackPage(h, make([]byte, raet.UXDMaxPacketSize)); !errors.Is(err, raet.ErrOversize) {
		t.Errorf("oversize page: %v", err)
	}
	for _, bad := range []lane.PageHead{{SN: "a b", DN: "b", SI: "s"}, {SN: "a", DN: "b\n", SI: "s"}, {SN: "", DN: "b", SI: "s"}} {
		if _, err := lane.PackPage(bad, nil); !errors.Is(err, raet.ErrPage) {
			t.Errorf("name %q/%q: %v", bad.SN, bad.DN, err)
		}
	}
}

func TestMalformedPages(t *testing.T) {
	good := "ri RAET\nvn 0\npk 0\nsn alpha\ndn beta\nsi 0005f6c2a1b3c4d5e6\nbi 1\npn 0000\npc 0001\n\n{}"
	if _, _, err := lane.ParsePage([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in string
		code     raet.Code
	}{
		{"empty", "", raet.CodePage},
		{"not raet", "hello\n\n", raet.CodePage},
		{"no end", "ri RAET\nvn 0\n", raet.CodePage},
		{"unknown", strings.Replace(good, "bi 1", "zz 1", 1), raet.CodePage},
		{"spaces", strings.Replace(good, "sn alpha", "sn al pha", 1), raet.CodePage},
		{"no value", strings.Replace(good, "sn alpha", "sn", 1), raet.CodePage},
		{"twice", strings.Replace(good, "bi 1", "sn x", 1), raet.CodePage},
		{"bad hex", strings.Replace(good, "bi 1", "bi xyz", 1), raet.CodePage},
		{"huge count", strings.Replace(good, "pc 0001", "pc ffffffff", 1), raet.CodePage},
		{"pn past pc", strings.Replace(good, "pn 0000", "pn 0001", 1), raet.CodePage},
		{"pc zero", strings.Replace(good, "pc 0001", "pc 0000", 1), raet.CodePage},
		{"version", strings.Replace(good, "vn 0", "vn 1", 1), raet.CodeVersion},
		{"pack kind", strings.Replace(good, "pk 0", "pk 2", 1), raet.CodeKind},
		{"ri", strings.Replace(good, "vn 0", "ri XXXX", 1), raet.CodePage},
	} {
		_, _, err := lane.ParsePage([]byte(c.in))
		if got := raet.CodeOf(err); got != c.code {
			t.Errorf("%s: %v (code %q), want code %q", c.name, err, got, c.code)
		}
	}
}

func TestBookRefusesStrangers(t *testing.T) {
	h := lane.PageHead{SN: "a", DN: "b", SI: "s", BI: 1}
	pages, _ := lane.PackBook(h, make([]byte, 200000))
	other, _ := lane.PackBook(h, make([]byte, 300000))
	var book lane.RxBook
	for i, pg := range [][]byte{pages[0], other[1]} {
		ph, section, err := lane.ParsePage(pg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = book.Add(ph, section)
		if (err != nil) != (i == 1) {
			t.Errorf("page %d: %v", i, err)
		}
	}
}
