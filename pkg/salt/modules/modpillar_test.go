package modules

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// refPillar is the pillar the expected values below were taken for, from
// Salt 3006.3's salt-call --local pillar.* --out=json.
func refPillar() map[string]any {
	return map[string]any{
		"role": "db",
		"users": map[string]any{
			"alice": map[string]any{"uid": int64(1001)},
			"bob":   map[string]any{"uid": int64(1002)},
		},
		"tags": []any{"blue", "green"},
		"list_of_maps": []any{
			map[string]any{"name": "x", "v": int64(1)},
			map[string]any{"name": "y", "v": int64(2)},
		},
	}
}

type fetchCall struct {
	pillarenv string
	override  map[string]any
}

func pillarExecutor(fetched *[]fetchCall) *Executor {
	return New(Options{
		Pillar: refPillar,
		FetchPillar: func(ctx context.Context, pillarenv string, override map[string]any) (map[string]any, error) {
			*fetched = append(*fetched, fetchCall{pillarenv, override})
			p := refPillar()
			p["fresh"] = true
			for k, v := range override {
				p[k] = v
			}
			return p, nil
		},
	})
}

func TestPillarGet(t *testing.T) {
	var fetched []fetchCall
	e := pillarExecutor(&fetched)
	for _, c := range []struct {
		args []any
		want any
	}{
		{[]any{"users:alice:uid"}, int64(1001)},
		{[]any{"nope"}, ""},
		{[]any{"nope", kw("default", int64(7))}, int64(7)},
		{[]any{"users|bob|uid", kw("delimiter", "|")}, int64(1002)},
		{[]any{"list_of_maps:1:name"}, "y"},
		{[]any{"list_of_maps:v"}, int64(1)},
		{[]any{"users", kw("default", body.Map{{Key: "carol", Value: body.Map{{Key: "uid", Value: int64(3)}}}}, "merge", true)},
			body.Map{{Key: "carol", Value: body.Map{{Key: "uid", Value: int64(3)}}},
				{Key: "alice", Value: map[string]any{"uid": int64(1001)}},
				{Key: "bob", Value: map[string]any{"uid": int64(1002)}}}},
		{[]any{"tags", kw("default", []any{"red", "blue"}, "merge", true)}, []any{"red", "blue", "green"}},
		{[]any{"tags", kw("default", "x", "merge", true)}, []any{"blue", "green"}}, // merge skipped
		{[]any{"role", "other"}, "db"},
	} {
		r := run(e, "pillar.get", c.args...)
		if !reflect.DeepEqual(r.Return, c.want) || r.Retcode != 0 {
			t.Errorf("pillar.get %v = %#v (retcode %d), want %#v", c.args, r.Return, r.Retcode, c.want)
		}
	}
	if len(fetched) != 0 {
		t.Fatalf("pillar.get without an environment asked the master: %v", fetched)
	}
	if r := run(e, "pillar.get", "fresh", kw("pillarenv", "dev")); r.Return != true || len(fetched) != 1 || fetched[0].pillarenv != "dev" {
		t.Fatalf("pillar.get pillarenv=dev = %v, fetched %v", r.Return, fetched)
	}
	wantError(t, run(e, "pillar.get"), "Passed invalid arguments to pillar.get: get() missing 1 required positional argument: 'key'")
}

func TestPillarItemRawLs(t *testing.T) {
	var fetched []fetchCall
	e := pillarExecutor(&fetched)
	wantOK(t, run(e, "pillar.item", "role", "users:bob", "nope"), body.Map{
		{Key: "role", Value: "db"}, {Key: "users:bob", Value: map[string]any{"uid": int64(1002)}}, {Key: "nope", Value: ""}})
	wantOK(t, run(e, "pillar.item", "nope", kw("default", int64(3))), body.Map{{Key: "nope", Value: int64(3)}})
	wantOK(t, run(e, "pillar.raw", kw("key", "role")), "db")
	wantOK(t, run(e, "pillar.raw", kw("key", "nope")), body.Map{})
	if r := run(e, "pillar.raw"); len(r.Return.(body.Map)) != 4 {
		t.Fatalf("pillar.raw = %v", r.Return)
	}
	wantOK(t, run(e, "pillar.ls", "a", "b", "a"), []any{"a", "b"})
	if len(fetched) != 0 {
		t.Fatalf("item, raw and ls with names asked the master: %v", fetched)
	}
	wantOK(t, run(e, "pillar.ls"), []any{"fresh", "list_of_maps", "role", "tags", "users"})
	if len(fetched) != 1 {
		t.Fatalf("pillar.ls did not ask the master for a fresh pillar")
	}
}

func TestPillarItems(t *testing.T) {
	var fetched []fetchCall
	e := pillarExecutor(&fetched)
	wantOK(t, run(e, "pillar.items", "role"), body.Map{{Key: "role", Value: "db"}})
	if len(fetched) != 0 {
		t.Fatal("pillar.items with names is pillar.item, from memory")
	}
	r := run(e, "pillar.items", kw("pillar", body.Map{{Key: "role", Value: "web"}, {Key: "new", Value: int64(1)}}), kw("pillarenv", "dev"))
	got, _ := r.Return.(body.Map)
	if role, _ := got.Get("role"); role != "web" || len(fetched) != 1 || fetched[0].pillarenv != "dev" || fetched[0].override["new"] != int64(1) {
		t.Fatalf("pillar.items pillar=... = %v, fetched %v", r.Return, fetched)
	}
	if keys := got.Keys(); !reflect.DeepEqual(keys, []string{"fresh", "list_of_maps", "new", "role", "tags", "users"}) {
		t.Fatalf("pillar.items keys %v", keys)
	}
	run(e, "pillar.items", kw("pillar", "not a dict"))
	if fetched[len(fetched)-1].override != nil {
		t.Fatalf("an override that is not a dict was sent: %v", fetched[len(fetched)-1])
	}
	if r := run(e, "pillar.data"); r.Retcode != 0 || len(fetched) != 3 {
		t.Fatalf("pillar.data = %v", r.Return)
	}
	e2 := New(Options{Pillar: refPillar, FetchPillar: func(context.Context, string, map[string]any) (map[string]any, error) {
		return nil, errors.New("no master")
	}})
	wantError(t, run(e2, "pillar.items"), "The minion function caused an exception: SaltClientError: no master")
	wantOK(t, run(New(Options{Pillar: refPillar}), "pillar.ls"), []any{"list_of_maps", "role", "tags", "users"})
	if New(Options{}).Has("pillar.items") {
		t.Fatal("the pillar module is loaded for a minion without a pillar")
	}
}

func TestRefreshPillar(t *testing.T) {
	wantOK(t, run(New(Options{}), "saltutil.refresh_pillar"), false)
	var mu sync.Mutex
	calls := 0
	done := make(chan struct{}, 4)
	e := New(Options{RefreshPillar: func(ctx context.Context) error {
		mu.Lock()
		calls++
		mu.Unlock()
		done <- struct{}{}
		return nil
	}})
	wantOK(t, run(e, "saltutil.refresh_pillar", kw("wait", true)), true)
	<-done
	wantOK(t, run(e, "saltutil.pillar_refresh"), true)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("refresh_pillar without wait never refreshed")
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Fatalf("refreshed %d times", calls)
	}
	blocked := New(Options{RefreshPillar: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }})
	wantOK(t, run(blocked, "saltutil.refresh_pillar", kw("wait", true, "timeout", 0.01)), true)
}
