package netapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/auth"
)

// testBackend is the HTTP layer's Backend over a real LoadAuth (tokens in
// a temporary token_dir, the sharedsecret module); Run and Fire record
// what reached them, events come from a channel.
type testBackend struct {
	la     *auth.LoadAuth
	mu     sync.Mutex
	lows   []body.Map
	fired  []BusEventT
	events chan BusEventT
}

type BusEventT struct {
	Tag  string
	Data any
}

func newTestBackend(t *testing.T) *testBackend {
	secret := "s3cret"
	la := auth.NewWithOptions(auth.Options{
		TokenDir: t.TempDir(), TokenExpire: 3600, HashType: "sha256", Sharedsecret: &secret,
		ExternalAuth: body.Map{{Key: "sharedsecret", Value: body.Map{{Key: "fred", Value: []any{".*", "@wheel"}}}}},
	})
	return &testBackend{la: la, events: make(chan BusEventT, 10)}
}

func (b *testBackend) MkToken(c body.Map) (body.Map, error) {
	tok, err := b.la.MkToken(c)
	if errors.Is(err, auth.ErrNotAuthenticated) {
		return nil, nil
	}
	return tok, err
}
func (b *testBackend) GetToken(tok string) body.Map { t, _ := b.la.GetTok(tok); return t }
func (b *testBackend) RmToken(tok string)           { _ = b.la.RmToken(tok) }
func (b *testBackend) Perms(tok body.Map) []any     { return b.la.Perms(tok) }
func (b *testBackend) MasterRunning() bool          { return true }
func (b *testBackend) Run(_ context.Context, low body.Map) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lows = append(b.lows, low)
	if c, _ := low.Get("client"); c == "boom" {
		return nil, errors.New("secret internals")
	}
	return body.Map{{Key: "m1", Value: true}}, nil
}
func (b *testBackend) Fire(tag string, data body.Map) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fired = append(b.fired, BusEventT{tag, data})
	return nil
}
func (b *testBackend) Events() (EventStream, error) { return chanStream(b.events), nil }

type chanStream chan BusEventT

func (s chanStream) Next(ctx context.Context) (string, any, error) {
	select {
	case ev := <-s:
		return ev.Tag, ev.Data, nil
	case <-ctx.Done():
		return "", nil, ctx.Err()
	}
}
func (s chanStream) Close() {}

func post(t *testing.T, srv *httptest.Server, path, token string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestLoginSessionAndLowstate(t *testing.T) {
	be := newTestBackend(t)
	srv := httptest.NewServer(New(Options{RootPrefix: "/api"}, be))
	defer srv.Close()
	resp, b := post(t, srv, "/api/login", "", url.Values{"username": {"fred"}, "password": {"s3cret"}, "eauth": {"sharedsecret"}})
	sid := resp.Header.Get("X-Auth-Token")
	if resp.StatusCode != 200 || len(sid) != 40 || !strings.Contains(b, `"token": "`+sid+`"`) ||
		!strings.Contains(b, `"user": "fred", "eauth": "sharedsecret", "perms": [".*", "@wheel"]`) {
		t.Fatalf("login: %d %s %s", resp.StatusCode, sid, b)
	}
	if ck := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(ck, "session_id="+sid+"; expires=") || !strings.Contains(ck, "Max-Age=36000; Path=/") {
		t.Fatalf("cookie %q", ck)
	}
	resp, b = post(t, srv, "/api/", sid, url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}, "arg": {"x"}})
	if resp.StatusCode != 200 || b != `{"return": [{"m1": true}]}` || resp.Header.Get("Cache-Control") != "private" {
		t.Fatalf("POST /: %d %s", resp.StatusCode, b)
	}
	low := be.lows[0]
	tok, _ := low.Get("token")
	if tok == sid || be.GetToken(tok.(string)) == nil {
		t.Fatalf("the lowstate carries %v, want the Salt token the session holds, not the session id", tok)
	}
	if resp, _ := post(t, srv, "/api/", "deadbeef", url.Values{"client": {"local"}}); resp.StatusCode != 401 {
		t.Fatalf("an unknown session: %d", resp.StatusCode)
	}
	if resp, b := post(t, srv, "/api/", sid, url.Values{"client": {"boom"}}); resp.StatusCode != 500 || b != `{"status": 500, "return": "An unexpected error occurred"}` {
		t.Fatalf("an unexpected error: %d %s (must not show its text)", resp.StatusCode, b)
	}
	resp, _ = post(t, srv, "/api/logout", sid, nil)
	if ck := resp.Header.Get("Set-Cookie"); resp.StatusCode != 200 || !strings.Contains(ck, "expires=") || strings.Contains(ck, sid) {
		t.Fatalf("logout: %d %q", resp.StatusCode, ck)
	}
	if resp, _ := post(t, srv, "/api/", sid, url.Values{"client": {"local"}}); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
	if resp, _ := post(t, srv, "/api/login", "", url.Values{"username": {"fred"}, "password": {"nope"}, "eauth": {"sharedsecret"}}); resp.StatusCode != 401 {
		t.Fatalf("a wrong password: %d", resp.StatusCode)
	}
}

