package metrics

import (
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// MaxRemoteSeries is how many remotes get series of their own (a remote
// label, the estate name): the first by name. A master with more minions
// has the rest in the road's totals only, and raet_road_remotes_unlabelled
// says how many; so a scrape stays around 6 series a remote, at most
// 6,000, whatever the size of the fleet.
const MaxRemoteSeries = 1000

var (
	remoteLabel = []string{"remote"}

	roadSent = prometheus.NewDesc("raet_road_remote_packets_sent_total",
		"Packets of transactions the road sent to the remote, first copies and again.", remoteLabel, nil)
	roadResent = prometheus.NewDesc("raet_road_remote_packets_resent_total",
		"Packets sent to the remote again: a redo timer ran out or the remote asked for them.", remoteLabel, nil)
	roadLoss = prometheus.NewDesc("raet_road_remote_loss_ratio",
		"Estimated loss toward the remote: packets resent over packets sent, since it was first known.", remoteLabel, nil)
	roadRTT = prometheus.NewDesc("raet_road_remote_rtt_seconds",
		"Smoothed round trip to the remote, from alives and answered messages (absent before the first).", remoteLabel, nil)
	roadTx = prometheus.NewDesc("raet_road_remote_transactions",
		"Transactions open with the remote (joins, allows, alives, messages).", remoteLabel, nil)

	roadSentAll   = prometheus.NewDesc("raet_road_packets_sent_total", "Packets of transactions sent, all remotes.", nil, nil)
	roadResentAll = prometheus.NewDesc("raet_road_packets_resent_total", "Packets sent again, all remotes.", nil, nil)
	roadTxAll     = prometheus.NewDesc("raet_road_transactions", "Transactions open, all remotes.", nil, nil)
	roadSaved     = prometheus.NewDesc("raet_road_saved_messages", "Messages waiting for a remote's next session.", nil, nil)
	roadRemotes   = prometheus.NewDesc("raet_road_remotes",
		"Remote estates the road knows, by state: known, joined, joining (known, not joined, not reaped), allowed, alive, reaped.",
		[]string{"state"}, nil)
	roadUnlabelled = prometheus.NewDesc("raet_road_remotes_unlabelled",
		"Remotes beyond the per-remote series limit, counted in the totals only.", nil, nil)
	roadEvents = prometheus.NewDesc("raet_road_events_total",
		"Changes of remotes the road announced: joined, allowed, alived, lost, removed, reaped.", []string{"event"}, nil)
	roadStats = prometheus.NewDesc("raet_road_stats_total",
		"The road stack's counters: what its transactions did and every datagram dropped, by reason.", []string{"reason"}, nil)
	roadDepth = prometheus.NewDesc("raet_road_queue_depth",
		"What waits inside the road stack: received (messages for the application), events, checked (datagrams for the loop).",
		[]string{"queue"}, nil)

	laneStats = prometheus.NewDesc("raet_lane_stats_total", "The lane stack's counters by reason.", []string{"reason"}, nil)
	laneDepth = prometheus.NewDesc("raet_lane_queue_depth",
		"What waits inside the lane stack: outbound (messages for yards' writers), received (for the router).", []string{"queue"}, nil)
	laneYards = prometheus.NewDesc("raet_lane_yards", "Local yards the lane stack knows.", nil, nil)

	routerStats = prometheus.NewDesc("raet_router_stats_total",
		"The router's counters: what it routed and every message dropped, by reason.", []string{"reason"}, nil)
	routerDepth = prometheus.NewDesc("raet_router_queue_depth",
		"What waits inside the router: outboxes (messages for local yards), local (for the handlers).", []string{"queue"}, nil)
	routerOutboxes = prometheus.NewDesc("raet_router_outboxes", "Yards with messages waiting in the router's outboxes.", nil, nil)
)

// Transport collects a daemon's road stack, lane stack and router.
func Transport(rd *road.Stack, ln *lane.Stack, rt *route.Router) prometheus.Collector {
	return Func{
		Descs: []*prometheus.Desc{roadSent, roadResent, roadLoss, roadRTT, roadTx, roadSentAll, roadResentAll,
			roadTxAll, roadSaved, roadRemotes, roadUnlabelled, roadEvents, roadStats, roadDepth,
			laneStats, laneDepth, laneYards, routerStats, routerDepth, routerOutboxes},
		Make: func(ch chan<- prometheus.Metric) {
			collectRoad(ch, rd)
			collectLane(ch, ln)
			collectRouter(ch, rt)
		},
	}
}

func collectRoad(ch chan<- prometheus.Metric, rd *road.Stack) {
	ms := rd.Meters()
	slices.SortFunc(ms, func(a, b road.RemoteMeter) int { return strings.Compare(a.Name, b.Name) })
	var sent, resent uint64
	var txs, saved int
	states := map[string]int{"known": len(ms)}
	for i, m := range ms {
		sent, resent, txs, saved = sent+m.Sent, resent+m.Resent, txs+m.Transactions, saved+m.Saved
		countStates(states, m)
		if i < MaxRemoteSeries {
			remote(ch, m)
		}
	}
	Counter(ch, roadSentAll, float64(sent))
	Counter(ch, roadResentAll, float64(resent))
	Gauge(ch, roadTxAll, float64(txs))
	Gauge(ch, roadSaved, float64(saved))
	Gauge(ch, roadUnlabelled, float64(max(len(ms)-MaxRemoteSeries, 0)))
	for _, s := range []string{"known", "joined", "joining", "allowed", "alive", "reaped"} {
		Gauge(ch, roadRemotes, float64(states[s]), s)
	}
	stats := rd.Stats()
	for k, v := range stats {
		if ev, ok := strings.CutPrefix(k, "event_"); ok {
			Counter(ch, roadEvents, float64(v), ev)
		}
	}
	ByReason(ch, roadStats, stats, func(k string) bool { return strings.HasPrefix(k, "event_") })
	d := rd.Depths()
	Gauge(ch, roadDepth, float64(d.Received), "received")
	Gauge(ch, roadDepth, float64(d.Events), "events")
	Gauge(ch, roadDepth, float64(d.Checked), "checked")
}

// countStates adds a remote to the counts of the states it is in.
func countStates(states map[string]int, m road.RemoteMeter) {
	switch {
	case m.Joined == road.Yes:
		states["joined"]++
	case !m.Reaped:
		states["joining"]++
	}
	if m.Allowed == road.Yes {
		states["allowed"]++
	}
	if m.Alived == road.Yes {
		states["alive"]++
	}
	if m.Reaped {
		states["reaped"]++
	}
}

// remote sends the series of one remote.
func remote(ch chan<- prometheus.Metric, m road.RemoteMeter) {
	name := m.Name
	if name == "" { // joined vacuously, its name not known yet
		name = road.JoinHostPort(m.HA)
	}
	Counter(ch, roadSent, float64(m.Sent), name)
	Counter(ch, roadResent, float64(m.Resent), name)
	if m.Sent > 0 {
		Gauge(ch, roadLoss, float64(m.Resent)/float64(m.Sent), name)
	}
	if m.Samples > 0 {
		Gauge(ch, roadRTT, m.RTT.Seconds(), name)
	}
	Gauge(ch, roadTx, float64(m.Transactions), name)
}

func collectLane(ch chan<- prometheus.Metric, ln *lane.Stack) {
	ByReason(ch, laneStats, ln.Stats(), nil)
	d := ln.Depths()
	Gauge(ch, laneDepth, float64(d.Queued), "outbound")
	Gauge(ch, laneDepth, float64(d.Received), "received")
	Gauge(ch, laneYards, float64(d.Yards))
}

func collectRouter(ch chan<- prometheus.Metric, rt *route.Router) {
	ByReason(ch, routerStats, rt.Stats(), nil)
	d := rt.Depths()
	Gauge(ch, routerDepth, float64(d.Queued), "outboxes")
	Gauge(ch, routerDepth, float64(d.Local), "local")
	Gauge(ch, routerOutboxes, float64(d.Outboxes))
}
