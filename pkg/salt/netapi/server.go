// Package netapi is Salt's rest_cherrypy (salt/netapi/rest_cherrypy/app.py,
// salt/netapi/__init__.py) in Go: the REST API salt-api serves, with its
// endpoints, request and response shapes, statuses and error pages, over a
// Backend that authenticates and runs lowstates against the master.
package netapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Options are the rest_cherrypy section's settings the server itself
// reads (the listener's are the command's).
type Options struct {
	// RootPrefix is root_prefix: where the API is mounted ("/").
	RootPrefix string
	// WebhookURL is webhook_url: the hook endpoint ("/hook").
	WebhookURL string
	// WebhookDisableAuth is webhook_disable_auth.
	WebhookDisableAuth bool
	// StatsDisableAuth is stats_disable_auth.
	StatsDisableAuth bool
	// CollectStats is collect_stats: /stats counts requests.
	CollectStats bool
	// MaxRequestBodySize is max_request_body_size (1048576 when 0; a
	// negative size is no limit).
	MaxRequestBodySize int64
	// Debug is debug: an unexpected error's text is returned.
	Debug bool
	// App is app: an HTML file served at AppPath (app_path, "/app"), and
	// to browsers that ask for text/html anywhere else; "" serves none.
	App, AppPath string
	// DisableSessions is enable_sessions: False: /login, /logout,
	// /minions and /jobs are not served (only /run and the hook).
	DisableSessions bool
	// AuthorizedIPs is authorized_ips: when set, a request from another
	// address is refused, 403 "Bad IP".
	AuthorizedIPs []string
	// APIACL is api_acl's users: user (or "*") → the addresses it may log
	// in from ("*" any); nil checks nothing.
	APIACL map[string][]string
	// Log receives the server's lines; nil discards them.
	Log logrus.FieldLogger
}

// Clients are the lowstate clients this API implements (Salt's CLIENTS,
// without ssh and local_subset).
var Clients = []string{"local", "local_async", "local_batch", "runner", "runner_async", "wheel", "wheel_async"}

// Server is the API's HTTP handler.
type Server struct {
	opts     Options
	be       Backend
	log      logrus.FieldLogger
	sessions *sessions
	stats    stats
	start    time.Time
	ctx      context.Context // ended when the server is closed: event streams end
	cancel   context.CancelFunc
}

// stats are the counts /stats shows.
type stats struct {
	requests, current, bytesRead, bytesWritten atomic.Int64
}

// New returns the API over be.
func New(opts Options, be Backend) *Server {
	if opts.MaxRequestBodySize == 0 {
		opts.MaxRequestBodySize = 1048576
	}
	if opts.WebhookURL == "" {
		opts.WebhookURL = "hook"
	}
	opts.WebhookURL = strings.Trim(opts.WebhookURL, "/")
	opts.RootPrefix = "/" + strings.Trim(opts.RootPrefix, "/")
	if opts.AppPath == "" {
		opts.AppPath = "app"
	}
	opts.AppPath = strings.Trim(opts.AppPath, "/")
	log := opts.Log
	if log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		log = l
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: opts, be: be, log: log, sessions: newSessions(), start: time.Now(), ctx: ctx, cancel: cancel}
}

// Close ends the event streams being served.
func (s *Server) Close() { s.cancel() }

// call is one request being served.
type call struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	path    []string // the path below the root prefix, by segment
	session string   // the session id, "" when the resource has no sessions
	token   string   // the session's Salt token
}

