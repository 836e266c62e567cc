// Package metrics serves a daemon's figures as Prometheus text on
// metrics_interface:metrics_port (/metrics), for the master and the
// minion. Salt 3006 has no such endpoint; the names follow the layers:
// raet_road_*, raet_lane_*, raet_router_* for the transport, salt_master_*
// and salt_minion_* for the daemons.
//
// Collection is lazy: the collectors here read the stacks' counters,
// meters and queue depths when /metrics is asked for, so a daemon does no
// work for its metrics between scrapes beyond the counts it keeps anyway.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is a listening /metrics endpoint.
type Server struct {
	ln  net.Listener
	srv *http.Server
}

// Listen binds addr (host:port) and makes the endpoint serving the
// collectors; nothing is served until Serve. It fails with the address in
// the error when the port cannot be bound (the daemon names its options).
func Listen(addr string, cs ...prometheus.Collector) (*Server, error) {
	reg := prometheus.NewRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return &Server{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}, nil
}

// Addr is the address the endpoint listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers scrapes until ctx ends, then closes the listener. It
// returns nil when ctx ended it.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.srv.Shutdown(shut)
		<-errc
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("metrics endpoint %s: %w", s.Addr(), err)
	}
}

// Close closes the listener of a Server never served.
func (s *Server) Close() error { return s.ln.Close() }

// Func is a collector whose metrics are made at scrape time by Make,
// from the descriptions it declares.
type Func struct {
	Descs []*prometheus.Desc
	Make  func(ch chan<- prometheus.Metric)
}

// Describe implements prometheus.Collector.
func (f Func) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range f.Descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (f Func) Collect(ch chan<- prometheus.Metric) { f.Make(ch) }

// Counter sends a counter.
func Counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

// Gauge sends a gauge.
func Gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// ByReason sends one counter per key of a daemon's or a stack's Stats,
// the key as the reason label, leaving out the keys skip returns true for.
func ByReason(ch chan<- prometheus.Metric, d *prometheus.Desc, stats map[string]uint64, skip func(string) bool) {
	for k, v := range stats {
		if skip == nil || !skip(k) {
			Counter(ch, d, float64(v), k)
		}
	}
}
