package minion

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// JIDQueueFile is the file under cachedir that remembers the jids the
// minion took, one per line, so that a publish replayed after a restart is
// still refused. Salt keeps its jid_queue in memory only.
const JIDQueueFile = "minion_jids"

// Why a publish is refused by the jid queue.
var (
	ErrJIDSeen   = errors.New("the minion has run this jid already")
	ErrJIDTooOld = errors.New("the jid is older than every jid the minion remembers (a replay, or a master whose clock went back)")
)

// jidQueue is Salt's jid_queue (salt/minion.py _handle_decoded_payload):
// the newest minion_jid_queue_hwm jids the minion took. A jid in it is not
// run again, and once it is full a jid older than all of it is refused
// too: jids are timestamps, so such a publish is either a replay or a job
// older than the minion can vouch it never ran. Unlike Salt's the queue
// survives restarts, and it keeps the newest jids rather than the last
// received, so that the window is a time.
type jidQueue struct {
	path string
	hwm  int
	// commit, when set, makes the queue durable in batches (files.go);
	// until then a crash of the machine may forget the newest jids.
	commit *fsutil.Committer

	mu   sync.Mutex
	jids []string // sorted ascending, at most hwm
	// The file is a log: each jid taken is appended as a line to f (one
	// write, where rewriting the file made and renamed a new one per job),
	// and the file is rewritten whole, to the queue alone, once it has
	// 2×hwm lines, and at the first jid after a start (which also drops a
	// line a crash cut short). Reading keeps the newest hwm of its lines.
	// The slack of hwm lines is what makes the rewrite one job in hwm:
	// rewritten at hwm lines, a full queue was rewritten at every job.
	f     *os.File
	lines int // lines in the file
}

// openJIDQueue reads the queue of an earlier run. Lines that are not jids
// are skipped and returned as problems for the caller to log: a damaged
// file must not stop the minion, and what is valid in it still counts.
func openJIDQueue(dir string, hwm int) (*jidQueue, []error, error) {
	if hwm < 1 {
		hwm = 1
	}
	q := &jidQueue{path: filepath.Join(dir, JIDQueueFile), hwm: hwm}
	data, err := os.ReadFile(q.path)
	if errors.Is(err, fs.ErrNotExist) {
		return q, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("jid queue: %w", err)
	}
	var problems []error
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		if !job.IsJID(line) {
			problems = append(problems, fmt.Errorf("%s:%d: not a jid: %.40q; skipped", q.path, i+1, line))
			continue
		}
		if _, found := slices.BinarySearch(q.jids, line); !found {
			q.insert(line)
		}
	}
	return q, problems, nil
}

// admit takes a jid about to run, remembering it on disk before it runs:
// a minion killed mid-job does not run it again when the publish comes
// back. It refuses a jid seen before or older than the window.
func (q *jidQueue) admit(jid string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, found := slices.BinarySearch(q.jids, jid); found {
		return ErrJIDSeen
	}
	if len(q.jids) >= q.hwm && jid < q.jids[0] {
		return fmt.Errorf("%w (%s, the last %d jids)", ErrJIDTooOld, q.jids[0], q.hwm)
	}
	q.insert(jid)
	if err := q.save(jid); err != nil {
		// Run it anyway: the job was new, and refusing work because a
		// disk is full is worse than a replay window that did not grow.
		return fmt.Errorf("jid %s taken but not saved: %w", jid, err)
	}
	return nil
}

// save puts the jid just taken on disk: appended to the log, or the queue
// rewritten whole (see jidQueue.f). q.mu is held.
func (q *jidQueue) save(jid string) error {
	if q.f != nil && q.lines < 2*q.hwm {
		if _, err := q.f.WriteString(jid + "\n"); err != nil {
			q.closeFile() // rewritten whole next time
			return err
		}
		q.lines++
		if q.commit == nil {
			return q.f.Sync()
		}
		q.commit.Wrote()
		q.commit.CommitSoon()
		return nil
	}
	q.closeFile()
	if err := writeFileCommitted(q.commit, filepath.Dir(q.path), JIDQueueFile, []byte(strings.Join(q.jids, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(q.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	q.f, q.lines = f, len(q.jids)
	return nil
}

func (q *jidQueue) closeFile() {
	if q.f != nil {
		q.f.Close()
		q.f = nil
	}
}

// close releases the log's file.
func (q *jidQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closeFile()
}

// insert adds a jid in order and drops the oldest past hwm.
func (q *jidQueue) insert(jid string) {
	i, _ := slices.BinarySearch(q.jids, jid)
	q.jids = slices.Insert(q.jids, i, jid)
	if len(q.jids) > q.hwm {
		q.jids = slices.Delete(q.jids, 0, len(q.jids)-q.hwm)
	}
}

// refused tells an error of admit that refuses the jid from one that only
// failed to save it.
func refused(err error) bool {
	return errors.Is(err, ErrJIDSeen) || errors.Is(err, ErrJIDTooOld)
}
