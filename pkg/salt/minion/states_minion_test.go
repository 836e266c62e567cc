package minion

import (
	"context"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// A minion whose state system is wired runs state.* jobs: the return
// names the highstate outputter, a failed state makes its retcode 2, and
// pillar= asks the master for a fresh pillar. Not parallel: it sets the
// package's wiring, which the parallel tests (run after it) find restored;
// and its jobs run in the minion (multiprocessing: false), where that
// wiring is.
func TestMinionStateJobs(t *testing.T) {
	defer func(w func(*Minion, *stateSystem)) { wireStates = w }(wireStates)
	wireStates = func(m *Minion, s *stateSystem) {
		c := &fakeCompiler{high: map[string]body.Map{"base": {highState("a", "web", "base")}}}
		fake, _ := fakeSystem(c, nil)
		s.compiler, s.compile = fake.compiler, fake.compile
		s.run = func(ctx context.Context, chunks []state.Low, test bool, env *state.Env) body.Map {
			return body.Map{{Key: chunks[0].Tag(), Value: body.Map{{Key: "result", Value: env.Pillar["role"] == "db"}}}}
		}
	}
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "multiprocessing: false\n")
	fr := &fakeRequester{pillar: body.Map{{Key: "role", Value: "db"}}}
	r := e.start("127.0.0.1:0", withPillarRequester(fr))
	waitFor(t, "the pillar in memory", func() bool { return r.m.Pillar()["role"] == "db" })

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "state.apply", "web"))
	load := loadOf(t, fm.waitReturn(jid))
	ret, _ := field(t, load, "return").(body.Map)
	if field(t, load, "out") != "highstate" || field(t, load, "retcode") != int64(0) || len(ret) != 1 || ret[0].Key != "test_|-a_|-a_|-nop" {
		t.Fatalf("state.apply return %v", load)
	}
	before := fr.count()
	fr.mu.Lock()
	fr.pillar = body.Map{{Key: "role", Value: "web"}}
	fr.mu.Unlock()
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "m1", "glob", "state.sls", "web",
		body.Map{{Key: "__kwarg__", Value: true}, {Key: "pillar", Value: body.Map{{Key: "k", Value: "v"}}}}))
	load = loadOf(t, fm.waitReturn(jid))
	if field(t, load, "retcode") != int64(2) || field(t, load, "success") != false || fr.count() == before {
		t.Fatalf("state.sls with a fresh pillar whose state fails: %v (pillar requests %d→%d)", load, before, fr.count())
	}
}
