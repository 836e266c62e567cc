package minion

import (
	"os"
	"testing"
)

// TestMain lets the minions of these tests run their jobs in processes of
// their own, as the daemon does: the test binary is the program they start
// again (JobProcessMain).
func TestMain(m *testing.M) {
	JobProcessMain()
	os.Exit(m.Run())
}
