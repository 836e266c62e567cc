package minion

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// fakeCompiler serves high data per saltenv and a top.
type fakeCompiler struct {
	high map[string]body.Map
	top  map[string][]string
	errs []string
}

func (f *fakeCompiler) High(_ context.Context, saltenv string, mods []string) (body.Map, []string) {
	var out body.Map
	for _, it := range f.high[saltenv] {
		m := it.Value.(body.Map)
		sls, _ := m.Get("__sls__")
		for _, mod := range mods {
			if sls == mod {
				out = append(out, it)
			}
		}
	}
	return out, f.errs
}

func (f *fakeCompiler) Top(context.Context, string) (map[string][]string, []string) {
	return f.top, nil
}

func (f *fakeCompiler) Highstate(ctx context.Context, saltenv string) (body.Map, []string) {
	var high body.Map
	for _, env := range topEnvs(f.top) {
		h, _ := f.High(ctx, env, f.top[env])
		high = append(high, h...)
	}
	return high, f.errs
}

func highState(id, sls, env string) body.Item {
	return body.Item{Key: id, Value: body.Map{{Key: "test", Value: []any{"nop"}}, {Key: "__sls__", Value: sls}, {Key: "__env__", Value: env}}}
}

// fakeSystem is a stateSystem whose compile makes one chunk per ID and
// whose run succeeds every chunk, recording what it ran.
func fakeSystem(c *fakeCompiler, pillar map[string]any) (*stateSystem, *[][]state.Low) {
	var ran [][]state.Low
	s := &stateSystem{
		env: func(_ context.Context, req modules.StateRequest) (*state.Env, error) {
			return &state.Env{Pillar: pillar, Saltenv: req.Saltenv}, nil
		},
		compiler: func(*state.Env) stateCompiler { return c },
		compile: func(high body.Map) ([]state.Low, []string) {
			var out []state.Low
			for i, it := range high {
				m := it.Value.(body.Map)
				sls, _ := m.Get("__sls__")
				out = append(out, state.Low{State: "test", Fun: "nop", ID: it.Key, Name: it.Key, SLS: sls.(string), Order: 10000 + i,
					Args: body.Map{{Key: "x", Value: 1}}, Reqs: []state.Requisite{{Kind: "require", State: "test", Ref: "a"}, {Kind: "require", Ref: "b"}}})
			}
			return out, nil
		},
		run: func(_ context.Context, chunks []state.Low, test bool, _ *state.Env) body.Map {
			ran = append(ran, chunks)
			out := body.Map{}
			for i := range chunks {
				out = append(out, body.Item{Key: chunks[i].Tag(), Value: body.Map{{Key: "result", Value: !test}}})
			}
			return out
		},
	}
	return s, &ran
}

func TestStateSystemHighstate(t *testing.T) {
	c := &fakeCompiler{
		high: map[string]body.Map{
			"base": {highState("a", "web", "base"), highState("b", "db", "base")},
			"dev":  {highState("c", "tools", "dev")},
		},
		top: map[string][]string{"dev": {"tools"}, "base": {"web", "db"}},
	}
	s, ran := fakeSystem(c, nil)
	r, err := s.Run(context.Background(), modules.StateRequest{Op: modules.OpHighstate, Exclude: []any{body.Map{{Key: "id", Value: "b"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Return.(body.Map)
	if len(got) != 2 || got[0].Key != "test_|-a_|-a_|-nop" || got[1].Key != "test_|-c_|-c_|-nop" || len(r.High) != 2 {
		t.Errorf("highstate ran %v (high %v)", got, r.High)
	}
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpShowTop})
	if !reflect.DeepEqual(r.Return, body.Map{{Key: "base", Value: []any{"web", "db"}}, {Key: "dev", Value: []any{"tools"}}}) {
		t.Errorf("show_top %v", r.Return)
	}
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpShowLowstate})
	low := r.Return.([]any)[0].(body.Map)
	want := body.Map{{Key: "state", Value: "test"}, {Key: "name", Value: "a"}, {Key: "__sls__", Value: "web"}, {Key: "__id__", Value: "a"},
		{Key: "x", Value: 1}, {Key: "require", Value: []any{body.Map{{Key: "test", Value: "a"}}, "b"}}, {Key: "fun", Value: "nop"}, {Key: "order", Value: 10000}}
	if !reflect.DeepEqual(low, want) {
		t.Errorf("show_lowstate chunk %s", py.Repr(low))
	}
	if len(*ran) != 1 {
		t.Errorf("runs: %d", len(*ran))
	}
	// No top: one false state with Salt's comment; show_highstate {}.
	c.top = nil
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpHighstate})
	m := r.Return.(body.Map)
	st, _ := m.Get("no_|-states_|-states_|-None")
	if comment, _ := st.(body.Map).String("comment"); !strings.HasPrefix(comment, "No Top file or master_tops data matches found.") {
		t.Errorf("no top: %v", r.Return)
	}
	if r, _ := s.Run(context.Background(), modules.StateRequest{Op: modules.OpShowHighstate}); !reflect.DeepEqual(r.Return, body.Map{}) {
		t.Errorf("show_highstate with no top: %v", r.Return)
	}
}

