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
// returns) by a writer behind the workers (job.Behind), or nothing on disk
// with job_cache: False, as Salt's master then keeps no returns (the docs:
// "previously executed jobs [are] unavailable to the jobs system"); and
// the recent jobs in memory, which answer whether a return is for a job
// that targeted its minion, and whether it came already, without reading
// the disk.
type jobStore struct {
	cache  *job.Cache  // the master's job cache, written only when on
	behind *job.Behind // its writer, when on
	on     bool        // job_cache
	jids   *job.JIDGen

	mu      sync.Mutex
	recent  map[string]*jobRecord
	order   []string // jids of recent, oldest first
	minions int      // ids over recent
}

type jobRecord struct {
	// minions is the set of the minions targeted: a return is checked
	// against it, and a list searched once per return cost a job to 5,000
	// minions 12.5 million comparisons.
	minions  map[string]struct{}
	returned map[string]bool // the minions whose return was kept (or fired)
	nocache  bool            // returns not kept (the publish's nocache)
}

func newJobStore(cache *job.Cache, behind *job.Behind, on bool, jids *job.JIDGen) *jobStore {
	return &jobStore{cache: cache, behind: behind, on: on, jids: jids, recent: map[string]*jobRecord{}}
}

// prep allocates a jid: its directory made in the job cache, which makes
// it unique among masters sharing it, or from the generator alone without
// one. Its files are written by saveLoad.
func (s *jobStore) prep() (string, error) {
	if !s.on {
		return s.jids.Next(), nil
	}
	return s.cache.PrepJIDDir(s.jids)
}

// saveLoad keeps a job's load and minions; prepared says prep gave the jid
// just now (its directory is there, its files are not), nocache that its
// returns are not kept. The files are written behind the caller, ahead of
// the returns waiting to be written (job.Behind.DoFirst); stored is called
// once they are (with a failure to write them), on the
// writer's goroutine, or at once without a job cache.
func (s *jobStore) saveLoad(jid string, load body.Map, minions []string, prepared, nocache bool, stored func(error)) {
	s.remember(jid, minions, prepared && nocache)
	switch {
	case !s.on:
		stored(nil)
	case prepared:
		s.behind.SavePrepared(jid, nocache, load, minions, stored)
	default:
		s.behind.DoFirst(func(c *job.Cache) error { return c.SaveLoad(jid, load, minions) }, stored)
	}
}

// remember notes a job in memory, forgetting the oldest past the bounds.
func (s *jobStore) remember(jid string, minions []string, nocache bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.recent[jid]; ok {
		s.minions -= len(old.minions)
	} else {
		s.order = append(s.order, jid)
	}
	set := make(map[string]struct{}, len(minions))
	for _, id := range minions {
		set[id] = struct{}{}
	}
	s.recent[jid] = &jobRecord{minions: set, nocache: nocache}
	s.minions += len(set)
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
		_, targeted := r.minions[id]
		return targeted, nil
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
// second). A recent job is answered from memory and its return.p written
// behind, durable at the group commit after it; an older one is written
// now, the cache's mkdir telling a second return.
func (s *jobStore) saveReturn(jid, id string, load body.Map) error {
	s.mu.Lock()
	r, ok := s.recent[jid]
	if !ok {
		s.mu.Unlock()
		if !s.on {
			return job.ErrUnknownJob
		}
		err := s.cache.SaveReturn(jid, id, load)
		s.cache.CommitSoon()
		return err
	}
	if r.returned == nil { // sized once: a fan-out's returns all come
		r.returned = make(map[string]bool, len(r.minions))
	}
	if r.returned[id] {
		s.mu.Unlock()
		return job.ErrDuplicateReturn
	}
	r.returned[id] = true
	nocache := r.nocache
	s.mu.Unlock()
	if s.on && !nocache {
		s.behind.SaveReturn(jid, id, load, nil)
	}
	return nil
}

// isUnknown tells the error of a job the store does not know.
func isUnknown(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, job.ErrUnknownJob)
}

// openJobStore puts the job cache under group commit, written behind the
// workers, when job_cache is on; a write or sync that nobody waits for and
// fails is counted and logged.
func (m *Master) openJobStore() error {
	var behind *job.Behind
	if m.cfg.JobCache {
		onError := func(err error) {
			m.stats.Add("cache_error")
			m.log.Errorf("Job cache: %v", err)
		}
		if err := m.cache.GroupCommit(onError); err != nil {
			return fmt.Errorf("cachedir %s: %w", m.cfg.Cachedir, err)
		}
		behind = m.cache.WriteBehind(onError)
	}
	m.jobs = newJobStore(m.cache, behind, m.cfg.JobCache, m.opts.jids)
	return nil
}

// closeJobStore writes what is queued for the job cache and syncs what no
// commit covered yet.
func (m *Master) closeJobStore() {
	if m.jobs != nil && m.jobs.behind != nil {
		m.jobs.behind.Close()
	}
	if err := m.cache.Close(); err != nil {
		m.stats.Add("cache_error")
		m.log.Errorf("Job cache: %v", err)
	}
}
