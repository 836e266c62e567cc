package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/netapi"
)

// apiOpts are the rest_cherrypy section's settings, with Salt's defaults.
type apiOpts struct {
	host, port              string
	sslCrt, sslKey          string
	disableSSL              bool
	threadPool              int
	maxBody                 int64
	expireResponses         bool
	server                  netapi.Options
	hasPort, hasCrt, hasKey bool
}

// readAPIOpts reads rest_cherrypy from the master's config (apiopts in
// rest_cherrypy's get_app) and netapi_enable_clients.
func readAPIOpts(cfg *config.Master) (apiOpts, error) {
	sec, _ := cfg.Raw["rest_cherrypy"].(map[string]any)
	o := apiOpts{host: "0.0.0.0", threadPool: 100, maxBody: 1048576, expireResponses: true}
	str := func(k string) (string, bool) {
		v, ok := sec[k]
		if !ok || v == nil {
			return "", false
		}
		return fmt.Sprint(v), true
	}
	flag := func(k string) bool { v, _ := sec[k].(bool); return v }
	num := func(k string, def int64) (int64, error) {
		s, ok := str(k)
		if !ok {
			return def, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("rest_cherrypy: %s: %q is not a number (in %s)", k, s, cfg.ConfFile)
		}
		return n, nil
	}
	if h, ok := str("host"); ok {
		o.host = h
	}
	o.port, o.hasPort = str("port")
	o.sslCrt, o.hasCrt = str("ssl_crt")
	o.sslKey, o.hasKey = str("ssl_key")
	o.disableSSL = flag("disable_ssl")
	tp, err := num("thread_pool", 100)
	if err != nil {
		return o, err
	}
	o.threadPool = int(max(tp, 1))
	if o.maxBody, err = num("max_request_body_size", 1048576); err != nil {
		return o, err
	}
	if v, ok := sec["expire_responses"].(bool); ok {
		o.expireResponses = v
	}
	prefix, _ := str("root_prefix")
	hook, _ := str("webhook_url")
	o.server = netapi.Options{RootPrefix: prefix, WebhookURL: hook, WebhookDisableAuth: flag("webhook_disable_auth"),
		StatsDisableAuth: flag("stats_disable_auth"), CollectStats: flag("collect_stats"),
		MaxRequestBodySize: o.maxBody, Debug: flag("debug")}
	o.server.App, _ = str("app")
	o.server.AppPath, _ = str("app_path")
	if v, ok := sec["enable_sessions"].(bool); ok && !v {
		o.server.DisableSessions = true
	}
	if ips, ok := sec["authorized_ips"].([]any); ok {
		for _, ip := range ips {
			o.server.AuthorizedIPs = append(o.server.AuthorizedIPs, fmt.Sprint(ip))
		}
	}
	if acl, ok := sec["api_acl"].(map[string]any); ok {
		users, _ := acl["users"].(map[string]any)
		if len(users) > 0 {
			o.server.APIACL = map[string][]string{}
			for u, ips := range users {
				list, _ := ips.([]any)
				o.server.APIACL[u] = []string{}
				for _, ip := range list {
					o.server.APIACL[u] = append(o.server.APIACL[u], fmt.Sprint(ip))
				}
			}
		}
	}
	if o.server.MaxRequestBodySize == 0 {
		o.server.MaxRequestBodySize = -1 // 0 is no limit in CherryPy
	}
	return o, nil
}

// check is rest_cherrypy's __virtual__ and start(): a port, and the
// certificate files unless disable_ssl.
func (o apiOpts) check() error {
	if !o.hasPort {
		return fmt.Errorf("Not loading 'rest_cherrypy'. 'port' not specified in config")
	}
	if _, err := strconv.ParseUint(o.port, 10, 16); err != nil {
		return fmt.Errorf("Not loading 'rest_cherrypy'. 'port' %q is not a port", o.port)
	}
	if o.disableSSL {
		return nil
	}
	if !o.hasCrt || !o.hasKey {
		return fmt.Errorf("Not starting 'rest_cherrypy'. Options 'ssl_crt' and 'ssl_key' are required if SSL is not disabled.")
	}
	for _, f := range []string{o.sslCrt, o.sslKey} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("Could not find a certificate: %s\nIf you want to quickly generate a self-signed certificate, use %s --gen-cert", f, prog)
		}
	}
	return nil
}

func (o apiOpts) addr() string { return net.JoinHostPort(o.host, o.port) }

// apiFiles are salt-api's own log and pid files: api_logfile and
// api_pidfile, under root_dir.
func apiFiles(cfg *config.Master) (logFile, pidFile string) {
	logFile, pidFile = filepath.Join(cfg.RootDir, "var/log/salt/api"), filepath.Join(cfg.RootDir, "var/run/salt-api.pid")
	if s, ok := cfg.Raw["api_logfile"].(string); ok {
		logFile = s
	}
	if s, ok := cfg.Raw["api_pidfile"].(string); ok {
		pidFile = s
	}
	return logFile, pidFile
}

// A slow or silent client must not hold one of the thread_pool's slots
// for ever: its headers within readHeaderTimeout, its whole request
// (the body is at most max_request_body_size) within readTimeout, and an
// idle kept-alive connection is closed after idleTimeout. No write
// timeout: /events streams for as long as its token lives.
const (
	readHeaderTimeout = 30 * time.Second
	readTimeout       = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
)
