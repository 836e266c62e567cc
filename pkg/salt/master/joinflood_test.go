package master

import (
	"net"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
)

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
			if _, err := one.WriteToUDP(testutil.SpoofedJoin(t, sent), to); err != nil {
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
		c.WriteToUDP(testutil.SpoofedJoin(t, sent+i), to)
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
