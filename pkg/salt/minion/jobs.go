package minion

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
)

// recentJobs is how many finished jids are remembered to ignore a publish
// that comes again (the ZeroMQ minion's minion_jid_queue_hwm).
const recentJobs = 100

// jobTable is the minion's running jobs: one proc record each, in memory
// for saltutil.running and saltutil.find_job (modules.Jobs), and in
// <cachedir>/proc/<jid> for tools that read Salt's files.
type jobTable struct {
	dir   string      // <cachedir>/proc
	clock clock.Clock // of wait; nil is the real clock

	// busy, when set, hears when the first job begins (true) and the last
	// ends (false), in order: the daemon gives its process more cores
	// while jobs run (WithBusy).
	busy func(bool)

	mu      sync.Mutex
	running map[string]map[string]any
	recent  []string
	changed chan struct{} // closed and replaced whenever a job ends
}

func newJobTable(dir string) *jobTable {
	return &jobTable{dir: dir, running: map[string]map[string]any{}, changed: make(chan struct{})}
}

// Running returns the proc record of every running job (modules.Jobs).
func (t *jobTable) Running() []map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]map[string]any, 0, len(t.running))
	for _, rec := range t.running {
		out = append(out, maps.Clone(rec))
	}
	return out
}

// begin registers a job about to start. It is false for a jid that runs
// already or ran lately: a publish received twice runs once.
func (t *jobTable) begin(jid string, rec map[string]any) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.running[jid]; dup {
		return false
	}
	for _, r := range t.recent {
		if r == jid {
			return false
		}
	}
	t.running[jid] = rec
	if len(t.running) == 1 && t.busy != nil {
		t.busy(true)
	}
	return true
}

// setPID gives a job's record the pid of the process that runs it, and
// returns the record.
func (t *jobTable) setPID(jid string, pid int) map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	rec := maps.Clone(t.running[jid])
	if rec == nil {
		return nil
	}
	rec["pid"] = pid
	t.running[jid] = rec
	return rec
}

// end forgets a finished job.
func (t *jobTable) end(jid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.running[jid]; ok && len(t.running) == 1 && t.busy != nil {
		t.busy(false)
	}
	delete(t.running, jid)
	t.recent = append(t.recent, jid)
	if len(t.recent) > recentJobs {
		t.recent = t.recent[len(t.recent)-recentJobs:]
	}
	close(t.changed)
	t.changed = make(chan struct{})
}

// count is how many jobs run.
func (t *jobTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.running)
}

// wait waits until no job runs, or until the deadline passes (false).
func (t *jobTable) wait(d time.Duration) bool {
	return waitIdle(t.clock, d, func() (bool, <-chan struct{}) {
		t.mu.Lock()
		defer t.mu.Unlock()
		return len(t.running) > 0, t.changed
	})
}

// writeProc writes <dir>/<jid>, the job's proc record in msgpack.
func (t *jobTable) writeProc(jid string, rec map[string]any) error {
	data, err := body.Encode(raet.BodyMsgpack, rec)
	if err != nil {
		return err
	}
	return writeFileVolatile(t.dir, jid, data, 0o600)
}

// removeProc removes a job's proc file.
func (t *jobTable) removeProc(jid string) error {
	err := os.Remove(filepath.Join(t.dir, jid))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// cleanProcs removes the proc files no living process of ours stands
// behind: jobs of a minion that stopped or was killed. A file whose pid is
// alive and not this process is left to it (another minion sharing the
// cachedir would be a misconfiguration, but not ours to break).
func (t *jobTable) cleanProcs() []string {
	names, err := listFiles(t.dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, name := range names {
		path := filepath.Join(t.dir, name)
		if pid := procPID(path); pid > 0 && pid != os.Getpid() && processAlive(pid) {
			continue
		}
		if os.Remove(path) == nil {
			removed = append(removed, name)
		}
	}
	return removed
}

// procPID reads the pid of a proc file; 0 when it cannot.
func procPID(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	m, err := body.Decode(raet.BodyMsgpack, data)
	if err != nil {
		return 0
	}
	pid, _ := m.Int("pid")
	return int(pid)
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
