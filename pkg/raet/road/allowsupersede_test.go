package road

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/netsim"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// An allower that gave up and says hello again has ended its first allow:
// the main's allowent of that first allow, still waiting on an initiate
// that will not come, gives way to the new one instead of refusing it. In
// a join storm a main seconds behind on its queue read the new hello while
// its old allowent lived, refused it, and the minion waited a presence
// period to try again, and again.
func TestNewerHelloSupersedesStaleAllowent(t *testing.T) {
	s := newSim(t, 1)
	alpha := s.add(Config{Name: "alpha", Main: true, Timers: Timers{AllowTimeout: time.Minute}}, 7560, raet.AutoAlways)
	beta := s.add(Config{Name: "beta"}, 7561, raet.AutoAlways)
	dropCookies := true
	beta.ep.SetHandler(func(d netsim.Datagram) {
		if p, err := wire.ParsePacket(d.Data); dropCookies && err == nil && p.TK == raet.TrnsAllow && p.PK == raet.PcktCookie {
			return
		}
		beta.receive(d.From, d.Data)
	})
	r := newRemote(0, alpha.conn.LocalAddr())
	beta.addRemote(r)
	beta.join(r, false, true)
	s.runUntil(time.Minute, "beta's first allow given up", func() bool { return beta.stats[sideName(raet.TrnsAllow, false)+"_timeout"] > 0 })
	rb := alpha.byName["beta"]
	if rb == nil || len(allowInProcess(rb)) != 1 {
		t.Fatalf("alpha's allowent of the first allow is not under way: %+v", rb)
	}

	dropCookies = false
	beta.allow(r, false)
	s.runUntil(20*time.Second, "allowed by a second hello", func() bool { return r.Allowed == Yes && rb.Allowed == Yes })
	sameSession(t, alpha, beta)
	if alpha.stats["allow_superseded"] != 1 || alpha.stats["redundant_allow_attempt"] != 0 {
		t.Fatalf("stats %v", alpha.stats)
	}
	if n := len(allowInProcess(rb)); n != 0 {
		t.Fatalf("%d allows still under way at alpha", n)
	}
}
