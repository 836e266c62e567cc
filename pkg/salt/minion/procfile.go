package minion

import (
	"sync"
	"time"
)

// procFileDelay is how long a job run in the minion (multiprocessing:
// False, compound commands) runs before its proc file is written. Most
// jobs (test.ping, grains.items) end well before: their proc file, made
// and removed again, was two of the few directory changes a job costs on
// the job path, and nothing reads it meanwhile — saltutil.running and
// find_job answer from memory (jobTable). A job still running after it
// has its file, as Salt's does, for tools that read the proc directory.
const procFileDelay = 50 * time.Millisecond

// deferredProc is the proc file of one job run in the minion: written by a
// timer after procFileDelay unless the job ended first. The timer is the
// runtime's (no goroutine waits for it), stopped when the job ends.
type deferredProc struct {
	m     *Minion
	jid   string
	timer *time.Timer

	mu      sync.Mutex
	written bool
	ended   bool
}

// withProcFileDelay sets the delay of deferProc (tests; 0 is the default).
func withProcFileDelay(d time.Duration) Option {
	return func(o *options) { o.procFileDelay = d }
}

// deferProc arranges the proc file of job jid with record rec.
func (m *Minion) deferProc(jid string, rec map[string]any) *deferredProc {
	delay := m.o.procFileDelay
	if delay == 0 {
		delay = procFileDelay
	}
	p := &deferredProc{m: m, jid: jid}
	p.timer = time.AfterFunc(delay, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.ended {
			m.writeProc(jid, rec)
			p.written = true
		}
	})
	return p
}

// end stops the timer, waiting for a write under way, and tells whether
// the file was written (and is to be removed).
func (p *deferredProc) end() bool {
	p.timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = true
	return p.written
}
