package main

import (
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/minion"
)

// The minion's daemon runs on one processor while no job runs, and on all
// of them while jobs run and for a linger after, unless GOMAXPROCS is set
// in the environment. Idle, its work is a keep-alive answered each period,
// and with a second processor each hand-off between its goroutines (the
// reader's datagram to the road's loop) wakes a second thread that spins,
// finds nothing and sleeps again: a quarter of an idle minion's CPU
// (BENCHMARKS.md, "Idle cost"). Salt's own minion runs its main process on
// one thread; its jobs get processes of their own, and here, while jobs
// run, large returns are sealed and signed beside the loop and jobs run in
// goroutines (multiprocessing: False) on every core.

// procsLinger is how long the daemon keeps every processor after its last
// job ended: its return is still being sent, and jobs come in bursts.
const procsLinger = 5 * time.Second

// procs sets GOMAXPROCS as jobs begin and end.
type procs struct {
	full int // GOMAXPROCS while jobs run

	mu   sync.Mutex
	busy bool
	idle *time.Timer // lowers to one processor once the linger has passed
}

// governProcs returns the option that has the minion's jobs set its
// processors, or nil when GOMAXPROCS is the environment's or there is one
// CPU. The daemon starts with all of them and goes down to one after the
// linger if no job came.
func governProcs() minion.Option {
	if os.Getenv("GOMAXPROCS") != "" {
		return nil
	}
	p := &procs{full: runtime.GOMAXPROCS(0)}
	if p.full <= 1 {
		return nil
	}
	p.idle = time.AfterFunc(procsLinger, p.lower)
	return minion.WithBusy(p.set)
}

// set is told when the first job begins and the last ends.
func (p *procs) set(busy bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy = busy
	if !busy {
		p.idle.Reset(procsLinger)
		return
	}
	p.idle.Stop()
	if runtime.GOMAXPROCS(0) != p.full {
		runtime.GOMAXPROCS(p.full)
	}
}

// lower goes down to one processor unless a job began meanwhile.
func (p *procs) lower() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.busy {
		runtime.GOMAXPROCS(1)
	}
}
