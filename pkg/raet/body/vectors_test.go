package body

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// The vectors are datagrams captured between Python raet 0.6.9 stacks
// (testdata/shared/vectors). Each body is checked both ways: Decode must
// give what Python decoded, with the Go types the package promises, and
// Encode of that value must give back the captured bytes exactly.

// laneVector is what these tests read of a vectors/lane file. It is decoded
// with DecodeJSON itself, since encoding/json would lose the key order the
// check depends on.
type laneVector struct {
	name      string
	kind      raet.BodyKind
	body      []byte // the pages' bodies joined
	sha       string // packed_body_sha256
	want      any    // body, as Decode should give it
	wantTypes any    // body_msgpack_types, for msgpack files
}

func readLaneVector(t *testing.T, file string) laneVector {
	t.Helper()
	raw, err := DecodeJSON(readVector(t, "lane", file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	top := raw.(Map)
	lv := laneVector{name: file}
	pk, _ := top.Map("pack_kind")
	switch n, _ := pk.Int("value"); n {
	case int64(raet.PackJSON):
		lv.kind = raet.BodyJSON
	case int64(raet.PackMsgpack):
		lv.kind = raet.BodyMsgpack
	default:
		t.Fatalf("%s: pack kind %d", file, n)
	}
	lv.sha, _ = top.String("packed_body_sha256")
	pages, _ := top.Get("pages")
	for _, p := range pages.([]any) {
		h, _ := p.(Map).String("hex")
		dg := testvectors.Hex(t, h)
		i := bytes.Index(dg, []byte(raet.HeadEnd))
		if i < 0 {
			t.Fatalf("%s: page without a head end", file)
		}
		lv.body = append(lv.body, dg[i+len(raet.HeadEnd):]...)
	}
	body, _ := top.Get("body")
	lv.want = fromVector(t, body)
	lv.wantTypes, _ = top.Get("body_msgpack_types")
	return lv
}

func TestLaneVectors(t *testing.T) {
	files := []string{
		"single-json.json", "single-msgpack.json", "single-msgpack-bin.json",
		"empty-json.json", "empty-msgpack.json", "book-json.json", "book-msgpack.json",
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			lv := readLaneVector(t, f)
			if sha(lv.body) != lv.sha {
				t.Fatalf("joined body sha256 %s, the file says %s", sha(lv.body), lv.sha)
			}
			checkBody(t, lv.kind, lv.body, lv.want)
			if lv.wantTypes != nil {
				got, err := Decode(lv.kind, lv.body)
				if err != nil {
					t.Fatal(err)
				}
				checkMsgpackTypes(t, "body", got, lv.wantTypes)
			}
		})
	}
}

// checkBody decodes b, compares it with want, and encodes it back to b.
func checkBody(t *testing.T, kind raet.BodyKind, b []byte, want any) {
	t.Helper()
	got, err := Decode(kind, b)
	if err != nil {
		t.Fatalf("Decode(%v, %d bytes): %v", kind, len(b), err)
	}
	if got == nil {
		t.Fatalf("Decode gave a nil Map")
	}
	if !equal(got, want) {
		t.Errorf("Decode:\n got %s\nwant %s", show(got), show(want))
	}
	again, err := Encode(kind, got)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(again, b) {
		t.Errorf("Encode does not give back the captured bytes:\n got %q\nwant %q", trim(again), trim(b))
	}
	if len(b) > 0 && sha(again) != sha(b) {
		t.Errorf("sha256 %s, want %s", sha(again), sha(b))
	}
}

func trim(b []byte) string {
	if len(b) > 400 {
		return fmt.Sprintf("%s...(%d bytes)", b[:400], len(b))
	}
	return string(b)
}

