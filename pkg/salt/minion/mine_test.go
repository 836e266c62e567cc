package minion

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// The mine schedule on the fake clock: once the minion has its master and
// has asked for its pillar, mine.update sends the mine_functions' returns
// (_mine), and again every mine_interval minutes, not a moment before.
func TestMineScheduleOnTheFakeClock(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "mine_interval: 2\nmine_functions:\n  test.ping: []\n")
	f := clock.NewFake()
	t0 := f.Now()
	e.start("127.0.0.1:0", WithClock(f), WithRetryInterval(time.Hour))
	isMine := isCmd("_mine")
	msg := fm.waitCmd("the first _mine", isMine)
	data, _ := loadOf(t, msg).Map("data")
	if v, _ := data.Get("test.ping"); v != true {
		t.Fatalf("_mine data %v", data)
	}
	next := t0.Add(2 * time.Minute)
	waitPending(t, f, next)
	f.Advance(2*time.Minute - time.Millisecond)
	if n := fm.count(isMine); n != 1 {
		t.Fatalf("%d _mine before mine_interval passed", n)
	}
	f.Advance(time.Millisecond)
	waitFor(t, "the second _mine", func() bool { return fm.count(isMine) == 2 })
}

// mine_enabled: False keeps the schedule off.
func TestMineScheduleDisabled(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "mine_enabled: false\nmine_functions:\n  test.ping: []\n")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	// The fake master answers no pillar on the track: once the minion
	// gives up on it the schedule would start; a job published then
	// returns after the first _mine would have gone.
	e.hook.wait(t, "Pillar not refreshed", 1)
	jid := newJID()
	fm.publish(r.m.Estate(), pubLoad(jid, "m1", "glob", "test.ping"))
	fm.waitReturn(jid)
	if n := fm.count(func(l body.Map) bool { c, _ := l.String("cmd"); return c == "_mine" }); n != 0 {
		t.Fatalf("%d _mine with mine_enabled false", n)
	}
}