// ServeHTTP routes a request as rest_cherrypy's MethodDispatcher does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.stats.requests.Add(1)
	s.stats.current.Add(1)
	defer s.stats.current.Add(-1)
	if r.ContentLength > 0 {
		s.stats.bytesRead.Add(r.ContentLength)
	}
	sw := &statusWriter{countingWriter: &countingWriter{ResponseWriter: w, n: &s.stats.bytesWritten}}
	c := &call{s: s, w: sw, r: r}
	defer func() { s.log.Info(accessLine(r, c.remoteIP(), sw.status, sw.n, time.Now())) }()
	cw := sw
	c.cors()
	if r.Method == http.MethodOptions {
		cw.WriteHeader(http.StatusOK)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, s.opts.RootPrefix)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/") && s.opts.RootPrefix != "/") {
		writeError(cw, httpErr(404, "The path '"+r.URL.Path+"' was not found."))
		return
	}
	for _, seg := range strings.Split(strings.Trim(rest, "/"), "/") {
		if seg != "" {
			c.path = append(c.path, seg)
		}
	}
	c.route()
}

// route picks the resource of the first path segment.
func (c *call) route() {
	name := ""
	if len(c.path) > 0 {
		name = c.path[0]
	}
	type resource struct {
		methods  []string
		sessions bool
		handle   func()
	}
	routes := map[string]resource{
		"":        {[]string{"GET", "POST"}, c.r.Method == "POST", c.index},
		"login":   {[]string{"GET", "POST"}, true, c.login},
		"logout":  {[]string{"POST"}, true, c.logout},
		"token":   {[]string{"POST"}, false, c.tokenPost},
		"run":     {[]string{"POST"}, false, c.run},
		"minions": {[]string{"GET", "POST"}, true, c.minions},
		"jobs":    {[]string{"GET"}, true, c.jobs},
		"keys":    {[]string{"GET", "POST"}, c.r.Method == "GET", c.keys},
		"events":  {[]string{"GET"}, true, c.events},
		"stats":   {[]string{"GET"}, true, c.statsGet},
	}
	routes[c.s.opts.WebhookURL] = resource{[]string{"POST"}, true, c.hook}
	if c.s.opts.App != "" {
		routes[c.s.opts.AppPath] = resource{[]string{"GET"}, false, c.app}
		if name != c.s.opts.AppPath && c.wantsHTML() {
			name = c.s.opts.AppPath // html_override_tool's internal redirect
		}
	}
	if c.s.opts.DisableSessions && contains([]string{"login", "logout", "minions", "jobs"}, name) {
		delete(routes, name)
	}
	res, ok := routes[name]
	hook := name == c.s.opts.WebhookURL
	app := c.s.opts.App != "" && name == c.s.opts.AppPath
	if !ok || (len(c.path) > 1 && !hasArg(name) && !hook && !app) || (len(c.path) > 2 && !hook && !app) {
		writeError(c.w, httpErr(404, "The path '"+c.r.URL.Path+"' was not found."))
		return
	}
	method := c.r.Method
	if method == "HEAD" {
		method = "GET"
	}
	// MethodDispatcher says a resource's methods on every answer.
	allow := strings.Join(res.methods, ", ")
	if contains(res.methods, "GET") {
		allow = strings.Replace(allow, "GET", "GET, HEAD", 1)
	}
	c.w.Header().Set("Allow", allow)
	if !contains(res.methods, method) {
		writeError(c.w, httpErr(405, ""))
		return
	}
	if res.sessions {
		c.session, c.token = c.s.sessions.load(c.r)
		setCookie(c.w, c.session, time.Now())
	}
	if ips := c.s.opts.AuthorizedIPs; len(ips) > 0 && !contains(ips, c.remoteIP()) {
		c.s.log.Errorf("Blocked IP: %s", c.remoteIP())
		writeError(c.w, httpErr(403, "Bad IP"))
		return
	}
	res.handle()
}