func TestRoutingStatuses(t *testing.T) {
	srv := httptest.NewServer(New(Options{}, newTestBackend(t)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"status": null, "return": "Please log in"}` || resp.Header.Get("WWW-Authenticate") != "Session" {
		t.Fatalf("GET /login: %s", b)
	}
	resp, err = http.Get(srv.URL + "/logout")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET /logout: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	for _, p := range []string{"/nope", "/login/x", "/minions/a/b"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHookAndEvents(t *testing.T) {
	be := newTestBackend(t)
	srv := httptest.NewServer(New(Options{WebhookDisableAuth: true}, be))
	defer srv.Close()
	resp, b := post(t, srv, "/hook/deploy/prod", "", url.Values{"rev": {"abc"}})
	if resp.StatusCode != 200 || b != `{"success": true}` || len(be.fired) != 1 || be.fired[0].Tag != "salt/netapi/hook/deploy/prod" {
		t.Fatalf("hook: %d %s %v", resp.StatusCode, b, be.fired)
	}
	d := be.fired[0].Data.(body.Map)
	if raw, _ := d.Get("body"); raw != "rev=abc" {
		t.Fatalf("hook body %v", d)
	}
	if p, _ := d.Map("post"); p.Has("rev") == false {
		t.Fatalf("hook post %v", d)
	}
	srv2 := httptest.NewServer(New(Options{}, be))
	defer srv2.Close()
	if resp, _ := post(t, srv2, "/hook/x", "", nil); resp.StatusCode != 401 {
		t.Fatalf("a hook without webhook_disable_auth and no token: %d", resp.StatusCode)
	}

	tok, _ := be.MkToken(body.Map{{Key: "username", Value: "fred"}, {Key: "password", Value: "s3cret"}, {Key: "eauth", Value: "sharedsecret"}})
	salt, _ := tok.Get("token")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events?salt_token="+salt.(string), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream;charset=utf-8" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	be.events <- BusEventT{"salt/job/1/new", body.Map{{Key: "jid", Value: "1"}}}
	rd := bufio.NewReader(resp.Body)
	var got []string
	for len(got) < 4 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, line)
	}
	want := "retry: 400\n|tag: salt/job/1/new\n|data: {\"data\": {\"jid\": \"1\"}, \"tag\": \"salt/job/1/new\"}\n|\n"
	if strings.Join(got, "|") != want {
		t.Fatalf("stream %q, want %q", strings.Join(got, "|"), want)
	}
	be.RmToken(salt.(string))
	be.events <- BusEventT{"after", body.Map{}}
	if rest, _ := io.ReadAll(rd); len(rest) != 0 {
		t.Fatalf("the stream went on after its token was removed: %q", rest)
	}
}

func TestSessionsOffAuthorizedIPsAndAPIACL(t *testing.T) {
	be := newTestBackend(t)
	creds := url.Values{"username": {"fred"}, "password": {"s3cret"}, "eauth": {"sharedsecret"}}
	off := httptest.NewServer(New(Options{DisableSessions: true}, be))
	defer off.Close()
	if resp, _ := post(t, off, "/login", "", creds); resp.StatusCode != 404 {
		t.Fatalf("/login with enable_sessions False: %d, want 404", resp.StatusCode)
	}
	if resp, b := post(t, off, "/run", "", url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}, "eauth": {"sharedsecret"}}); resp.StatusCode != 200 {
		t.Fatalf("/run with enable_sessions False: %d %s", resp.StatusCode, b)
	}
	ips := httptest.NewServer(New(Options{AuthorizedIPs: []string{"192.0.2.7"}}, be))
	defer ips.Close()
	if resp, b := post(t, ips, "/login", "", creds); resp.StatusCode != 403 || errorMessage(b) != "Bad IP" {
		t.Fatalf("a login from an address not in authorized_ips: %d %q", resp.StatusCode, errorMessage(b))
	}
	acl := httptest.NewServer(New(Options{APIACL: map[string][]string{"fred": {"192.0.2.7"}, "*": {"127.0.0.1"}}}, be))
	defer acl.Close()
	if resp, _ := post(t, acl, "/login", "", creds); resp.StatusCode != 401 {
		t.Fatalf("fred from 127.0.0.1, api_acl allowing 192.0.2.7: %d, want 401", resp.StatusCode)
	}
	other := url.Values{"username": {"bob"}, "password": {"s3cret"}, "eauth": {"sharedsecret"}}
	if resp, b := post(t, acl, "/login", "", other); resp.StatusCode != 200 {
		t.Fatalf("bob through api_acl's *: %d %q", resp.StatusCode, b)
	}
}

func errorMessage(page string) string {
	_, rest, _ := strings.Cut(page, "<p>")
	msg, _, _ := strings.Cut(rest, "</p>")
	return msg
}

func TestAppAndHTMLOverride(t *testing.T) {
	page := t.TempDir() + "/index.html"
	if err := os.WriteFile(page, []byte("<html>console</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Options{App: page}, newTestBackend(t)))
	defer srv.Close()
	get := func(path, accept string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := get("/app", ""); st != 200 || b != "<html>console</html>" {
		t.Fatalf("GET /app: %d %q", st, b)
	}
	if st, b := get("/", "text/html,application/xhtml+xml,*/*;q=0.8"); st != 200 || b != "<html>console</html>" {
		t.Fatalf("a browser's GET /: %d %q, want the app", st, b)
	}
	if st, b := get("/", "*/*"); st != 200 || !strings.Contains(b, `"return": "Welcome"`) {
		t.Fatalf("GET / with */*: %d %q, want the API", st, b)
	}
}

func TestStatsCountOnlyWhenCollected(t *testing.T) {
	for _, collect := range []bool{false, true} {
		srv := httptest.NewServer(New(Options{StatsDisableAuth: true, CollectStats: collect}, newTestBackend(t)))
		for i := 0; i < 3; i++ {
			resp, err := http.Get(srv.URL + "/stats")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if i < 2 {
				continue
			}
			counted := !strings.Contains(string(b), `"Total Requests": 0,`)
			if !strings.HasPrefix(string(b), `{"CherryPy Applications": {"Enabled": true,`) || counted != collect {
				t.Fatalf("collect_stats %v: %s", collect, b)
			}
		}
		srv.Close()
	}
}

// An event stream outlives the server's read timeout, which salt-api-raet
// sets so that slow clients cannot hold a slot (net/http lifts the read
// deadline once the request is read; this keeps it so).
func TestEventStreamOutlivesReadTimeout(t *testing.T) {
	be := newTestBackend(t)
	srv := httptest.NewUnstartedServer(New(Options{}, be))
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	tok, _ := be.MkToken(body.Map{{Key: "username", Value: "fred"}, {Key: "password", Value: "s3cret"}, {Key: "eauth", Value: "sharedsecret"}})
	salt, _ := tok.Get("token")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events?token="+salt.(string), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	if l, _ := rd.ReadString('\n'); l != "retry: 400\n" {
		t.Fatalf("first line %q", l)
	}
	time.Sleep(time.Second) // five read timeouts: what the stream must outlive
	be.events <- BusEventT{"late", body.Map{}}
	if l, err := rd.ReadString('\n'); l != "tag: late\n" {
		t.Fatalf("after the read timeout the stream gave %q %v", l, err)
	}
}
