package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The endpoint serves what its collectors make at each scrape, and stops
// with its context; a port taken is an error naming the address.
func TestServe(t *testing.T) {
	d := prometheus.NewDesc("test_things_total", "Things.", []string{"reason"}, nil)
	n := 0
	c := Func{Descs: []*prometheus.Desc{d}, Make: func(ch chan<- prometheus.Metric) {
		n++
		ByReason(ch, d, map[string]uint64{"bad_load": uint64(n), "skipped": 9}, func(k string) bool { return k == "skipped" })
	}}
	s, err := Listen("127.0.0.1:0", c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	get := func() string {
		resp, err := http.Get("http://" + s.Addr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); !strings.Contains(got, `test_things_total{reason="bad_load"} 1`) || strings.Contains(got, "skipped") {
		t.Fatalf("first scrape:\n%s", got)
	}
	if got := get(); !strings.Contains(got, `test_things_total{reason="bad_load"} 2`) {
		t.Fatalf("second scrape: collected again?\n%s", got)
	}
	if _, err := Listen(s.Addr()); err == nil || !strings.Contains(err.Error(), s.Addr()) {
		t.Errorf("a port taken: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/metrics"); err == nil {
		t.Error("still served after the context ended")
	}
}
