package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/runner"
)

// acceptKeys writes accepted keys for ids in the master's pki_dir.
func acceptKeys(t *testing.T, cfg *config.Master, ids ...string) {
	t.Helper()
	store, err := pki.Open(cfg.PKIDir, pki.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		sig, pri := testutil.NamedKeys(t, id)
		if _, err := store.Status(id, pri.PubHex(), sig.VerHex()); err != nil {
			t.Fatal(err)
		}
	}
}

// writeBank writes <cachedir>/minions/<id>/<file> as the master does.
func writeBank(t *testing.T, cfg *config.Master, id, file string, m body.Map) {
	t.Helper()
	b, err := body.AppendMsgpack(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cfg.Cachedir, "minions", id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// oneLine is a result as JSON on one line, keys in their order.
func oneLine(t *testing.T, v any) string {
	t.Helper()
	indent := -1
	s, err := output.JSONOut(v, &indent, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func kv(pairs ...any) body.Map {
	var m body.Map
	for i := 0; i < len(pairs); i += 2 {
		m = append(m, body.Item{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return m
}

// cacheFixture is a master's config with three accepted minions: m1 with
// grains, pillar and a mine, m2 with grains only, m3 with nothing cached;
// and "gone", whose key was deleted but whose cache is left.
func cacheFixture(t *testing.T) (*config.Master, *runner.Runners) {
	cfg := masterConfig(t, "")
	acceptKeys(t, cfg, "m1", "m2", "m3")
	writeBank(t, cfg, "m1", "data.p", kv("grains", kv("id", "m1", "os", "A"), "pillar", kv("k", "v1")))
	writeBank(t, cfg, "m1", "mine.p", kv("ips", []any{"10.0.0.1"}))
	writeBank(t, cfg, "m2", "data.p", kv("grains", kv("id", "m2", "os", "B"), "pillar", kv()))
	writeBank(t, cfg, "gone", "data.p", kv("grains", kv("id", "gone"), "pillar", kv("k", "old")))
	return cfg, runner.New(&runner.Env{Opts: cfg})
}

func TestCacheReads(t *testing.T) {
	_, r := cacheFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		fun  string
		args []any
		want string
	}{
		{"cache.grains", []any{"*"}, `{"m1": {"id": "m1", "os": "A"}, "m2": {"id": "m2", "os": "B"}, "m3": {}}`},
		// greedy, as check_minions: m3, with no grains cached, matches
		{"cache.grains", []any{"os:A", "tgt_type=grain"}, `{"m1": {"id": "m1", "os": "A"}, "m3": {}}`},
		{"cache.grains", []any{"nobody"}, `{}`},
		{"cache.pillar", []any{"m*"}, `{"m1": {"k": "v1"}, "m2": {}, "m3": {}}`},
		// without a target: every non-empty cached pillar, keys or not
		{"cache.pillar", nil, `{"gone": {"k": "old"}, "m1": {"k": "v1"}}`},
		{"cache.mine", []any{"m1,m2", "tgt_type=list"}, `{"m1": {"ips": ["10.0.0.1"]}, "m2": {}}`},
		// without a target: every cached minion, {} without a mine (localfs
		// fetch gives {} for a missing file)
		{"cache.mine", nil, `{"gone": {}, "m1": {"ips": ["10.0.0.1"]}, "m2": {}}`},
	} {
		res := r.Run(ctx, tc.fun, tc.args)
		if res.Raised {
			t.Errorf("%s %v raised: %v", tc.fun, tc.args, res.Return)
			continue
		}
		if got := oneLine(t, res.Return); got != tc.want {
			t.Errorf("%s %v = %s, want %s", tc.fun, tc.args, got, tc.want)
		}
	}
	if res := r.Run(ctx, "cache.grains", nil); !res.Raised {
		t.Errorf("cache.grains without tgt = %#v, want an error: tgt is required", res.Return)
	}
}

func TestCacheClear(t *testing.T) {
	cfg, r := cacheFixture(t)
	ctx := context.Background()
	if res := r.Run(ctx, "cache.clear_pillar", nil); res.Raised || res.Return != false {
		t.Fatalf("cache.clear_pillar without tgt = %#v, want False", res.Return)
	}
	if res := r.Run(ctx, "cache.clear_pillar", []any{"m1"}); res.Raised || res.Return != true {
		t.Fatalf("cache.clear_pillar m1 = %#v", res.Return)
	}
	if got := oneLine(t, r.Run(ctx, "cache.grains", []any{"m1"}).Return); got != `{"m1": {"id": "m1", "os": "A"}}` {
		t.Errorf("m1's grains after clear_pillar = %s", got)
	}
	if got := oneLine(t, r.Run(ctx, "cache.pillar", []any{"m1"}).Return); got != `{"m1": {}}` {
		t.Errorf("m1's pillar after clear_pillar = %s", got)
	}
	if res := r.Run(ctx, "cache.clear_all", []any{"*"}); res.Raised || res.Return != true {
		t.Fatalf("cache.clear_all = %#v", res.Return)
	}
	for _, f := range []string{"m1/data.p", "m1/mine.p", "m2/data.p"} {
		if _, err := os.Stat(filepath.Join(cfg.Cachedir, "minions", f)); !os.IsNotExist(err) {
			t.Errorf("%s is still there after clear_all (stat: %v)", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.Cachedir, "minions", "gone", "data.p")); err != nil {
		t.Errorf("clear_all '*' cleared a minion without a key: %v", err)
	}
}

// TestCacheCorruptFile: a data.p that is no msgpack mapping is an error
// naming the file.
func TestCacheCorruptFile(t *testing.T) {
	cfg, r := cacheFixture(t)
	path := filepath.Join(cfg.Cachedir, "minions", "m2", "data.p")
	if err := os.WriteFile(path, []byte("\xc1garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background(), "cache.grains", []any{"*"})
	if msg, _ := res.Return.(string); !res.Raised || !strings.Contains(msg, path) {
		t.Errorf("cache.grains with a corrupt %s = %#v, want an error naming it", path, res.Return)
	}
}
