package road

import (
	"net/netip"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// sentConn records what a core writes.
type sentConn struct {
	Conn
	to   []netip.AddrPort
	sent []*wire.Packet
}

func (s *sentConn) WriteTo(b []byte, to netip.AddrPort) error {
	p, err := wire.ParsePacket(append([]byte(nil), b...))
	if err != nil {
		return err
	}
	s.to, s.sent = append(s.to, to), append(s.sent, p)
	return nil
}

// endingCase is one side of a kind, made with one transaction in process.
type endingCase struct {
	side string
	make func(c *core, r *Remote) *txBase
	bk   raet.BodyKind
	to   netip.AddrPort
}

func endingCases(elsewhere netip.AddrPort) []endingCase {
	return []endingCase{
		{"joiner", func(c *core, r *Remote) *txBase {
			j := &joiner{}
			j.txBase = newTxBase(c, r, raet.TrnsJoin, false, 0, 1, time.Second, time.Second, time.Second)
			j.self, j.head = j, j.txBase.head(raet.PcktRequest, raet.CoatNada, raet.FootNada)
			j.idx = txIndexOf(&j.head, r.HA)
			r.transactions[j.idx] = j
			return &j.txBase
		}, raet.BodyJSON, peerAddr},
		{"joinent", func(c *core, r *Remote) *txBase {
			e := &joinent{}
			e.txBase = newTxBase(c, r, raet.TrnsJoin, true, 0, 1, time.Second, time.Second, time.Second)
			e.self, e.nackTo = e, elsewhere
			e.head = wire.Head{HK: c.cfg.HeadKind, BK: c.cfg.BodyKind, TK: raet.TrnsJoin, SE: 2, DE: 3, CF: true, TI: 1}
			e.idx = txIndexOf(&e.head, elsewhere)
			r.transactions[e.idx] = e
			return &e.txBase
		}, raet.BodyJSON, elsewhere},
		{"allower", sideOf(raet.TrnsAllow, false, func() (txSelf, *txBase) { a := &allower{}; return a, &a.txBase }), raet.BodyRaw, peerAddr},
		{"allowent", sideOf(raet.TrnsAllow, true, func() (txSelf, *txBase) { e := &allowent{}; return e, &e.txBase }), raet.BodyRaw, peerAddr},
		{"aliver", sideOf(raet.TrnsAlive, false, func() (txSelf, *txBase) { a := &aliver{}; return a, &a.txBase }), raet.BodyJSON, peerAddr},
	}
}

// sideOf makes a transaction whose head needs no more than its base, and
// holds it on its remote.
func sideOf(tk raet.TrnsKind, rmt bool, made func() (txSelf, *txBase)) func(c *core, r *Remote) *txBase {
	return func(c *core, r *Remote) *txBase {
		self, b := made()
		*b = newTxBase(c, r, tk, rmt, 1, 1, time.Second, time.Second, time.Second)
		b.self = self
		r.transactions[b.index()] = self.(transaction)
		return b
	}
}

// Every side of every kind ends the same way, through the common base: a
// nack forgets the transaction, goes once to the remote (or, for a joinent,
// where the request came from) with the kind's head, and counts the side's
// failure; the timeout is counted under the side's name.
func TestSharedEndings(t *testing.T) {
	signer, priv := testKeys(t, 0x33)
	elsewhere := netip.MustParseAddrPort("127.0.0.1:7599")
	for _, x := range endingCases(elsewhere) {
		t.Run(x.side, func(t *testing.T) {
			clk := clock.NewFake()
			conn := &sentConn{}
			c := newCore(Config{Name: "x", Signer: signer, Privateer: priv, Conn: conn, Clock: clk})
			r := newRemote(2, peerAddr)
			r.FUID = 3
			b := x.make(c, r)
			if b.side() != x.side {
				t.Fatalf("side %q", b.side())
			}
			if got := inProcess(r, b.tk); len(got) != 1 {
				t.Fatalf("%d in process", len(got))
			}
			if b.gaveUp(clk.Now()) {
				t.Fatal("gave up before its timeout")
			}
			clk.Advance(time.Second)
			if !b.gaveUp(clk.Now()) || c.stats[x.side+"_timeout"] != 1 {
				t.Fatalf("timeout not counted: %v", c.stats)
			}
			b.nackKind(raet.PcktRefuse)
			if len(r.transactions) != 0 {
				t.Error("the nacked transaction is still held")
			}
			if len(conn.sent) != 1 || conn.to[0] != x.to {
				t.Fatalf("sent %d packets, to %v; want one to %v", len(conn.sent), conn.to, x.to)
			}
			if p := conn.sent[0]; p.PK != raet.PcktRefuse || p.TK != b.tk || p.BK != x.bk || p.CF != b.rmt || len(p.Coat()) != 0 {
				t.Errorf("nack %+v", p.Head)
			}
			if c.stats[x.side+"_transaction_failure"] != 1 {
				t.Errorf("failure not counted under %s: %v", x.side, c.stats)
			}
			b.fail()
			if len(conn.sent) != 1 || c.stats[x.side+"_transaction_failure"] != 2 {
				t.Errorf("fail sent %d, counted %v", len(conn.sent)-1, c.stats)
			}
		})
	}
}
