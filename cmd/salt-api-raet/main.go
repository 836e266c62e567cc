// Command salt-api-raet is salt-api for a Salt master on RAET: it serves
// Salt's rest_cherrypy REST API (salt/netapi/rest_cherrypy) from the
// master's config, for Salt's own clients (salt-pepper), web consoles
// and CI pipelines.
//
//	salt-api-raet [-c /etc/salt] [-d] [-l level] [--log-file F] [--pid-file F]
//	salt-api-raet --gen-cert
//
// It reads the rest_cherrypy section of the master's config (host, port,
// ssl_crt, ssl_key, disable_ssl, debug, root_prefix, webhook_url,
// webhook_disable_auth, thread_pool, max_request_body_size,
// collect_stats, stats_disable_auth, enable_sessions, authorized_ips,
// api_acl, app, app_path) and netapi_enable_clients: as in
// Salt 3006, a lowstate may only name a client listed there. TLS is on
// unless disable_ssl: True; --gen-cert writes a self-signed ssl_crt and
// ssl_key for a first run and exits.
//
// Logins are checked against external_auth (pkg/salt/auth), tokens kept
// in the master's token_dir. Publishes go to the master over its lane
// carrying the caller's token, which the master checks against the ACL;
// runners and wheel functions run in this process after the runner or
// wheel ACL, as salt-run-raet runs them.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/netapi"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-api-raet"

const daemonEnv = "SALT_API_RAET_DAEMONIZED"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o cli.DaemonOptions
	var genCertFlag bool
	root := cli.NewRoot(prog+" [options]",
		"The Salt API system manages network API connectors for the Salt Master",
		"salt-api-raet serves Salt's rest_cherrypy REST API for a Salt master on RAET.", cobra.NoArgs)
	o.AddFlags(root.Flags(), "api", "Logging log level.")
	root.Flags().BoolVar(&genCertFlag, "gen-cert", false, "Write a self-signed certificate and key to rest_cherrypy's ssl_crt and ssl_key, then exit.")
	root.RunE = func(*cobra.Command, []string) error { return cli.CheckLogLevel("-l/--log-level", o.LogLevel) }
	if code, ok := cli.Execute(root, args, &o.Version, stdin, stdout, stderr); !ok {
		return code
	}
	cli.WarnMissingConfigDir(stderr, o.ConfigDir)
	cfg, err := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}.LoadMaster(o.ConfigDir)
	if err != nil {
		cli.PrintError(stderr, err)
		return cli.ExitError
	}
	ao, err := readAPIOpts(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return cli.ExitError
	}
	if genCertFlag {
		return genCertCmd(ao, stdout, stderr)
	}
	return serve(&o, args, cfg, ao, stderr)
}

func genCertCmd(ao apiOpts, stdout, stderr io.Writer) int {
	if !ao.hasCrt || !ao.hasKey {
		fmt.Fprintln(stderr, "Error: --gen-cert needs rest_cherrypy's ssl_crt and ssl_key in the master's config")
		return cli.ExitError
	}
	if err := genCert(ao.sslCrt, ao.sslKey, time.Now()); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return cli.ExitError
	}
	fmt.Fprintf(stdout, "Created Certificate for \"localhost\": \"%s\"\nCreated private key: \"%s\"\n", ao.sslCrt, ao.sslKey)
	return cli.ExitOK
}

func serve(o *cli.DaemonOptions, args []string, cfg *config.Master, ao apiOpts, stderr io.Writer) int {
	logFile, pidFile := apiFiles(cfg)
	level := cfg.LogLevel
	if o.LogLevel != "" {
		level = o.LogLevel
	}
	if o.LogFile != "" {
		logFile = o.LogFile
	}
	if o.PidFile != "" {
		pidFile = o.PidFile
	}
	child := os.Getenv(daemonEnv) == "1"
	if o.Daemon && !child {
		return daemonize(args, pidFile, stderr)
	}
	var console io.Writer = stderr
	if child {
		console = nil
	}
	if err := mkdir.All(filepath.Dir(logFile), 0o700); err != nil {
		fmt.Fprintf(stderr, "Error: cannot create the directory of the log file %s: %v\n", logFile, err)
		return cli.ExitError
	}
	log, err := saltlog.New(level, console, logFile)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return cli.ExitError
	}
	if err := ao.check(); err != nil {
		log.Error(err.Error())
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return cli.ExitError
	}
	ctx, stop := cli.StopOnSignal(context.Background())
	defer stop()
	be, err := netapi.NewSaltBackend(cfg, log)
	if err != nil {
		log.Errorf("Cannot start the API: %v", err)
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return cli.ExitError
	}
	defer be.Close()
	ln, err := net.Listen("tcp", ao.addr())
	if err != nil {
		log.Errorf("Cannot listen on %s: %v", ao.addr(), err)
		fmt.Fprintf(stderr, "Error: cannot listen on %s (rest_cherrypy host and port): %v\n", ao.addr(), err)
		return cli.ExitError
	}
	if err := cli.WritePidFile(pidFile); err != nil {
		fmt.Fprintf(stderr, "Error: cannot write the pid file %s: %v\n", pidFile, err)
		ln.Close()
		return cli.ExitError
	}
	defer cli.RemovePidFile(pidFile)
	return listen(ctx, ln, ao, be, log)
}

// listen serves the API on ln until ctx ends.
func listen(ctx context.Context, ln net.Listener, ao apiOpts, be netapi.Backend, log *logrus.Logger) int {
	api := netapi.New(ao.server, be)
	srv := &http.Server{
		Handler:           limit(api, ao.threadPool),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
	}
	scheme := "https"
	if ao.disableSSL {
		scheme = "http"
	} else {
		cert, err := tls.LoadX509KeyPair(ao.sslCrt, ao.sslKey)
		if err != nil {
			log.Errorf("Cannot load ssl_crt %s and ssl_key %s: %v", ao.sslCrt, ao.sslKey, err)
			return cli.ExitError
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	log.Infof("Started %s %s as pid %d, serving %s://%s%s", prog, cli.Version(), os.Getpid(), scheme, ao.addr(), ao.server.RootPrefix)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		log.Errorf("The API stopped: %v", err)
		return cli.ExitError
	case <-ctx.Done():
	}
	api.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Debugf("Shutdown: %v", err)
	}
	log.Info("Shutting down")
	return cli.ExitOK
}

// limit is thread_pool: at most n requests are served at once, the
// others wait their turn, as CherryPy's worker threads take them.
func limit(h http.Handler, n int) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-slots }()
		h.ServeHTTP(w, r)
	})
}

// daemonize starts the API again detached and waits for its pid file.
func daemonize(args []string, pidFile string, stderr io.Writer) int {
	c, err := cli.Detach(args, daemonEnv)
	if err != nil {
		fmt.Fprintf(stderr, "Error: cannot daemonize: %v\n", err)
		return cli.ExitError
	}
	switch start, err := c.WaitReady(context.Background(), pidFile, 30*time.Second); start {
	case cli.Exited:
		fmt.Fprintf(stderr, "Error: the daemon stopped as it started (%v); see its log file\n", err)
		return cli.ExitError
	case cli.TimedOut:
		fmt.Fprintf(stderr, "Error: the daemon (pid %d) did not write its pid file %s in time\n", c.Pid, pidFile)
		return cli.ExitError
	}
	return cli.ExitOK
}