// checkMsgpackTypes compares a decoded value with the view the vector files
// give of each msgpack value ({"str": ...}, {"bin_hex": ...}, {"map": [[k, v]...]}),
// so that the Go type of every value is checked against the wire type.
func checkMsgpackTypes(t *testing.T, path string, got any, view any) {
	t.Helper()
	vm, ok := view.(Map)
	if !ok || len(vm) == 0 {
		t.Fatalf("%s: bad type view %s", path, show(view))
	}
	typ, want := vm[0].Key, vm[0].Value
	switch typ {
	case "map":
		m, ok := got.(Map)
		pairs := want.([]any)
		if !ok || len(m) != len(pairs) {
			t.Errorf("%s: got %s, want a map of %d", path, show(got), len(pairs))
			return
		}
		for i, pr := range pairs {
			kv := pr.([]any)
			checkMsgpackTypes(t, path+".key", m[i].Key, kv[0])
			checkMsgpackTypes(t, path+"."+m[i].Key, m[i].Value, kv[1])
		}
	case "array":
		l, ok := got.([]any)
		items := want.([]any)
		if !ok || len(l) != len(items) {
			t.Errorf("%s: got %s, want a list of %d", path, show(got), len(items))
			return
		}
		for i := range items {
			checkMsgpackTypes(t, fmt.Sprintf("%s[%d]", path, i), l[i], items[i])
		}
	case "str":
		if s, ok := got.(string); !ok || s != want {
			t.Errorf("%s: got %s, want string %q", path, show(got), want)
		}
	case "str_len_chars":
		s, ok := got.(string)
		wantSum, _ := vm.String("str_utf8_sha256")
		n, _ := vm.Int("str_len_chars")
		if !ok || int64(len([]rune(s))) != n || sha([]byte(s)) != wantSum {
			t.Errorf("%s: got %s, want a string of %d chars with sha256 %s", path, show(got), n, wantSum)
		}
	case "bin_hex":
		if b, ok := got.([]byte); !ok || !bytes.Equal(b, testvectors.Hex(t, want.(string))) {
			t.Errorf("%s: got %s, want bytes %s", path, show(got), want)
		}
	case "int":
		if n, ok := got.(int64); !ok || n != want.(int64) {
			t.Errorf("%s: got %s, want int64 %v", path, show(got), want)
		}
	case "float":
		if f, ok := got.(float64); !ok || f != want.(float64) {
			t.Errorf("%s: got %s, want float64 %v", path, show(got), want)
		}
	case "bool":
		if b, ok := got.(bool); !ok || b != want.(bool) {
			t.Errorf("%s: got %s, want bool %v", path, show(got), want)
		}
	case "nil":
		if got != nil {
			t.Errorf("%s: got %s, want nil", path, show(got))
		}
	default:
		t.Errorf("%s: type view %q not understood", path, typ)
	}
}

func TestRoadVectors(t *testing.T) {
	for _, c := range []struct {
		file string
		kind raet.BodyKind
	}{
		{"road-exchange.jsonl", raet.BodyMsgpack},
		{"road-exchange-json.jsonl", raet.BodyJSON},
	} {
		t.Run(c.file, func(t *testing.T) {
			checked := 0
			for n, line := range strings.Split(strings.TrimSpace(string(readVector(t, c.file))), "\n") {
				raw, err := DecodeJSON([]byte(line))
				if err != nil {
					t.Fatalf("line %d: %v", n+1, err)
				}
				d := raw.(Map)
				r, _ := d.Map("raet")
				parts, _ := r.Map("parts")
				kinds, _ := r.Map("kinds")
				var plain []byte
				if h, ok := parts.String("plain_body_hex"); ok && h != "" {
					plain = testvectors.Hex(t, h)
				} else if tk, _ := kinds.String("tk"); tk == "join" {
					foot, _ := parts.Int("foot_len")
					coat, _ := parts.Int("coat_len")
					if foot != 0 || coat == 0 {
						continue
					}
					h, _ := d.String("hex")
					dg := testvectors.Hex(t, h)
					i := bytes.Index(dg, []byte(raet.HeadEnd))
					plain = dg[i+len(raet.HeadEnd):]
				} else {
					continue
				}
				body, ok := r.Get("body")
				if !ok {
					t.Fatalf("line %d: plaintext body without a decoded body", n+1)
				}
				t.Run(fmt.Sprintf("line%d", n+1), func(t *testing.T) {
					checkBody(t, c.kind, plain, fromVector(t, body))
				})
				checked++
			}
			if checked < 4 {
				t.Fatalf("only %d bodies found in %s", checked, c.file)
			}
			t.Logf("%d bodies checked", checked)
		})
	}
}
