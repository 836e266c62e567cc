package master

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// mineAsk sends a mine load from mn and gives the answer in Python's repr.
func (mn *minion) mineAsk(tm *tmaster, load body.Map) string {
	mn.t.Helper()
	return py.Repr(mn.request(tm, load))
}

// The master keeps each minion's mine in minions/<id>/mine.p under the id
// of the estate that signed the _mine, whatever the load claims; mine.get
// answers from the mines of the minions the target matches now (a grain
// target only those whose grains are cached), one function as {minion:
// data} and several as {fun: {minion: data}}, hiding entries whose
// allow_tgt does not name the asker; delete and flush touch only the
// asker's own mine.
func TestMine(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	db1 := newMinion(t, tm, "db1").connect(tm)
	ask := func(mn *minion, load body.Map, want string) {
		t.Helper()
		if got := mn.mineAsk(tm, load); got != want {
			t.Errorf("%s %s = %s, want %s", mn.id, py.Repr(load), got, want)
		}
	}
	ask(web1, protocol.MineLoad("db1", body.Map{{Key: "a", Value: 1},
		{Key: "acl", Value: protocol.MineACLEntry("s", "db1", nil)}}, false), "True")
	ask(db1, protocol.MineLoad("db1", body.Map{{Key: "a", Value: 2}}, false), "True")
	if _, err := os.Stat(filepath.Join(tm.cfg.Cachedir, "minions", "web1", MineFile)); err != nil {
		t.Fatalf("web1's mine (claiming db1) was not kept as web1's: %v", err)
	}
	ask(web1, protocol.MineGetLoad("web1", "*", "a", "glob"), "{'db1': 2, 'web1': 1}")
	ask(db1, protocol.MineGetLoad("db1", "*", "a,acl", "glob"), "{'a': {'db1': 2, 'web1': 1}, 'acl': {'web1': 's'}}")
	ask(web1, protocol.MineGetLoad("web1", "*", []any{"acl"}, "glob"), "{}")
	ask(web1, protocol.MineGetLoad("web1", "db*", "a", "glob"), "{'db1': 2}")
	ask(web1, protocol.MineGetLoad("web1", "web1,db1", "a", "list"), "{'db1': 2, 'web1': 1}")

	// Grains cached by a pillar request: only web1 has them.
	web1.request(tm, protocol.PillarLoad("web1", map[string]any{"os": "Debian"}, "", "", nil))
	ask(db1, protocol.MineGetLoad("db1", "os:Debian", "a", "grain"), "{'web1': 1}")
	ask(db1, protocol.MineGetLoad("db1", "G@os:Debian or db1", "a", "compound"), "{'db1': 2, 'web1': 1}")

	ask(web1, protocol.MineLoad("web1", body.Map{{Key: "b", Value: 3}}, true), "True")
	ask(db1, protocol.MineGetLoad("db1", "web1", "a,b", "glob"), "{'b': {'web1': 3}}")
	ask(db1, protocol.MineDeleteLoad("web1", "a"), "True")
	ask(db1, protocol.MineGetLoad("db1", "*", "a", "glob"), "{}")
	ask(web1, protocol.MineFlushLoad("db1"), "True")
	ask(web1, protocol.MineFlushLoad("web1"), "False")
	ask(db1, protocol.MineGetLoad("db1", "*", "b", "glob"), "{}")
	tm.waitStat("mine_request", 16)
}

// The master's mine_get ACL: a minion reads only the functions a pattern
// for its id allows.
func TestMineGetACL(t *testing.T) {
	tm := newMaster(t, "mine_get:\n  'db.*': ['net\\..*']\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	db1 := newMinion(t, tm, "db1").connect(tm)
	if got := web1.mineAsk(tm, protocol.MineLoad("web1", body.Map{{Key: "net.ip", Value: "10.0.0.1"}, {Key: "secret", Value: "s"}}, false)); got != "True" {
		t.Fatalf("_mine: %s", got)
	}
	for _, c := range []struct {
		mn        *minion
		fun, want string
	}{
		{db1, "net.ip", "{'web1': '10.0.0.1'}"},
		{db1, "net.ip,secret", "{'net.ip': {'web1': '10.0.0.1'}}"},
		{db1, "secret", "{}"},
		{web1, "net.ip", "{}"},
	} {
		if got := c.mn.mineAsk(tm, protocol.MineGetLoad(c.mn.id, "*", c.fun, "glob")); got != c.want {
			t.Errorf("%s gets %s: %s, want %s", c.mn.id, c.fun, got, c.want)
		}
	}
}
