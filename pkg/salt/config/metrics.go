package config

import (
	"net"
	"strconv"
)

// MetricsOptions place the Prometheus endpoint of a daemon (master or
// minion). Salt 3006 has no metrics endpoint of its own: these are ours.
// The port follows Salt's *_port options; the address is named after the
// master's interface option, the one Salt binds its listeners to.
type MetricsOptions struct {
	// MetricsPort is metrics_port: the TCP port of /metrics; 0, the
	// default, opens none.
	MetricsPort int
	// MetricsInterface is metrics_interface: the address it listens on,
	// 127.0.0.1 by default, so the figures (minion ids, job counts) are
	// not served beyond the host unless asked for.
	MetricsInterface string
}

func defaultMetricsOptions() MetricsOptions {
	return MetricsOptions{MetricsInterface: "127.0.0.1"}
}

// checkPortOrOff is checkPort letting 0 through: no endpoint.
var checkPortOrOff = refuse(func(n int) bool { return n < 0 || n > 65535 }, "port %d is outside 1-65535 (0: off)")

func decodeMetrics(d *decoder, o *MetricsOptions) {
	d.integer("metrics_port", &o.MetricsPort, checkPortOrOff)
	d.str("metrics_interface", &o.MetricsInterface)
}

// MetricsAddr is the metrics endpoint's address, metrics_interface:
// metrics_port, or "" when metrics_port is 0 (off).
func (o *MetricsOptions) MetricsAddr() string {
	if o.MetricsPort == 0 {
		return ""
	}
	return net.JoinHostPort(o.MetricsInterface, strconv.Itoa(o.MetricsPort))
}
