package minion

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// fakeRequester stands for the minion's request channel: it records the
// loads and answers each _pillar with the same pillar.
type fakeRequester struct {
	mu     sync.Mutex
	loads  []body.Map
	pillar body.Map
}

func (f *fakeRequester) Request(ctx context.Context, load body.Map) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads = append(f.loads, load)
	return f.pillar, nil
}

func (f *fakeRequester) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.loads)
}

// The minion asks for its pillar after the allow and on
// saltutil.refresh_pillar, keeps it in memory for pillar.* and matches
// pillar targets against it; no pillar value reaches its log.
func TestPillarFetchAndTargets(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "saltenv: dev\npillarenv: prod\n")
	fr := &fakeRequester{pillar: body.Map{{Key: "role", Value: "db"}, {Key: "secret", Value: "s3cr3t-m1"},
		{Key: "app", Value: body.Map{{Key: "port", Value: int64(8080)}}}}}
	r := e.start("127.0.0.1:0", withPillarRequester(fr))
	waitFor(t, "the pillar in memory", func() bool { return r.m.Pillar()["role"] == "db" })
	if app, ok := r.m.Pillar()["app"].(map[string]any); !ok || app["port"] != int64(8080) {
		t.Fatalf("nested pillar %#v", r.m.Pillar()["app"])
	}
	fr.mu.Lock()
	load := fr.loads[0]
	fr.mu.Unlock()
	if cmd, _ := load.String("cmd"); cmd != "_pillar" || field(t, load, "id") != "m1" || field(t, load, "ver") != "2" {
		t.Fatalf("pillar load %v", load)
	}
	if field(t, load, "saltenv") != "dev" || field(t, load, "pillarenv") != "prod" {
		t.Fatalf("pillar load environments %v", load)
	}
	if g, ok := field(t, load, "grains").(map[string]any); !ok || g["id"] != "m1" {
		t.Fatalf("pillar load grains %v", load)
	}

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "role:db", "pillar", "pillar.get", "app:port"))
	if ret := field(t, loadOf(t, fm.waitReturn(jid)), "return"); ret != int64(8080) {
		t.Fatalf("pillar.get app:port returned %v", ret)
	}
	skipped := newJID()
	fm.publish("m1_minion", pubLoad(skipped, "role:web", "pillar", "test.ping"))
	e.hook.wait(t, "Job "+skipped+" is not for this minion", 1)

	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "pillar.items", "pillar={extra: 1}"))
	if ret, _ := field(t, loadOf(t, fm.waitReturn(jid)), "return").(body.Map); ret == nil {
		t.Fatalf("pillar.items returned %v", ret)
	}
	fr.mu.Lock()
	load = fr.loads[len(fr.loads)-1]
	fr.mu.Unlock()
	// From a job process the load comes decoded (body.Map), as the master
	// gets it; from the minion as it built it.
	o := py.Plain(field(t, load, "pillar_override"))
	if field(t, load, "saltenv") != nil || field(t, load, "pillarenv") != "prod" || o.(map[string]any)["extra"] != int64(1) {
		t.Fatalf("pillar.items load %v", load)
	}

	before := fr.count()
	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "J@role:^d and m1", "compound", "saltutil.refresh_pillar", "wait=True"))
	if ret := field(t, loadOf(t, fm.waitReturn(jid)), "return"); ret != true {
		t.Fatalf("saltutil.refresh_pillar returned %v", ret)
	}
	if fr.count() != before+1 {
		t.Fatalf("refresh_pillar asked %d times", fr.count()-before)
	}
	e.hook.mu.Lock()
	defer e.hook.mu.Unlock()
	for _, line := range e.hook.entries {
		if strings.Contains(line, "s3cr3t") {
			t.Fatalf("a pillar value reached the minion's log: %s", line)
		}
	}
}
