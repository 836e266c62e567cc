package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// freeTCPPort is a TCP port free on loopback now.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// scrape reads /metrics on a port as Prometheus would, parsed by its own
// text parser; an error is returned, not fatal, so callers can wait.
func scrape(port int) (map[string]*dto.MetricFamily, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// value is the value of the series of a family whose labels include the
// given name=value pairs (the sum when several match; a histogram's
// observation count); -1 when none does.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	total, found := 0.0, false
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	if !found {
		return -1
	}
	return total
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		ok := false
		for _, l := range m.Label {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// A master and a minion with metrics_port: the endpoints answer, the join
// shows on both, and one job moves the master's publishes, returns and job
// durations by one each.
func TestMetricsEndpoints(t *testing.T) {
	mport, nport := freeTCPPort(t), freeTCPPort(t)
	c := newCluster(t, true, fmt.Sprintf("metrics_port: %d\n", mport))
	c.addMinion("metered", fmt.Sprintf("metrics_port: %d\n", nport))
	c.waitReady("metered")

	var fams map[string]*dto.MetricFamily
	eventually(t, "the join and a round trip on the master's metrics", func() (bool, string) {
		var err error
		if fams, err = scrape(mport); err != nil {
			return false, err.Error()
		}
		joined := value(fams, "raet_road_events_total", "event", "joined")
		rtt := value(fams, "raet_road_remote_rtt_seconds", "remote", "metered_minion")
		keys := value(fams, "salt_master_keys", "status", "accepted")
		return joined >= 1 && rtt > 0 && keys == 1, fmt.Sprintf("joined %v, rtt %v, accepted keys %v", joined, rtt, keys)
	})
	if v := value(fams, "raet_road_remotes", "state", "joined"); v != 1 {
		t.Errorf("raet_road_remotes{state=joined} = %v, want 1", v)
	}
	if v := value(fams, "raet_road_remote_packets_sent_total", "remote", "metered_minion"); v <= 0 {
		t.Errorf("packets sent to the minion: %v", v)
	}

	if ports := listeningTCP(t, c.md.cmd.Process.Pid); len(ports) != 1 || ports[0] != mport {
		t.Errorf("the master listens on TCP ports %v, want only metrics_port %d", ports, mport)
	}

	before := fams
	r := c.salt("metered", "test.ping", "--out", "json", "--static")
	if !strings.Contains(r.stdout, `"metered": true`) {
		t.Fatalf("test.ping: %q %q", r.stdout, r.stderr)
	}
	after, err := scrape(mport)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"salt_master_publishes_total", "salt_master_returns_total", "salt_master_job_duration_seconds"} {
		if d := value(after, name) - value(before, name); d != 1 {
			t.Errorf("%s moved by %v over one job, want 1 (before %v)", name, d, value(before, name))
		}
	}
	if v := value(after, "salt_master_stats_total", "reason", "publish"); v != value(after, "salt_master_publishes_total") {
		t.Errorf("salt_master_stats_total{reason=publish} = %v, publishes %v", v, value(after, "salt_master_publishes_total"))
	}
	for _, name := range []string{"salt_master_not_delivered_total", "salt_master_no_response_total"} {
		if v := value(after, name); v != 0 {
			t.Errorf("%s = %v, want 0", name, v)
		}
	}

	eventually(t, "the minion's metrics", func() (bool, string) {
		fams, err := scrape(nport)
		if err != nil {
			return false, err.Error()
		}
		joined := value(fams, "raet_road_events_total", "event", "joined")
		sent := value(fams, "raet_road_packets_sent_total")
		fun := value(fams, "raet_router_stats_total", "reason", "handled")
		return joined >= 1 && sent > 0 && fun > 0 && value(fams, "salt_minion_jobs_running") == 0,
			fmt.Sprintf("joined %v, sent %v, handled %v", joined, sent, fun)
	})
}

// Without metrics_port neither daemon listens on any TCP port.
func TestMetricsOffByDefault(t *testing.T) {
	c := newCluster(t, true)
	d := c.addMinion("quiet")
	c.waitReady("quiet")
	for _, x := range []*daemon{c.md, d} {
		if ports := listeningTCP(t, x.cmd.Process.Pid); len(ports) > 0 {
			t.Errorf("%s listens on TCP ports %v without metrics_port", x.name, ports)
		}
	}
}

// listeningTCP lists the TCP ports a process listens on: its sockets'
// inodes found in LISTEN rows of /proc/net/tcp and tcp6.
func listeningTCP(t *testing.T, pid int) []int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if ino, ok := strings.CutPrefix(link, "socket:["); ok && err == nil {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	var ports []int
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st ... inode (the 10th field)
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] {
				continue
			}
			_, hexPort, _ := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil {
				ports = append(ports, int(p))
			}
		}
		f.Close()
	}
	return ports
}
