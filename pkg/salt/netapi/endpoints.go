package netapi

import (
	"archive/tar"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// index is LowDataAdapter: GET the welcome, POST a lowstate with the
// session's token.
func (c *call) index() {
	if c.r.Method != "POST" {
		c.respond(200, body.Map{{Key: "return", Value: "Welcome"}, {Key: "clients", Value: Clients}})
		return
	}
	if !c.requireAuth() {
		return
	}
	req, ok := c.body()
	if !ok {
		return
	}
	ret, err := c.execLowstate(lowstate(req.data), "", c.token)
	if err != nil {
		c.fail(err)
		return
	}
	c.respond(200, body.Map{{Key: "return", Value: ret}})
}

// execLowstate is LowDataAdapter.exec_lowstate: each chunk run with the
// token (when given) and the client (when given), its return in order.
func (c *call) execLowstate(ls any, client, token string) ([]any, error) {
	chunks, ok := ls.([]any)
	if !ok {
		return nil, httpErr(400, "Lowstates must be a list")
	}
	out := make([]any, 0, len(chunks))
	for _, ch := range chunks {
		chunk, ok := ch.(body.Map)
		if !ok {
			return nil, httpErr(400, "Lowstates must be a list of mappings")
		}
		chunk = append(body.Map(nil), chunk...)
		if token != "" {
			chunk.Set("token", token)
		}
		if t, ok := chunk.Get("token"); ok {
			if s, isStr := t.(string); !isStr || !isHex(s) {
				return nil, httpErr(401, "Invalid token")
			}
		}
		if client != "" {
			chunk.Set("client", client)
		}
		if a, ok := chunk.Get("arg"); ok {
			if _, isList := a.([]any); !isList {
				chunk.Set("arg", []any{a})
			}
		}
		ret, err := c.s.be.Run(c.r.Context(), chunk)
		if err != nil {
			return nil, err
		}
		if it, ok := ret.(Iterated); ok {
			out = append(out, it...)
			continue
		}
		out = append(out, ret)
	}
	return out, nil
}

// isHex is int(token, 16) succeeding.
func isHex(s string) bool {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X"))
	if s == "" {
		return false
	}
	for _, r := range strings.ReplaceAll(s, "_", "") {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// login is Login: GET asks to log in; POST makes a Salt token of the
// credentials, keeps it in a new session and returns the session id as
// the token, with the token's times, user, eauth and perms.
func (c *call) login() {
	if c.r.Method != "POST" {
		c.w.Header().Set("WWW-Authenticate", "Session")
		// cherrypy.response.status is None until the response is finalized.
		c.respond(200, body.Map{{Key: "status", Value: nil}, {Key: "return", Value: "Please log in"}})
		return
	}
	if !c.s.be.MasterRunning() {
		c.fail(&SaltError{Name: SaltDaemonNotRunning, Message: "Salt Master is not available."})
		return
	}
	req, ok := c.body()
	if !ok {
		return
	}
	creds, _ := req.data.(body.Map)
	if list, ok := req.data.([]any); ok && len(list) > 0 {
		creds, _ = list[0].(body.Map)
	}
	if creds == nil {
		creds = body.Map{}
	}
	user, _ := creds.Get("username")
	if u, _ := user.(string); !c.apiACLAllows(u) {
		writeError(c.w, httpErr(401, ""))
		return
	}
	tok, err := c.s.be.MkToken(creds)
	if err != nil {
		c.fail(err)
		return
	}
	salt, _ := tok.Get("token")
	if s, _ := salt.(string); s == "" {
		writeError(c.w, httpErr(401, "Could not authenticate using provided credentials"))
		return
	}
	id := c.s.sessions.login(salt.(string))
	// The session id replaces the one the request came with.
	c.w.Header().Del("Set-Cookie")
	setCookie(c.w, id, time.Now())
	c.w.Header().Set("X-Auth-Token", id)
	perms := c.s.be.Perms(tok)
	var shown any = perms
	if len(perms) == 0 {
		shown = body.Map{}
	}
	expire, _ := tok.Get("expire")
	start, _ := tok.Get("start")
	name, _ := tok.Get("name")
	eauth, _ := tok.Get("eauth")
	c.respond(200, body.Map{{Key: "return", Value: []any{body.Map{
		{Key: "token", Value: id}, {Key: "expire", Value: expire}, {Key: "start", Value: start},
		{Key: "user", Value: name}, {Key: "eauth", Value: eauth}, {Key: "perms", Value: shown},
	}}}})
}

// logout is Logout: the session is forgotten, its cookie expired. The
// Salt token stays valid until it expires, as in Salt.
func (c *call) logout() {
	if !c.requireAuth() {
		return
	}
	c.s.sessions.logout(c.session)
	c.w.Header().Del("Set-Cookie")
	expireCookie(c.w, newSessionID(), time.Now())
	c.respond(200, body.Map{{Key: "return", Value: "Your token has been cleared"}})
}

// tokenPost is Token: for each set of credentials, the runner
// auth.mk_token called with them (so the user needs the runner right to
// it, as in Salt), its returns listed.
func (c *call) tokenPost() {
	req, ok := c.body()
	if !ok {
		return
	}
	ls, _ := lowstate(req.data).([]any)
	chunks := make([]any, 0, len(ls))
	for _, ch := range ls {
		creds, _ := ch.(body.Map)
		if !creds.Has("username") || !creds.Has("password") || !creds.Has("eauth") {
			writeError(c.w, httpErr(400, `Require "username", "password", and "eauth" params`))
			return
		}
		kw := body.Map{}
		for _, k := range []string{"username", "password", "eauth"} {
			v, _ := creds.Get(k)
			kw.Set(k, v)
		}
		chunk := append(body.Map(nil), creds...)
		chunk.Set("client", "runner")
		chunk.Set("fun", "auth.mk_token")
		chunk.Set("kwarg", kw)
		chunks = append(chunks, chunk)
	}
	ret, err := c.execLowstate(chunks, "", "")
	if err != nil {
		c.fail(err)
		return
	}
	c.respond(200, ret)
}

// run is Run: a lowstate whose chunks carry their own credentials.
func (c *call) run() {
	req, ok := c.body()
	if !ok {
		return
	}
	ret, err := c.execLowstate(lowstate(req.data), "", "")
	if err != nil {
		c.fail(err)
		return
	}
	c.respond(200, body.Map{{Key: "return", Value: ret}})
}

// minions is Minions: GET the grains of a minion or all (local
// grains.items), POST a job (local_async), 202 with links to the jobs.
func (c *call) minions() {
	if !c.requireAuth() {
		return
	}
	if c.r.Method == "GET" {
		tgt := "*"
		if len(c.path) > 1 {
			tgt = c.path[1]
		}
		ls := []any{body.Map{{Key: "client", Value: "local"}, {Key: "tgt", Value: tgt}, {Key: "fun", Value: "grains.items"}}}
		ret, err := c.execLowstate(ls, "", c.token)
		if err != nil {
			c.fail(err)
			return
		}
		c.respond(200, body.Map{{Key: "return", Value: ret}})
		return
	}
	req, ok := c.body()
	if !ok {
		return
	}
	ret, err := c.execLowstate(lowstate(req.data), "local_async", c.token)
	if err != nil {
		c.fail(err)
		return
	}
	links := []any{}
	for _, r := range ret {
		if m, ok := r.(body.Map); ok {
			if jid, ok := m.Get("jid"); ok {
				links = append(links, body.Map{{Key: "href", Value: fmt.Sprintf("/jobs/%v", jid)}})
			}
		}
	}
	c.respond(202, body.Map{{Key: "return", Value: ret},
		{Key: "_links", Value: body.Map{{Key: "jobs", Value: links}}}})
}

// jobs is Jobs: the jobs runner's list_jobs, or list_job of a jid with
// its returns by minion.
func (c *call) jobs() {
	if !c.requireAuth() {
		return
	}
	low := body.Map{{Key: "client", Value: "runner"}, {Key: "fun", Value: "jobs.list_jobs"}}
	jid := ""
	if len(c.path) > 1 {
		jid = c.path[1]
		low = body.Map{{Key: "client", Value: "runner"}, {Key: "fun", Value: "jobs.list_job"}, {Key: "jid", Value: jid}}
	}
	ret, err := c.execLowstate([]any{low}, "", c.token)
	if err != nil {
		c.fail(err)
		return
	}
	if jid == "" {
		c.respond(200, body.Map{{Key: "return", Value: []any{ret[0]}}})
		return
	}
	info, _ := ret[0].(body.Map)
	byMinion := body.Map{}
	if res, ok := info.Map("Result"); ok {
		for _, it := range res {
			m, _ := it.Value.(body.Map)
			v, _ := m.Get("return")
			byMinion = append(byMinion, body.Item{Key: it.Key, Value: v})
		}
	}
	c.respond(200, body.Map{{Key: "info", Value: []any{ret[0]}}, {Key: "return", Value: []any{byMinion}}})
}

// keys is Keys: GET key.list_all or key.finger of an id; POST
// key.gen_accept with credentials in the body, the keys as a tarball.
func (c *call) keys() {
	if c.r.Method == "POST" {
		c.keysPost()
		return
	}
	// Keys has no salt_auth tool: without a session's token the lowstate
	// has no credentials, which NetapiClient refuses itself.
	low := body.Map{{Key: "client", Value: "wheel"}, {Key: "fun", Value: "key.list_all"}}
	if len(c.path) > 1 {
		low = body.Map{{Key: "client", Value: "wheel"}, {Key: "fun", Value: "key.finger"}, {Key: "match", Value: c.path[1]}}
	}
	ret, err := c.execLowstate([]any{low}, "", c.token)
	if err != nil {
		c.fail(err)
		return
	}
	c.respond(200, body.Map{{Key: "return", Value: wheelReturn(ret[0])}})
}

// wheelReturn is a wheel call's data.return, {} when it has none.
func wheelReturn(v any) any {
	m, _ := v.(body.Map)
	data, _ := m.Map("data")
	if r, ok := data.Get("return"); ok {
		return r
	}
	return body.Map{}
}

func (c *call) keysPost() {
	req, ok := c.body()
	if !ok {
		return
	}
	ls, _ := lowstate(req.data).([]any)
	if len(ls) == 0 {
		writeError(c.w, httpErr(400, "Lowstates must be a list"))
		return
	}
	low, _ := ls[0].(body.Map)
	low = append(body.Map(nil), low...)
	low.Set("client", "wheel")
	low.Set("fun", "key.gen_accept")
	if mid, ok := low.Get("mid"); ok {
		low.Delete("mid")
		low.Set("id_", mid)
	}
	ret, err := c.execLowstate([]any{low}, "", "")
	if err != nil {
		c.fail(err)
		return
	}
	keys, _ := wheelReturn(ret[0]).(body.Map)
	pub, _ := keys.Get("pub")
	priv, _ := keys.Get("priv")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data any
	}{{"minion.pub", pub}, {"minion.pem", priv}} {
		s, _ := f.data.(string)
		_ = tw.WriteHeader(&tar.Header{Name: f.name, Size: int64(len(s)), Mode: 0o644, Format: tar.FormatUSTAR})
		_, _ = tw.Write([]byte(s))
	}
	_ = tw.Close()
	id, _ := low.Get("id_")
	h := c.w.Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="saltkeys-%v.tar"`, id))
	h.Set("Content-Type", "application/x-tar")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-cache")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes())
}
