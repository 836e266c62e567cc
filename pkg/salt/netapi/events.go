package netapi

import (
	"context"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// events is Events: every event of the master's bus as server-sent
// events, for a token given as ?token=, ?salt_token= or the session
// cookie (a session id, or a Salt token itself). The token is checked
// again before each event: the stream ends when it expires.
func (c *call) events() {
	q := c.r.URL.Query()
	auth := q.Get("token")
	if auth == "" {
		auth = q.Get("salt_token")
	}
	if auth == "" {
		if ck, err := c.r.Cookie(sessionCookie); err == nil {
			auth = ck.Value
		}
	}
	if !c.validToken(auth) {
		writeError(c.w, httpErr(401, ""))
		return
	}
	stream, err := c.s.be.Events()
	if err != nil {
		c.fail(err)
		return
	}
	defer stream.Close()
	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream;charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	c.w.WriteHeader(http.StatusOK)
	ctx, cancel := context.WithCancel(c.r.Context())
	defer cancel()
	go func() {
		select {
		case <-c.s.ctx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	if !c.sse("retry: 400\n") {
		return
	}
	for {
		tag, data, err := stream.Next(ctx)
		if err != nil {
			return
		}
		if !c.validToken(auth) {
			c.s.log.Debug("Token is no longer valid")
			return
		}
		b, err := py.AppendJSONLayout(nil, body.Map{{Key: "data", Value: data}, {Key: "tag", Value: tag}}, -1, true)
		if err != nil {
			continue
		}
		if !c.sse("tag: " + tag + "\ndata: " + string(b) + "\n\n") {
			return
		}
	}
}

// sse writes and flushes one piece of the stream; false when the client
// is gone.
func (c *call) sse(s string) bool {
	if _, err := c.w.Write([]byte(s)); err != nil {
		return false
	}
	if f, ok := c.w.(http.Flusher); ok {
		f.Flush()
	}
	return true
}

// validToken is Events._is_valid_token: hex, and the Salt token of the
// session it names (or itself) valid and not expired.
func (c *call) validToken(auth string) bool {
	if !isHex(auth) {
		return false
	}
	salt := c.s.sessions.token(auth)
	if salt == "" {
		salt = auth
	}
	tok := c.s.be.GetToken(salt)
	if tok == nil {
		return false
	}
	exp, _ := tok.Get("expire")
	f, ok := toFloat(exp)
	return ok && f > float64(time.Now().UnixNano())/1e9
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// hook is Webhook: the request fired on the master's bus as
// salt/netapi/hook/<path>, {body, post, headers}, for a reactor to act on.
func (c *call) hook() {
	if !c.s.opts.WebhookDisableAuth && !c.requireAuth() {
		return
	}
	req, ok := c.body()
	if !ok {
		return
	}
	tag := strings.Join(append([]string{"salt", "netapi", "hook"}, c.path[1:]...), "/")
	post := lowstateData(req.data)
	data := body.Map{{Key: "body", Value: req.raw}, {Key: "post", Value: post}, {Key: "headers", Value: c.headers()}}
	err := c.s.be.Fire(tag, data)
	if err != nil {
		c.s.log.Warnf("The hook event %s was not fired: %v", tag, err)
	}
	c.respond(200, body.Map{{Key: "success", Value: err == nil}})
}

// lowstateData is the hook's "post": the body's data, {} when empty.
func lowstateData(v any) any {
	switch x := v.(type) {
	case nil:
		return body.Map{}
	case body.Map:
		if len(x) == 0 {
			return body.Map{}
		}
	case string:
		if x == "" {
			return body.Map{}
		}
	}
	return v
}

// headers are the request's headers as CherryPy's dict of them: its
// Remote-Addr and Host first, then the others by name.
func (c *call) headers() body.Map {
	addr, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		addr = c.r.RemoteAddr
	}
	out := body.Map{{Key: "Remote-Addr", Value: addr}, {Key: "Host", Value: c.r.Host}}
	names := make([]string, 0, len(c.r.Header))
	for k := range c.r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, body.Item{Key: k, Value: strings.Join(c.r.Header[k], ", ")})
	}
	return out
}

// statsGet is Stats: cpstats' figures of the API under its "CherryPy
// Applications" key, in its order. As with CherryPy, the structure is
// there whatever collect_stats says; the requests are counted only when
// it is on (else the counts stay 0).
func (c *call) statsGet() {
	if !c.s.opts.StatsDisableAuth && !c.requireAuth() {
		return
	}
	now := time.Now()
	up := now.Sub(c.s.start).Seconds()
	st := &c.s.stats
	var total, read, written, current int64
	if c.s.opts.CollectStats {
		total, read, written, current = st.requests.Load(), st.bytesRead.Load(), st.bytesWritten.Load(), st.current.Load()
	}
	per := func(n int64, d float64) float64 {
		if d <= 0 {
			return 0.0
		}
		return float64(n) / d
	}
	c.respond(200, body.Map{{Key: "CherryPy Applications", Value: body.Map{
		{Key: "Enabled", Value: true},
		{Key: "Bytes Read/Request", Value: per(read, float64(total))},
		{Key: "Bytes Read/Second", Value: per(read, up)},
		{Key: "Bytes Written/Request", Value: per(written, float64(total))},
		{Key: "Bytes Written/Second", Value: per(written, up)},
		{Key: "Current Time", Value: float64(now.UnixNano()) / 1e9},
		{Key: "Current Requests", Value: current},
		{Key: "Requests/Second", Value: per(total, up)},
		{Key: "Server Version", Value: CherryPyVersion},
		{Key: "Start Time", Value: float64(c.s.start.UnixNano()) / 1e9},
		{Key: "Total Bytes Read", Value: read},
		{Key: "Total Bytes Written", Value: written},
		{Key: "Total Requests", Value: total},
		{Key: "Uptime", Value: up},
	}}})
}
