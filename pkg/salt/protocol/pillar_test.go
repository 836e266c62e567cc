package protocol

import (
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestPillarLoad(t *testing.T) {
	l := PillarLoad("m1", nil, "", "prod", nil)
	if !slices.Equal(l.Keys(), []string{"id", "grains", "saltenv", "pillarenv", "pillar_override", "ver", "cmd"}) {
		t.Fatalf("keys %v", l.Keys())
	}
	if v, _ := l.Get("saltenv"); v != nil {
		t.Errorf("empty saltenv sent as %#v, want null", v)
	}
	if v, _ := l.String("pillarenv"); v != "prod" {
		t.Errorf("pillarenv %q", v)
	}
	if o, _ := l.Get("pillar_override"); o == nil {
		t.Error("a nil override must go as {}")
	}
	if c, _ := l.String("cmd"); c != CmdPillar {
		t.Errorf("cmd %q", c)
	}
}

func TestPlainMap(t *testing.T) {
	m := PlainMap(body.Map{{Key: "a", Value: body.Map{{Key: "b", Value: []any{body.Map{{Key: "c", Value: int64(1)}}}}}}})
	a, ok := m["a"].(map[string]any)
	if !ok {
		t.Fatalf("a is %T", m["a"])
	}
	if c, ok := a["b"].([]any)[0].(map[string]any); !ok || c["c"] != int64(1) {
		t.Fatalf("a.b[0] is %#v", a["b"])
	}
}
