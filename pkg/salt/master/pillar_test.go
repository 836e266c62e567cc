package master

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// fakePillar is the pillar compiler of these tests: it records what it was
// asked and gives each minion a role and a secret of its own.
type fakePillar struct {
	mu    sync.Mutex
	calls []pillarCall
}

type pillarCall struct {
	id, saltenv, pillarenv string
	grains, override       map[string]any
}

func (f *fakePillar) compile(id string, grains map[string]any, saltenv, pillarenv string, override map[string]any) map[string]any {
	f.mu.Lock()
	f.calls = append(f.calls, pillarCall{id, saltenv, pillarenv, grains, override})
	f.mu.Unlock()
	role := "web"
	if strings.HasPrefix(id, "db") {
		role = "db"
	}
	return map[string]any{"role": role, "secret": "s3cr3t-" + id, "nested": map[string]any{"tier": role + "-tier"}}
}

func (f *fakePillar) last() pillarCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// askPillar sends a _pillar request on a track, claiming another id, and
// returns the master's answer.
func (mn *minion) askPillar(est, track string, load body.Map) body.Map {
	mn.t.Helper()
	load = append(body.Map{{Key: "id", Value: "someone-else"}}, load...)
	load.Set("ver", "2")
	load.Set("cmd", protocol.CmdPillar)
	mn.send(protocol.Request(mn.estate(), est, track, load))
	select {
	case m := <-mn.others:
		rt := routeOf(mn.t, m)
		if rt.Src.Estate != est || rt.Dst.Estate != mn.estate() || rt.Dst.Share != track {
			mn.t.Fatalf("pillar reply route %v, want it on track %s", rt, track)
		}
		return m
	case <-time.After(wait):
		mn.t.Fatalf("%s got no pillar reply", mn.id)
	}
	return nil
}

// A _pillar request on a track is answered there with the pillar compiled
// for the minion that signed it, whatever id the load claims; grains and
// pillar are cached in data.p and pillar targets use them, greedily for a
// minion with nothing cached. No pillar value reaches the log.
func TestPillarOnTrack(t *testing.T) {
	fp := &fakePillar{}
	tm := newMaster(t, "", WithPillar(fp.compile)).start()
	est := tm.m.EstateName()
	web1 := newMinion(t, tm, "web1").connect(tm)
	db1 := newMinion(t, tm, "db1").connect(tm)
	newMinion(t, tm, "nodata").accept(tm)

	reply := web1.askPillar(est, "trk0123456789abcde", body.Map{
		{Key: "grains", Value: body.Map{{Key: "os", Value: "Ubuntu"}, {Key: "id", Value: "liar"},
			{Key: "ip", Value: body.Map{{Key: "v4", Value: []any{"10.0.0.1"}}}}}},
		{Key: "saltenv", Value: "base"}, {Key: "pillarenv", Value: "dev"},
		{Key: "pillar_override", Value: body.Map{{Key: "extra", Value: int64(1)}}},
	})
	ret, ok := protocol.ReplyValue(reply)
	if p, _ := ret.(body.Map); !ok || get(p, "secret") != "s3cr3t-web1" || get(p, "nested", "tier") != "web-tier" {
		t.Fatalf("web1's pillar reply %v", ret)
	}
	c := fp.last()
	if c.id != "web1" || c.saltenv != "base" || c.pillarenv != "dev" || c.grains["id"] != "web1" || c.override["extra"] != int64(1) {
		t.Fatalf("compiled with %+v", c)
	}
	if ip, ok := c.grains["ip"].(map[string]any); !ok || !slices.Equal(ip["v4"].([]any), []any{"10.0.0.1"}) {
		t.Fatalf("nested grains reach the compiler as %T %v", c.grains["ip"], c.grains["ip"])
	}
	db1.askPillar(est, "trkdb1db1db1db1db1", body.Map{{Key: "grains", Value: body.Map{{Key: "os", Value: "Debian"}}}})

	g, p := tm.m.cachedData("web1")
	if g["os"] != "Ubuntu" || g["id"] != "web1" || p["secret"] != "s3cr3t-web1" {
		t.Fatalf("web1's data.p: grains %v pillar %v", g, p)
	}
	if _, err := ReadGrains(filepath.Join(tm.cfg.Cachedir, "minions", "someone-else", DataFile)); err == nil {
		t.Fatal("data stored under the id the load claimed")
	}

	cl := newClient(t, tm)
	for _, tc := range []struct {
		tgtType, tgt string
		want         []string
	}{
		{"pillar", "role:db", []string{"db1", "nodata"}},
		{"pillar", "nested:tier:web-*", []string{"nodata", "web1"}},
		{"pillar_pcre", "role:^w.b$", []string{"nodata", "web1"}},
		{"compound", "I@role:db and not nodata", []string{"db1"}},
		{"compound", "J|@role|^d or L@web1", []string{"db1", "nodata", "web1"}},
		{"compound", "I@role:web and G@os:Ubuntu", []string{"nodata", "web1"}},
	} {
		cl.publish(pubLoad(tm.key(), tc.tgt, tc.tgtType, "test.ping"))
		if got := strs(get(cl.reply(), "return", "ret", "minions")); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: minions %v, want %v", tc.tgtType, tc.tgt, got, tc.want)
		}
	}
	if strings.Contains(tm.logs.String(), "s3cr3t") {
		t.Fatalf("a pillar value reached the master's log:\n%s", tm.logs.String())
	}
}

// Without a pillar function every pillar is empty, and the track form is
// answered with it.
func TestPillarDefaultEmpty(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	ret, ok := protocol.ReplyValue(web1.askPillar(tm.m.EstateName(), "trk000000000000000", body.Map{{Key: "grains", Value: body.Map{}}}))
	if p, isMap := ret.(body.Map); !ok || !isMap || len(p) != 0 {
		t.Fatalf("pillar %v", ret)
	}
}

// A pillar that takes long to compile holds one worker, not the router:
// the master goes on serving publishes meanwhile.
func TestPillarCompileOffRouter(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	slow := func(id string, grains map[string]any, saltenv, pillarenv string, override map[string]any) map[string]any {
		started <- struct{}{}
		<-release
		return map[string]any{"role": "web"}
	}
	tm := newMaster(t, "", WithPillar(slow)).start()
	est := tm.m.EstateName()
	web1 := newMinion(t, tm, "web1").connect(tm)
	go web1.road.Transmit(protocol.Request(web1.estate(), est, "trkslowslowslowslo", body.Map{
		{Key: "grains", Value: body.Map{}}, {Key: "cmd", Value: protocol.CmdPillar}}), web1.master, wait)
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("the pillar was never compiled")
	}
	cl := newClient(t, tm)
	cl.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	if got := strs(get(cl.reply(), "return", "ret", "minions")); !slices.Equal(got, []string{"web1"}) {
		t.Fatalf("publish while a pillar compiles: minions %v", got)
	}
	close(release)
	select {
	case m := <-web1.others:
		if ret, _ := protocol.ReplyValue(m); get(ret, "role") != "web" {
			t.Fatalf("pillar reply %v", m)
		}
	case <-time.After(wait):
		t.Fatal("no pillar reply once the compile finished")
	}
}
