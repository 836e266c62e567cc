package route_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

func TestParseRoute(t *testing.T) {
	withRoute := func(v any) body.Map { return body.Map{{Key: "route", Value: v}} }
	ok := []struct {
		name string
		m    body.Map
		want route.Route
	}{
		{"nulls", msg(triple("", "", ""), triple("", "", "")), route.Route{}},
		{"full", msg(triple("a", "y", "s"), triple("b", "z", "t")),
			route.Route{Src: route.Addr{"a", "y", "s"}, Dst: route.Addr{"b", "z", "t"}}},
		{"empty strings", msg([]any{"", "", "s"}, []any{"b", "", ""}),
			route.Route{Src: route.Addr{Share: "s"}, Dst: route.Addr{Estate: "b"}}},
		{"go strings", withRoute(map[string]any{"src": []string{"a", "", ""}, "dst": []any{nil, "z", nil}}),
			route.Route{Src: route.Addr{Estate: "a"}, Dst: route.Addr{Yard: "z"}}},
		{"pointer", withRoute(&body.Map{{Key: "dst", Value: triple("", "", "t")}, {Key: "src", Value: triple("a", "", "")}}),
			route.Route{Src: route.Addr{Estate: "a"}, Dst: route.Addr{Share: "t"}}},
	}
	for _, c := range ok {
		got, err := route.ParseRoute(c.m)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	bad := []struct {
		name, why string
		m         body.Map
	}{
		{"no route", "no route", body.Map{{Key: "load", Value: 1}}},
		{"route not a map", "not a mapping", withRoute([]any{"a"})},
		{"null route", "route is null", withRoute(nil)},
		{"no src", "no src", withRoute(body.Map{{Key: "dst", Value: triple("", "", "")}})},
		{"no dst", "no dst", withRoute(body.Map{{Key: "src", Value: triple("", "", "")}})},
		{"null dst", "dst is null", withRoute(body.Map{{Key: "src", Value: triple("", "", "")}, {Key: "dst", Value: nil}})},
		{"short", "src has 2 items", msg([]any{"a", nil}, triple("", "", ""))},
		{"long", "dst has 4 items", msg(triple("", "", ""), []any{"a", nil, nil, nil})},
		{"short go", "dst has 1 items", withRoute(body.Map{{Key: "src", Value: triple("", "", "")}, {Key: "dst", Value: []string{"a"}}})},
		{"number", "dst[2] is a int64", msg(triple("", "", ""), []any{"a", nil, int64(3)})},
		{"nested", "src[0] is a body.Map", msg([]any{body.Map{}, nil, nil}, triple("", "", ""))},
	}
	for _, c := range bad {
		_, err := route.ParseRoute(c.m)
		if !errors.Is(err, route.ErrInvalidRoute) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: got %v, want ErrInvalidRoute saying %q", c.name, err, c.why)
		}
	}
}

func TestPut(t *testing.T) {
	rt := route.Route{Src: route.Addr{"a", "", "s"}, Dst: route.Addr{"", "y", ""}}
	// A route already there keeps its place and its other keys.
	in := body.Map{{Key: "load", Value: 1},
		{Key: "route", Value: body.Map{{Key: "dst", Value: triple("x", "x", "x")}, {Key: "src", Value: nil}, {Key: "via", Value: "z"}}},
		{Key: "tag", Value: "t"}}
	before, _ := body.Encode(raet.BodyJSON, in)
	out := rt.Put(in)
	after, _ := body.Encode(raet.BodyJSON, in)
	if string(before) != string(after) {
		t.Errorf("Put changed its argument:\n%s\n%s", before, after)
	}
	got, err := body.Encode(raet.BodyJSON, out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"load":1,"route":{"dst":[null,"y",null],"src":["a",null,"s"],"via":"z"},"tag":"t"}`
	if string(got) != want {
		t.Errorf("Put wrote %s\nwant        %s", got, want)
	}
	// A body with no route gets one at the end, src first; it reads back.
	out = rt.Put(body.Map{{Key: "load", Value: 1}})
	got, _ = body.Encode(raet.BodyJSON, out)
	if want := `{"load":1,"route":{"src":["a",null,"s"],"dst":[null,"y",null]}}`; string(got) != want {
		t.Errorf("Put wrote %s\nwant        %s", got, want)
	}
	for _, kind := range []raet.BodyKind{raet.BodyJSON, raet.BodyMsgpack} {
		b, err := body.Encode(kind, out)
		if err != nil {
			t.Fatal(err)
		}
		m, err := body.Decode(kind, b)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := route.ParseRoute(m); err != nil || back != rt {
			t.Errorf("body kind %d: read back %v, %v; want %v", kind, back, err, rt)
		}
	}
}
