package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/salt/emulator"
)

// logCountersOnSignal logs the counters of every minion, summed, each time
// the process gets SIGUSR1, and once more as it stops: what a storm did
// on the minions' side (their road's drops and redos, how often they lost
// and joined the master again), which the master's metrics cannot say.
func logCountersOnSignal(ctx context.Context, e *emulator.Emulator, logger *logrus.Logger) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	for {
		select {
		case <-ctx.Done():
			logCounters(e, logger)
			return
		case <-sigs:
			logCounters(e, logger)
		}
	}
}

func logCounters(e *emulator.Emulator, logger *logrus.Logger) {
	logger.Infof("Road counters of all minions: %s", sortedCounts(e.RoadStats()))
	logger.Infof("Minion counters of all minions: %s", sortedCounts(e.MinionStats()))
}

// sortedCounts is counters as "name=n" by name, the zeros left out.
func sortedCounts(m map[string]uint64) string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
