package master

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saltraet/saltraet/pkg/salt/metrics"
)

// The master's Prometheus endpoint (metrics_port; off by default): its
// transport (road, lane, router), its own counters, the jobs it follows
// (jobwatch.go) and its keys, all read when /metrics is asked for.

var (
	masterStats = prometheus.NewDesc("salt_master_stats_total",
		"The master's counters (Stats, without the router's): what it did and every refusal, by reason.", []string{"reason"}, nil)
	masterPublishes = prometheus.NewDesc("salt_master_publishes_total", "Jobs published to at least one minion (the salt command's find_job included).", nil, nil)
	masterReturns   = prometheus.NewDesc("salt_master_returns_total", "Returns kept from minions.", nil, nil)
	masterUndeliv   = prometheus.NewDesc("salt_master_not_delivered_total",
		"Publishes to a minion its road never acknowledged within the resend window ([Not delivered]).", nil, nil)
	masterNoResp = prometheus.NewDesc("salt_master_no_response_total",
		"Minions a job was delivered to that did not return within timeout + gather_job_timeout, find_job answers extending it ([No response]); find_job publishes are not counted.", nil, nil)
	masterJobsOpen = prometheus.NewDesc("salt_master_jobs_open",
		"Jobs published whose minions have not all returned, been reported undelivered or given up on.", nil, nil)
	masterUnwatched = prometheus.NewDesc("salt_master_jobs_unwatched_total",
		"Jobs not followed for durations and no_response: too many minions were waited for.", nil, nil)
	masterDepth = prometheus.NewDesc("salt_master_queue_depth",
		"What waits in the master: workers (requests for the worker threads).", []string{"queue"}, nil)
	masterSubs = prometheus.NewDesc("salt_master_event_subscribers", "Local yards subscribed to events.", nil, nil)
	masterKeys = prometheus.NewDesc("salt_master_keys",
		"Minion keys in pki_dir by status: accepted, pending, rejected.", []string{"status"}, nil)
)

// openMetrics binds the metrics endpoint when metrics_port is set.
func (m *Master) openMetrics() error {
	addr := m.cfg.MetricsAddr()
	if addr == "" {
		return nil
	}
	m.watch = newJobWatch(time.Duration(m.cfg.Timeout+m.cfg.GatherJobTimeout) * time.Second)
	srv, err := metrics.Listen(addr, metrics.Transport(m.road, m.lane, m.router), m.collector(), m.watch.durations)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (metrics_interface and metrics_port in %s): %w", addr, m.cfg.ConfFile, err)
	}
	m.metrics = srv
	return nil
}

// MetricsAddr is the address of the metrics endpoint, "" when off.
func (m *Master) MetricsAddr() string {
	if m.metrics == nil {
		return ""
	}
	return m.metrics.Addr()
}

func (m *Master) collector() prometheus.Collector {
	return metrics.Func{
		Descs: []*prometheus.Desc{masterStats, masterPublishes, masterReturns, masterUndeliv, masterNoResp,
			masterJobsOpen, masterUnwatched, masterDepth, masterSubs, masterKeys},
		Make: m.collect,
	}
}

func (m *Master) collect(ch chan<- prometheus.Metric) {
	stats := m.stats.Snapshot()
	metrics.ByReason(ch, masterStats, stats, func(k string) bool { return strings.HasPrefix(k, "road_event_") })
	metrics.Counter(ch, masterPublishes, float64(stats["publish"]))
	metrics.Counter(ch, masterReturns, float64(stats["return"]))
	metrics.Counter(ch, masterUndeliv, float64(stats["publish_undelivered"]))
	open, noResp, unwatched := m.watch.sweep(m.now())
	metrics.Counter(ch, masterNoResp, float64(noResp))
	metrics.Gauge(ch, masterJobsOpen, float64(open))
	metrics.Counter(ch, masterUnwatched, float64(unwatched))
	metrics.Gauge(ch, masterDepth, float64(len(m.work)), "workers")
	m.ev.mu.Lock()
	subs := len(m.ev.subs)
	m.ev.mu.Unlock()
	metrics.Gauge(ch, masterSubs, float64(subs))
	if keys, err := m.store.List(); err == nil {
		for st, ids := range keys {
			metrics.Gauge(ch, masterKeys, float64(len(ids)), st.String())
		}
	}
}
