package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
)

// apiCluster is a master, its minions and salt-api-raet on loopback, plain
// HTTP on a free port.
type apiCluster struct {
	*cluster
	url string
	api *daemon
}

// apiConfig is the master config the API tests share: users of three
// eauth modules with the ACLs the lead's captures of real Salt used.
const apiConfig = `external_auth:
  sharedsecret:
    fred: ['.*', '@runner', '@wheel', '@jobs']
  auto:
    alice: ['test.*']
    bob:
      - 'web*': ['test.*']
      - '@wheel'
sharedsecret: s3cret
token_expire_user_override: True
netapi_enable_clients: [local, local_async, local_batch, runner, runner_async, wheel]
`

// newAPICluster starts a master with apiConfig (then extra), the minions
// ids, and salt-api-raet, and waits until all serve.
func newAPICluster(t *testing.T, ids []string, extra ...string) *apiCluster {
	t.Helper()
	port := testutil.FreeTCPPort(t)
	rest := fmt.Sprintf("rest_cherrypy:\n  port: %d\n  host: 127.0.0.1\n  disable_ssl: True\n  webhook_disable_auth: True\n  collect_stats: True\n", port)
	c := newCluster(t, true, append([]string{apiConfig, rest}, extra...)...)
	for _, id := range ids {
		c.addMinion(id)
	}
	c.waitReady(ids...)
	a := &apiCluster{cluster: c, url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	a.api = c.master.start("salt-api-raet")
	eventually(t, "salt-api-raet answers", func() (bool, string) {
		st, b := a.do("GET", "/", "", nil, "")
		return st == 200, fmt.Sprint(st, b)
	})
	return a
}

// do sends a request to the API: a form body (url.Values) or a string of
// contentType, with the session token when given; it returns the status
// and the body.
func (a *apiCluster) do(method, path, token string, form url.Values, raw string, hdr ...string) (int, string) {
	a.t.Helper()
	var rd io.Reader
	ct := "application/x-www-form-urlencoded"
	if form != nil {
		rd = strings.NewReader(form.Encode())
	} else if raw != "" {
		rd, ct = strings.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// login logs user in and returns the session token.
func (a *apiCluster) login(user, pass, eauth string, more ...string) string {
	a.t.Helper()
	f := url.Values{"username": {user}, "password": {pass}, "eauth": {eauth}}
	for i := 0; i+1 < len(more); i += 2 {
		f.Set(more[i], more[i+1])
	}
	st, b := a.do("POST", "/login", "", f, "")
	var got struct {
		Return []struct {
			Token  string
			Expire float64
			User   string
			Perms  any
		}
	}
	if st != 200 || json.Unmarshal([]byte(b), &got) != nil || len(got.Return) != 1 || got.Return[0].Token == "" {
		a.t.Fatalf("login %s: %d %s", user, st, b)
	}
	return got.Return[0].Token
}

// pepper runs the real salt-pepper as user against the API, HOME a
// temporary directory (its token cache); it skips the test when salt-pepper
// is not installed.
func (a *apiCluster) pepper(user, pass, eauth string, args ...string) result {
	a.t.Helper()
	path, err := exec.LookPath("salt-pepper")
	if err != nil {
		a.t.Skip("salt-pepper is not installed (Debian's salt-pepper; .ci/run installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	home := filepath.Join(a.master.root, "home-"+user)
	_ = os.MkdirAll(home, 0o700)
	cmd.Env = append(os.Environ(), "HOME="+home, "SALTAPI_URL="+a.url, "SALTAPI_USER="+user,
		"SALTAPI_PASS="+pass, "SALTAPI_EAUTH="+eauth)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("salt-pepper %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// pepperReturn decodes pepper's printed JSON: its "return" list.
func pepperReturn(t *testing.T, r result) []any {
	t.Helper()
	var got struct{ Return []any }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil {
		t.Fatalf("salt-pepper: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	return got.Return
}

// errorMessage is the message of a CherryPy error page.
func errorMessage(page string) string {
	_, rest, ok := strings.Cut(page, "<p>")
	if !ok {
		return ""
	}
	msg, _, _ := strings.Cut(rest, "</p>")
	return msg
}
