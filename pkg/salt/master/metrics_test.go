package master

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// A metrics_port already taken fails New with an error naming the options,
// and leaves nothing bound: the manor socket and the road port are free
// for the next try.
func TestMetricsPortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	root := shortTemp(t)
	cfg := loadConfig(t, root, fmt.Sprintf("metrics_port: %d\n", taken.Addr().(*net.TCPAddr).Port))
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := conn.LocalAddr()
	_, err = New(cfg, nil, WithRoadConn(conn))
	if err == nil || !strings.Contains(err.Error(), "metrics_port") {
		t.Fatalf("New with metrics_port taken: %v", err)
	}
	again, err := road.ListenUDP(addr.String())
	if err != nil {
		t.Fatalf("the road port was left bound: %v", err)
	}
	again.Close()
	cfg.MetricsPort = 0
	m, err := New(cfg, nil, WithRoadConn(mustUDP(t)))
	if err != nil {
		t.Fatalf("New again without metrics: %v", err)
	}
	if m.MetricsAddr() != "" {
		t.Errorf("metrics off, yet served on %s", m.MetricsAddr())
	}
	m.Close()
}

func mustUDP(t *testing.T) road.Conn {
	t.Helper()
	c, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