// hasArg says whether resource name takes a path argument (/minions/<id>,
// /jobs/<jid>, /keys/<id>; the hook takes any number).
func hasArg(name string) bool {
	return name == "minions" || name == "jobs" || name == "keys"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wantsHTML is html_override_tool's test: an Accept that is not */* and
// prefers text/html over the API's types.
func (c *call) wantsHTML() bool {
	h := c.r.Header.Get("Accept")
	if h == "" || h == "*/*" {
		return false
	}
	q := quality(h, "text/html")
	return q > 0 && q >= quality(h, ctJSON) && q >= quality(h, ctYAML)
}

// app is App: the configured HTML file.
func (c *call) app() {
	http.ServeFile(c.w, c.r, c.s.opts.App)
}

// remoteIP is the client's address (CherryPy's Remote-Addr).
func (c *call) remoteIP() string {
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return host
}

// apiACLAllows is salt_api_acl_tool: may user log in from this address?
func (c *call) apiACLAllows(user string) bool {
	acl := c.s.opts.APIACL
	if acl == nil {
		return true
	}
	ips, ok := acl[user]
	if !ok {
		if ips, ok = acl["*"]; !ok {
			c.s.log.Infof("[api_acl] Authentication failed for user %s from IP %s", user, c.remoteIP())
			return false
		}
	}
	allowed := contains(ips, c.remoteIP()) || contains(ips, "*")
	verdict := "failed"
	if allowed {
		verdict = "successful"
	}
	c.s.log.Infof("[api_acl] Authentication %s for user %s from IP %s", verdict, user, c.remoteIP())
	return allowed
}

// cors is cors_tool's headers.
func (c *call) cors() {
	h := c.w.Header()
	origin := c.r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "GET, POST")
	h.Set("Access-Control-Allow-Credentials", "true")
	if c.r.Method == http.MethodOptions {
		switch c.r.Header.Get("Access-Control-Request-Method") {
		case "GET", "POST":
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Auth-Token, X-Requested-With")
			h.Set("Connection", "keep-alive")
			h.Set("Access-Control-Max-Age", "1400")
		}
	}
}

// requireAuth is salt_auth_tool: a session that holds a token, else 401.
func (c *call) requireAuth() bool {
	if c.token == "" {
		writeError(c.w, httpErr(401, ""))
		return false
	}
	c.w.Header().Set("Cache-Control", "private")
	return true
}

// body reads the request body (hypermedia_in).
func (c *call) body() (request, bool) {
	req, err := readBody(c.r, c.s.opts.MaxRequestBodySize)
	if err != nil {
		c.fail(err)
		return request{}, false
	}
	return req, true
}

// respond sends v in the media type the Accept header asks for
// (hypermedia_handler), with status.
func (c *call) respond(status int, v any) {
	ct, err := accept(c.r.Header.Get("Accept"))
	if err != nil {
		c.fail(err)
		return
	}
	b, err := encode(ct, v)
	if err != nil {
		c.s.log.Debugf("Could not serialize the return data from Salt: %v", err)
		writeError(c.w, httpErr(500, "Could not serialize the return data from Salt."))
		return
	}
	c.w.Header().Set("Content-Type", ct)
	c.w.WriteHeader(status)
	if c.r.Method != "HEAD" {
		_, _ = c.w.Write(b)
	}
}

// fail answers an error as hypermedia_handler does: Salt's exceptions
// by their statuses (logged at error, as Salt logs them), an unexpected
// error as 500 with a body that says only that, unless debug.
func (c *call) fail(err error) {
	if status, msg := statusOf(err); status != 0 {
		if status == 401 || status == 400 {
			if msg != "" && status != 400 {
				c.s.log.Error(msg)
			}
		}
		writeError(c.w, httpErr(status, msg))
		return
	}
	c.s.log.Debugf("Error while processing request for: %s: %v", c.r.URL.Path, err)
	ret := "An unexpected error occurred"
	if c.s.opts.Debug {
		ret = err.Error()
	}
	c.respond(500, body.Map{{Key: "status", Value: 500}, {Key: "return", Value: ret}})
}

// countingWriter counts the bytes written, for /stats, and passes
// Flush on for the event stream.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n.Add(int64(n))
	return n, err
}

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
