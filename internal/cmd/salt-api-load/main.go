// Command salt-api-load measures a salt-api (rest_cherrypy's REST API, ours
// or Salt's own) the way its clients use it: it logs in once, then times
// POST / lowstate jobs one after another (the round trip a client such as
// pepper waits for), then runs many clients at once for a while and counts
// the requests per second they get through.
//
//	go run ./internal/cmd/salt-api-load -url http://127.0.0.1:8000 -user fred -pass s3cret -eauth sharedsecret -minions 10
//
// It is a load tool, not a test: its figures depend on the machine and on
// what else runs on it (it prints the load average beside them).
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

type options struct {
	url, user, pass, eauth string
	client, tgt, fun       string
	minions                int
	rounds                 int
	clients                int
	duration               time.Duration
	timeout                time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8000", "the API's base URL (root_prefix included)")
	flag.StringVar(&o.user, "user", "", "the eauth user")
	flag.StringVar(&o.pass, "pass", "", "the eauth password")
	flag.StringVar(&o.eauth, "eauth", "auto", "the eauth module")
	flag.StringVar(&o.client, "client", "local", "the lowstate client of each request")
	flag.StringVar(&o.tgt, "tgt", "*", "the lowstate target")
	flag.StringVar(&o.fun, "fun", "test.ping", "the lowstate function")
	flag.IntVar(&o.minions, "minions", 0, "how many minions must answer each request (0: any; fewer is counted as incomplete)")
	flag.IntVar(&o.rounds, "rounds", 100, "requests one after another, for the round trip")
	flag.IntVar(&o.clients, "clients", 50, "clients at once, for the requests per second (0: skip)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long the clients run at once")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "how long one request may take")
	insecure := flag.Bool("insecure", false, "accept the API's certificate without checking it (a self-signed one)")
	flag.Parse()
	if o.user == "" {
		fmt.Fprintln(os.Stderr, "salt-api-load: -user is required")
		os.Exit(2)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(o.clients, 2)
	if *insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for: a self-signed test API
	}
	api := &apiClient{base: strings.TrimRight(o.url, "/"), http: &http.Client{Transport: tr, Timeout: o.timeout}}
	if err := measure(context.Background(), api, o); err != nil {
		fmt.Fprintln(os.Stderr, "salt-api-load:", err)
		os.Exit(1)
	}
}

func measure(ctx context.Context, api *apiClient, o options) error {
	fmt.Printf("salt-api-load: %s, %s %s %s to %q, load %s\n", api.base, o.client, o.fun, o.eauth, o.tgt, loadAvg())
	if err := api.login(ctx, o.user, o.pass, o.eauth); err != nil {
		return err
	}
	low := map[string]any{"client": o.client, "tgt": o.tgt, "fun": o.fun}
	rt := roundTrips(ctx, api, low, o)
	fmt.Println(rt)
	if rt.done == 0 {
		return fmt.Errorf("no request succeeded: %s", rt.errs)
	}
	if o.clients > 0 {
		fmt.Println(concurrent(ctx, api, low, o))
	}
	fmt.Printf("load %s\n", loadAvg())
	return nil
}

// loadAvg is /proc/loadavg's first three figures, or "?" off Linux.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