func TestStateSystemSLS(t *testing.T) {
	c := &fakeCompiler{high: map[string]body.Map{"base": {highState("a", "web", "base"), highState("b", "web", "base")}}}
	s, ran := fakeSystem(c, nil)
	r, _ := s.Run(context.Background(), modules.StateRequest{Op: modules.OpSLSID, Saltenv: "base", Mods: []string{"web"}, ID: "b", Test: true})
	if got := r.Return.(body.Map); len(got) != 1 || got[0].Key != "test_|-b_|-b_|-nop" {
		t.Errorf("sls_id ran %v", got)
	}
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpSLSID, Saltenv: "base", Mods: []string{"web"}, ID: "zz"})
	if got := r.Return.(body.Map); len(got) != 0 || len(*ran) != 1 {
		t.Errorf("sls_id of no ID: %v", got)
	}
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpSLS, Saltenv: "base", Mods: []string{"web"}, Exclude: []any{"w*"}})
	if got := r.Return.(body.Map); len(got) != 0 {
		t.Errorf("exclude of sls w*: %v", got)
	}
	r, _ = s.Run(context.Background(), modules.StateRequest{Op: modules.OpShowSLS, Saltenv: "base", Mods: []string{"web"}})
	if got := r.Return.(body.Map); len(got) != 2 || got[1].Key != "b" {
		t.Errorf("show_sls %v", got)
	}
	c.errs = []string{"Rendering SLS 'base:web' failed"}
	if r, _ := s.Run(context.Background(), modules.StateRequest{Op: modules.OpSLS, Saltenv: "base", Mods: []string{"web"}}); !reflect.DeepEqual(r.Errors, c.errs) {
		t.Errorf("errors %+v", r)
	}
}

func TestStateSystemSingleAndPillarErrors(t *testing.T) {
	s, ran := fakeSystem(&fakeCompiler{}, nil)
	s.Run(context.Background(), modules.StateRequest{Op: modules.OpSingle, Fun: "cmd.run", Name: "echo hi",
		Kwargs: body.Map{{Key: "name", Value: "echo hi"}, {Key: "cwd", Value: "/tmp"}, {Key: "test", Value: true}}})
	low := (*ran)[0][0]
	if low.State != "cmd" || low.Fun != "run" || low.ID != "echo hi" || low.Name != "echo hi" || !reflect.DeepEqual(low.Args, body.Map{{Key: "cwd", Value: "/tmp"}}) {
		t.Errorf("single low %+v", low)
	}
	s, _ = fakeSystem(&fakeCompiler{}, map[string]any{"_errors": []any{"bad"}})
	if r, _ := s.Run(context.Background(), modules.StateRequest{Op: modules.OpHighstate}); !reflect.DeepEqual(r.PillarErrors, []string{"bad"}) {
		t.Errorf("pillar errors %+v", r)
	}
}
