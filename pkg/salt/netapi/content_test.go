package netapi

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func TestDecodeFormAsUrlencodedProcessor(t *testing.T) {
	v, err := decodeForm("client=local&tgt=*&fun=test.arg&arg=1&arg=a%3Db&arg=%5B1%2C+2%5D&kwarg=%7Bk%3A+v%7D&x=1&x=2")
	if err != nil {
		t.Fatal(err)
	}
	m := v.(body.Map)
	var keys []string
	for _, it := range m {
		keys = append(keys, it.Key)
	}
	if got := strings.Join(keys, ","); got != "client,tgt,fun,arg,kwarg,x" {
		t.Fatalf("keys %s, want the body's order", got)
	}
	arg, _ := m.Get("arg")
	args := arg.([]any)
	if len(args) != 3 || args[0] != int64(1) && args[0] != 1 || args[1] != "a=b" {
		t.Fatalf("arg = %#v, want [1 a=b [1 2]] typed as yamlify_arg types them", args)
	}
	if l, ok := args[2].([]any); !ok || len(l) != 2 {
		t.Fatalf("arg [1, 2] = %#v, want a list", args[2])
	}
	if kw, _ := m.Map("kwarg"); !kw.Has("k") {
		t.Fatalf("kwarg = %v, want a mapping", m)
	}
	if x, _ := m.Get("x"); len(x.([]any)) != 2 {
		t.Fatalf("a key given twice = %v, want a list", x)
	}
	one, _ := decodeForm("arg=solo")
	if a, _ := one.(body.Map).Get("arg"); len(a.([]any)) != 1 {
		t.Fatalf("one arg = %v, want a list of one", a)
	}
}

func TestReadBodyStatuses(t *testing.T) {
	req := func(ct, b string) *http.Request {
		r := httptest.NewRequest("POST", "/", strings.NewReader(b))
		r.Header.Set("Content-Type", ct)
		return r
	}
	for _, c := range []struct {
		ct, body string
		limit    int64
		status   int
		msg      string
	}{
		{"application/json", `[{"a":`, 0, 400, "Invalid JSON document"},
		{"application/x-yaml", "a: [1", 0, 400, "Invalid YAML document"},
		{"application/xml", "<a/>", 0, 406, "Content type not supported"},
		{"application/json", strings.Repeat(" ", 101), 100, 413, ""},
	} {
		_, err := readBody(req(c.ct, c.body), c.limit)
		he, ok := err.(*HTTPError)
		if !ok || he.Status != c.status || (c.msg != "" && he.Message != c.msg) {
			t.Errorf("%s %q: %v, want %d %s", c.ct, c.body, err, c.status, c.msg)
		}
	}
	got, err := readBody(req("application/x-yaml", "- client: local\n  arg: [1, two]\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := got.data.([]any); !ok || len(l) != 1 {
		t.Fatalf("YAML lowstate = %#v", got.data)
	}
	got, _ = readBody(req("text/plain", "not json"), 0)
	if got.data != "not json" || got.raw != "not json" {
		t.Fatalf("text that is not JSON = %#v", got)
	}
}

func TestAcceptAsCptoolsAccept(t *testing.T) {
	for h, want := range map[string]string{
		"": ctJSON, "*/*": ctJSON, "application/x-yaml": ctYAML, "application/*": ctJSON,
		"application/json;q=0.5, application/x-yaml": ctYAML, "text/html, application/x-yaml;q=0.1": ctYAML,
	} {
		if got, err := accept(h); err != nil || got != want {
			t.Errorf("Accept %q: %s %v, want %s", h, got, err, want)
		}
	}
	_, err := accept("text/plain")
	want := "Your client sent this Accept header: text/plain. But this resource only emits these media types: application/json, application/x-yaml."
	if he, ok := err.(*HTTPError); !ok || he.Status != 406 || he.Message != want {
		t.Fatalf("Accept text/plain: %v", err)
	}
}

// The error page is CherryPy's byte for byte: the body real Salt 3006.3's
// salt-api sent for a refused login (captured, testdata).
func TestErrorPageIsCherryPys(t *testing.T) {
	want, err := os.ReadFile("testdata/login-bad-401.html")
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	writeError(w, httpErr(401, "Could not authenticate using provided credentials"))
	if w.Body.String() != string(want) {
		t.Fatalf("error page:\n%s\nwant:\n%s", w.Body, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html;charset=utf-8" || w.Code != 401 {
		t.Fatalf("%d %s", w.Code, ct)
	}
	w = httptest.NewRecorder()
	writeError(w, httpErr(401, `type "token" for <b>'x'</b> & y`))
	if !strings.Contains(w.Body.String(), `<p>type "token" for &lt;b&gt;'x'&lt;/b&gt; &amp; y</p>`) {
		t.Fatalf("message escaped as html.escape(quote=False): %s", w.Body)
	}
}

func TestEncodeAsJSONDumpsAndSafeDump(t *testing.T) {
	v := body.Map{{Key: "return", Value: []any{body.Map{{Key: "m1", Value: true}, {Key: "é", Value: 1.5}}}}}
	b, _ := encode(ctJSON, v)
	if string(b) != `{"return": [{"m1": true, "\u00e9": 1.5}]}` {
		t.Fatalf("json = %s", b)
	}
	b, _ = encode(ctYAML, body.Map{{Key: "return", Value: []any{body.Map{{Key: "m1", Value: true}}}}})
	if string(b) != "return:\n- m1: true\n" {
		t.Fatalf("yaml = %q", b)
	}
}

func TestAccessLineMasksTokens(t *testing.T) {
	r := httptest.NewRequest("GET", "/events?token=c6d2a6477b0d444788a529f8c25007202303b1b3&x=1", nil)
	r.Header.Set("User-Agent", "curl/7.88.1")
	at := time.Date(2026, 12, 8, 0, 27, 37, 0, time.UTC)
	got := accessLine(r, "127.0.0.1", 200, 0, at)
	want := `127.0.0.1 - - [08/Dec/2026:00:27:37] "GET /events?token=...&x=1 HTTP/1.1" 200 - "" "curl/7.88.1"`
	if got != want {
		t.Fatalf("access line\n%s\nwant\n%s", got, want)
	}
}
