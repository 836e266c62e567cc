package master

import (
	"crypto/sha256"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
)

// spoofedJoin is a vacuous join request of a made-up minion: a new id and
// new keys each time, as anyone who can send to the master's port can.
func spoofedJoin(t *testing.T, i int) []byte {
	t.Helper()
	seed := sha256.Sum256(fmt.Appendf(nil, "spoof/%d", i))
	signer, err := raet.NewSigner(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	priv, err := raet.NewPrivateer(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("spoof%d", i)
	plain, err := body.Encode(raet.BodyJSON, body.Map{
		{Key: "name", Value: id + "_minion"}, {Key: "mode", Value: int64(0)}, {Key: "kind", Value: int64(0)},
		{Key: "verhex", Value: signer.VerHex()}, {Key: "pubhex", Value: priv.PubHex()}, {Key: "role", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := road.PackTray(road.Head{HK: raet.HeadRaet, BK: raet.BodyJSON, PK: raet.PcktRequest,
		TK: raet.TrnsJoin, SE: uint32(2 + i), TI: uint32(1 + i)}, plain, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ps[0].Packed
}

func pendingKeys(t *testing.T, tm *tmaster) int {
	t.Helper()
	l, err := tm.m.store.List()
	if err != nil {
		t.Fatal(err)
	}
	return len(l[raet.Pending])
}

// 2,000 spoofed joins from one port are rate limited; spoofed joins from
// many ports leave at most max_pending_keys pending keys, the refusals
// counted; a legitimate minion joins and is allowed throughout.
func TestJoinFloodBoundsPendingKeys(t *testing.T) {
	tm := newMaster(t, "max_pending_keys: 20\n").start()
	one, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	to := net.UDPAddrFromAddrPort(tm.m.RoadAddr())
	sent := 0
	for batch := 0; batch < 20; batch++ {
		for range 100 {
			if _, err := one.WriteToUDP(spoofedJoin(t, sent), to); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		// Each batch is taken before the next is sent, so the socket's
		// buffer drops none of them.
		eventually(t, "the batch taken", func() bool {
			return int(tm.m.road.Stats()["join_rate_limited"])+pendingKeys(t, tm)+int(tm.m.Stats()["pending_keys_refused"]) >= sent
		})
	}
	limited := tm.m.road.Stats()["join_rate_limited"]
	if limited < 1900 || pendingKeys(t, tm) > 20 {
		t.Fatalf("from one port: %d limited, %d pending", limited, pendingKeys(t, tm))
	}
	for i := range 60 { // one join each from 60 ports
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		c.WriteToUDP(spoofedJoin(t, sent+i), to)
		c.Close()
	}
	web1 := newMinion(t, tm, "web1").connect(tm)
	tm.waitStat("pending_keys_refused", 1)
	eventually(t, "the many ports' joins decided", func() bool {
		return pendingKeys(t, tm)+int(tm.m.Stats()["pending_keys_refused"]) >= 60
	})
	if n := pendingKeys(t, tm); n != 20 {
		t.Errorf("%d pending keys, want the bound 20", n)
	}
	if !strings.Contains(tm.logs.String(), "max_pending_keys") {
		t.Errorf("no warning names max_pending_keys")
	}
	web1.waitAllowed(tm)
}
