package client_test

import (
	"os"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/minion"
)

// TestMain lets the minions of these tests and benchmarks run their jobs
// in processes of their own (multiprocessing: True, Salt's default): the
// test binary is the program such a minion starts again.
func TestMain(m *testing.M) {
	minion.JobProcessMain()
	os.Exit(m.Run())
}
