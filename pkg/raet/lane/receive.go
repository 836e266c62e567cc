package lane

import (
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// bookIndex tells books apart: the source yard, its session and the book
// id (the reference's (dn, sn, si, bi), dn being always this yard).
type bookIndex struct {
	sn, si string
	bi     uint32
}

// MaxPartialBooks bounds the books a source yard may have begun and not
// finished; beyond it the oldest is dropped (a sender that died mid-book
// must not hold memory for ever).
const MaxPartialBooks = 64

// read receives datagrams until the socket closes.
func (s *Stack) read() error {
	buf := make([]byte, raet.UXDMaxPacketSize+1)
	books := map[bookIndex]*RxBook{}
	var order []bookIndex // books begun, oldest first
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return err
		}
		s.stat("page_rx")
		m, ok := s.receive(append([]byte(nil), buf[:n]...), from, books, &order)
		if !ok {
			continue
		}
		s.stat("message_rx")
		select {
		case s.recv <- m:
		case <-s.quit:
			return ErrClosed
		}
	}
}

// receive takes one page (LaneStack._handleOneRx and processRx) and
// returns the message it completes, if any. Every page dropped is counted.
func (s *Stack) receive(b []byte, from string, books map[bookIndex]*RxBook, order *[]bookIndex) (Received, bool) {
	h, section, err := ParsePage(b)
	if err != nil {
		s.stat("invalid_page_header")
		return Received{}, false
	}
	if h.DN != s.name {
		// The reference counts this and goes on to take the page anyway.
		s.stat("invalid_destination")
		return Received{}, false
	}
	s.mu.Lock()
	y := s.yards[h.SN]
	if y == nil {
		if s.cfg.RefuseUnknown {
			s.stats["unaccepted_source_yard"]++
			s.mu.Unlock()
			return Received{}, false
		}
		ha := from
		if ha == "" { // an unbound sender: where a yard of that name would be
			ha = HA(s.dir, s.lane, h.SN)
		}
		if _, yard, err := NamesFromHA(ha); err != nil || yard != h.SN || CheckYard(h.SN) != nil {
			// The reference would crash looking up a name its new
			// remote does not have.
			s.stats["invalid_source_yard"]++
			s.mu.Unlock()
			return Received{}, false
		}
		y = s.yardLocked(h.SN, ha)
		s.stats["yard_accepted"]++
	}
	stale := y.rsid != "" && h.SI != y.rsid
	y.rsid = h.SI
	s.mu.Unlock()
	if stale { // a new session: books begun in the old one will not end
		for idx := range books {
			if idx.sn == h.SN && idx.si != h.SI {
				delete(books, idx)
				s.stat("stale_book")
			}
		}
	}
	plain := section
	if h.Count() > 1 {
		idx := bookIndex{sn: h.SN, si: h.SI, bi: h.BI}
		book := books[idx]
		if book == nil {
			if h.PN != 0 {
				s.stat("missed_page")
				return Received{}, false
			}
			book = &RxBook{}
			books[idx] = book
			*order = append(*order, idx)
			s.limitBooks(h.SN, books, order)
		}
		if plain, err = book.Add(h, section); err != nil {
			delete(books, idx)
			s.stat("invalid_page")
			return Received{}, false
		}
		if plain == nil {
			return Received{}, false
		}
		delete(books, idx)
	}
	// plain is this page's own copy or the book joined: given away.
	m, err := body.DecodeOwned(h.BodyKind(), plain)
	if err != nil {
		s.stat("parsing_body_error")
		return Received{}, false
	}
	return Received{Body: m, From: h.SN}, true
}

// limitBooks drops a source's oldest unfinished books beyond MaxPartialBooks.
func (s *Stack) limitBooks(sn string, books map[bookIndex]*RxBook, order *[]bookIndex) {
	live := (*order)[:0]
	for _, idx := range *order {
		if books[idx] != nil {
			live = append(live, idx)
		}
	}
	*order = live
	n := 0
	for _, idx := range live {
		if idx.sn == sn {
			n++
		}
	}
	for i := 0; n > MaxPartialBooks && i < len(live); i++ {
		if idx := live[i]; idx.sn == sn && books[idx] != nil {
			delete(books, idx)
			n--
			s.stat("book_dropped")
		}
	}
}
