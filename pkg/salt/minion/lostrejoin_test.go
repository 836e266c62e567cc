package minion

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// The wait before joining a lost master again is a period at least (a
// busy master's late answers call it off), then random within a window that
// doubles with each join again left unanswered, up to 2^3 times.
func TestRejoinWaitGrowsFromAPeriod(t *testing.T) {
	m := &Minion{o: newOptions(nil), cfg: &config.Minion{AcceptanceWaitTime: 10}}
	m.o.timers.Period = 3 * time.Second
	window := 6 * time.Second // two periods, under the acceptance wait
	for tries, grown := range []time.Duration{window, 2 * window, 4 * window, 8 * window, 8 * window, 8 * window} {
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range 2000 {
			w := m.rejoinWait(tries)
			lo, hi = min(lo, w), max(hi, w)
		}
		if lo < 3*time.Second || hi >= 3*time.Second+grown {
			t.Errorf("after %d tries: waits %v to %v, want within [3s, %v)", tries, lo, hi, 3*time.Second+grown)
		}
		if hi < 3*time.Second+grown*3/4 {
			t.Errorf("after %d tries: waits up to %v only, want the window %v used", tries, hi, grown)
		}
	}
	m.cfg.AcceptanceWaitTime = 2 // shorter than two periods: the window
	if w := m.rejoinWait(0); w < 3*time.Second || w >= 5*time.Second {
		t.Errorf("wait %v with acceptance_wait_time 2, want within [3s, 5s)", w)
	}
}
