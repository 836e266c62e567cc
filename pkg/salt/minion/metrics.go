package minion

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saltraet/saltraet/pkg/salt/metrics"
)

// The minion's Prometheus endpoint (metrics_port; off by default): its
// transport (road, lane, router), its own counters, the jobs it runs and
// the returns waiting for a master, all read when /metrics is asked for.

var (
	minionStats = prometheus.NewDesc("salt_minion_stats_total",
		"The minion's counters (Stats): what it did and every refusal, by reason.", []string{"reason"}, nil)
	minionJobs    = prometheus.NewDesc("salt_minion_jobs_running", "Jobs running now.", nil, nil)
	minionSpooled = prometheus.NewDesc("salt_minion_returns_spooled",
		"Returns kept on disk until a master says it has them.", nil, nil)
	minionDepth = prometheus.NewDesc("salt_minion_queue_depth",
		"What waits in the minion: lane (requests of local tools waiting for a master).", []string{"queue"}, nil)
)

// openMetrics binds the metrics endpoint when metrics_port is set.
func (m *Minion) openMetrics() error {
	addr := m.cfg.MetricsAddr()
	if addr == "" {
		return nil
	}
	c := metrics.Func{Descs: []*prometheus.Desc{minionStats, minionJobs, minionSpooled, minionDepth}, Make: m.collect}
	srv, err := metrics.Listen(addr, metrics.Transport(m.road, m.lane, m.router), c)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (metrics_interface and metrics_port in %s): %w", addr, m.cfg.ConfFile, err)
	}
	m.metrics = srv
	return nil
}

// MetricsAddr is the address of the metrics endpoint, "" when off.
func (m *Minion) MetricsAddr() string {
	if m.metrics == nil {
		return ""
	}
	return m.metrics.Addr()
}

// serveMetrics answers scrapes until the returned stop is called.
func (m *Minion) serveMetrics() (stop func()) {
	if m.metrics == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := m.metrics.Serve(ctx); err != nil {
			m.log.Errorf("%v", err)
		}
	}()
	return func() { cancel(); <-done }
}

func (m *Minion) collect(ch chan<- prometheus.Metric) {
	metrics.ByReason(ch, minionStats, m.stats.Snapshot(), nil)
	metrics.Gauge(ch, minionJobs, float64(len(m.jobs.Running())))
	metrics.Gauge(ch, minionSpooled, float64(len(m.spool.pending())))
	m.laneMu.Lock()
	lane := len(m.laneQueue)
	m.laneMu.Unlock()
	metrics.Gauge(ch, minionDepth, float64(lane), "lane")
}
