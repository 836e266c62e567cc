package lane_test

import (
	"bytes"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// A page that parses packs again into a page that parses the same, and its
// body, when it is a whole book, decodes or is refused without panicking.
func FuzzParsePage(f *testing.F) {
	for _, name := range laneVectors {
		for _, pg := range testvectors.LaneVector(f, name).Pages {
			b := testvectors.Hex(f, pg.Hex)
			if len(b) > 4096 {
				b = b[:4096] // a book page's head, and enough of its body to mutate
			}
			f.Add(b)
		}
	}
	f.Add([]byte("ri RAET\nsn x\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, section, err := lane.ParsePage(b)
		if err != nil {
			if raet.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if h.Count() == 1 {
			_, _ = body.Decode(h.BodyKind(), section)
		}
		again, err := lane.PackPage(h, section)
		if err != nil {
			return // names the packer refuses (empty), or a page grown past the limit
		}
		h2, section2, err := lane.ParsePage(again)
		if err != nil {
			t.Fatalf("repacked page does not parse: %v\n%q", err, again)
		}
		if len(h.SI) > lane.SessionIDSize {
			h.SI = h.SI[:lane.SessionIDSize]
		}
		if h2 != h || !bytes.Equal(section2, section) {
			t.Fatalf("page changed in a round trip:\n%+v\n%+v", h, h2)
		}
		var book lane.RxBook
		if _, err := book.Add(h, section); err != nil && raet.CodeOf(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
	})
}
