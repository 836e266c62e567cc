package master

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// Bounds of the jobs the master remembers in memory: the minions each
// targeted (so a return is checked without reading .minions.p) and, with
// job_cache: False, who returned already. A job forgotten is looked up in
// the job cache; without one its late returns are refused as unknown.
const (
	recentJobsMax    = 4096
	recentMinionsMax = 1 << 16 // ids over all remembered jobs
)

// jobStore is the master's record of its jobs: the job cache written with
// group commit (one sync for every file of a batch of publishes and
// returns), or nothing on disk with job_cache: False, as Salt's master
// then keeps no returns (the docs: "previously executed jobs [are]
// unavailable to the jobs system"); and the recent jobs in memory.
type jobStore struct {
	cache *job.Cache // the master's job cache, written only when on
	on    bool       // job_cache
	jids  *job.JIDGen

	mu      sync.Mutex
	recent  map[string]*jobRecord
	order   []string // jids of recent, oldest first
	minions int      // ids over recent
}

type jobRecord struct {
	minions  []string
	returned map[string]bool // job_cache: False only
}

func newJobStore(cache *job.Cache, on bool, jids *job.JIDGen) *jobStore {
	return &jobStore{cache: cache, on: on, jids: jids, recent: map[string]*jobRecord{}}
}

// prep allocates a jid: in the job cache, whose mkdir makes it unique
// among masters sharing it, or from the generator alone without one.
func (s *jobStore) prep(nocache bool) (string, error) {
	switch {
	case !s.on:
		return s.jids.Next(), nil
	case nocache:
		return s.cache.PrepJIDNoCache(s.jids)
	default:
		return s.cache.PrepJID(s.jids)
	}
}

// saveLoad keeps a job's load and minions; prepared says prep gave the jid
// just now (its directory is there). Nothing goes to disk without a job
// cache.
func (s *jobStore) saveLoad(jid string, load body.Map, minions []string, prepared bool) error {
	s.remember(jid, minions)
	switch {
	case !s.on:
		return nil
	case prepared:
		return s.cache.SavePreparedLoad(jid, load, minions)
	default:
		return s.cache.SaveLoad(jid, load, minions)
	}
}

// remember notes a job in memory, forgetting the oldest past the bounds.
func (s *jobStore) remember(jid string, minions []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.recent[jid]; ok {
		s.minions -= len(old.minions)
	} else {
		s.order = append(s.order, jid)
	}
	s.recent[jid] = &jobRecord{minions: slices.Clone(minions)}
	s.minions += len(minions)
	for len(s.order) > 1 && (len(s.order) > recentJobsMax || s.minions > recentMinionsMax) {
		if r, ok := s.recent[s.order[0]]; ok {
			s.minions -= len(r.minions)
			delete(s.recent, s.order[0])
		}
		s.order = s.order[1:]
	}
}

// targeted reports whether job jid targeted minion id: from memory, else
// from the job cache. fs.ErrNotExist: the job is unknown.
func (s *jobStore) targeted(jid, id string) (bool, error) {
	s.mu.Lock()
	r, ok := s.recent[jid]
	s.mu.Unlock()
	if ok {
		return slices.Contains(r.minions, id), nil
	}
	if !s.on {
		return false, fs.ErrNotExist
	}
	minions, err := s.cache.Minions(jid)
	if err != nil {
		return false, err
	}
	return slices.Contains(minions, id), nil
}

// saveReturn keeps a minion's return once (job.ErrDuplicateReturn for a
// second), durable at the next group commit, which it asks for.
func (s *jobStore) saveReturn(jid, id string, load body.Map) error {
	if s.on {
		err := s.cache.SaveReturn(jid, id, load)
		s.cache.CommitSoon()
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recent[jid]
	if !ok {
		return job.ErrUnknownJob
	}
	if r.returned == nil {
		r.returned = map[string]bool{}
	}
	if r.returned[id] {
		return job.ErrDuplicateReturn
	}
	r.returned[id] = true
	return nil
}

// commitSoon has what the job cache wrote made durable, not waiting.
func (s *jobStore) commitSoon() {
	if s.on {
		s.cache.CommitSoon()
	}
}

// isUnknown tells the error of a job the store does not know.
func isUnknown(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, job.ErrUnknownJob)
}

// openJobStore puts the job cache under group commit when job_cache is
// on; a sync that nobody waits for and fails is counted and logged.
func (m *Master) openJobStore() error {
	if m.cfg.JobCache {
		err := m.cache.GroupCommit(func(err error) {
			m.stats.Add("cache_error")
			m.log.Errorf("Job cache: %v", err)
		})
		if err != nil {
			return fmt.Errorf("cachedir %s: %w", m.cfg.Cachedir, err)
		}
	}
	m.jobs = newJobStore(m.cache, m.cfg.JobCache, m.opts.jids)
	return nil
}

// closeJobStore syncs what the job cache wrote and no commit covered yet.
func (m *Master) closeJobStore() {
	if err := m.cache.Close(); err != nil {
		m.stats.Add("cache_error")
		m.log.Errorf("Job cache: %v", err)
	}
}
