package minion

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// SpoolDir is the directory, under cachedir, of the returns not yet
// delivered.
const SpoolDir = "raet_returns"

// errNotNow says a master cannot take a message at the moment; the spool
// keeps it for later.
var errNotNow = errors.New("master not allowed now")

// sendFunc transmits a message to the master of that estate name, or says
// why it cannot now.
type sendFunc func(master string, msg body.Map) (*road.Delivery, error)

// spool keeps the returns of jobs until their master has them: each is a
// file <dir>/<jid> holding the road message (msgpack, route included),
// written whole before it is first sent, and removed only once the road
// reports it delivered. A return is sent at most once at a time. With a
// group commit (commit) the file is synced beside the sending, by one sync
// shared with the returns of the moment: a return survives a crash of the
// minion's process at once, and a crash of its machine once that sync ran
// or the master has it, whichever comes first.
type spool struct {
	dir   string
	log   logrus.FieldLogger
	send  sendFunc
	clock clock.Clock // of idle; nil is the real clock
	// commit, when set, makes the spool's files durable in batches
	// (files.go): a return is sent at once, its file synced beside the
	// sending by a sync shared with the other returns of the moment.
	commit *fsutil.Committer

	mu       sync.Mutex
	index    map[string]string // jid → master estate, of the files on disk
	inflight map[string]bool   // jids whose delivery is under way
	// again holds the jids a flush found on their way: their master was
	// allowed again meanwhile, so a delivery of theirs that fails (it was
	// sent in the session that ended) is made again at once rather than at
	// the next retry.
	again   map[string]bool
	changed chan struct{} // closed and replaced when a delivery ends
	// kept says a return was written to an empty spool: the minion's loop,
	// which does not wake to offer an empty spool again, arms its retry.
	kept chan struct{}
}

// openSpool opens the spool directory, creating it, and indexes the
// returns a previous run left there.
func openSpool(dir string, log logrus.FieldLogger, send sendFunc) (*spool, error) {
	if err := mkdir.All(dir, 0o700); err != nil {
		return nil, err
	}
	s := &spool{dir: dir, log: log, send: send, index: map[string]string{}, inflight: map[string]bool{},
		again: map[string]bool{}, changed: make(chan struct{}), kept: make(chan struct{}, 1)}
	names, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		_, master, err := s.read(name)
		if err != nil {
			log.Errorf("Return %s in the spool cannot be read, left in place: %v", filepath.Join(dir, name), err)
			continue
		}
		s.index[name] = master
	}
	return s, nil
}

// read loads a spooled message and the master it is for.
func (s *spool) read(jid string) (body.Map, string, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, jid))
	if err != nil {
		return nil, "", err
	}
	msg, err := body.Decode(raet.BodyMsgpack, data)
	if err != nil {
		return nil, "", err
	}
	rt, err := route.ParseRoute(msg)
	if err != nil {
		return nil, "", err
	}
	if rt.Dst.Estate == "" {
		return nil, "", fmt.Errorf("the route names no master estate")
	}
	return msg, rt.Dst.Estate, nil
}

// put writes a message to the spool, replacing an older one of the jid.
func (s *spool) put(jid, master string, msg body.Map) error {
	data, err := body.Encode(raet.BodyMsgpack, msg)
	if err != nil {
		return err
	}
	if err := writeFileCommitted(s.commit, s.dir, jid, data, 0o600); err != nil {
		return err
	}
	s.mu.Lock()
	first := len(s.index) == 0
	s.index[jid] = master
	s.mu.Unlock()
	if first {
		select {
		case s.kept <- struct{}{}:
		default: // one wake is enough
		}
	}
	return nil
}

// empty says whether no return is kept.
func (s *spool) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index) == 0
}

// submit keeps a return and sends it. A return that cannot be written is
// still sent, and said so: it would be lost with an undelivered send.
func (s *spool) submit(jid, master string, msg body.Map) {
	if err := s.put(jid, master, msg); err != nil {
		s.log.Errorf("Cannot keep the return of job %s in %s: %v; it is lost if it cannot be delivered now", jid, s.dir, err)
		if err := s.deliver(jid, master, msg, false); err != nil {
			s.log.Errorf("Return of job %s lost: master %s: %v", jid, master, err)
		}
		return
	}
	if err := s.deliver(jid, master, msg, true); err != nil {
		s.log.Infof("Return of job %s kept in %s for master %s: %v", jid, s.dir, master, err)
	}
}

// flush sends every spooled return for the master that is not on its way
// already.
func (s *spool) flush(master string) {
	s.mu.Lock()
	var jids []string
	for jid, m := range s.index {
		switch {
		case m != master:
		case s.inflight[jid]:
			s.again[jid] = true
		default:
			jids = append(jids, jid)
		}
	}
	s.mu.Unlock()
	slices.Sort(jids) // oldest job first
	for _, jid := range jids {
		msg, _, err := s.read(jid)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) { // delivered meanwhile
				continue
			}
			s.log.Errorf("Return %s in the spool cannot be read, left in place: %v", filepath.Join(s.dir, jid), err)
			s.mu.Lock()
			delete(s.index, jid)
			s.mu.Unlock()
			continue
		}
		if err := s.deliver(jid, master, msg, true); err != nil {
			s.log.Debugf("Return of job %s still kept for master %s: %v", jid, master, err)
		}
	}
}

// deliver transmits a return unless it is on its way already, and watches
// the outcome: delivered, its file goes; not, it stays for the next flush,
// or is sent again at once when a flush asked for it meanwhile. The error
// says why it could not even be sent.
func (s *spool) deliver(jid, master string, msg body.Map, onDisk bool) error {
	s.mu.Lock()
	if s.inflight[jid] {
		s.mu.Unlock()
		return nil
	}
	s.inflight[jid] = true
	s.mu.Unlock()
	d, err := s.send(master, msg)
	if err != nil {
		s.release(jid)
		return err
	}
	go func() {
		defer s.release(jid)
		for {
			err := d.Err()
			s.outcome(jid, master, onDisk, err)
			if err == nil || !onDisk || !s.takeAgain(jid) {
				return
			}
			s.log.Infof("Sending the return of job %s again: master %s was allowed again while it was on its way", jid, master)
			if d, err = s.send(master, msg); err != nil {
				s.log.Debugf("Return of job %s still kept for master %s: %v", jid, master, err)
				return
			}
		}
	}()
	return nil
}

// outcome takes the result of one delivery: a delivered return's file goes.
func (s *spool) outcome(jid, master string, onDisk bool, err error) {
	switch {
	case err == nil && onDisk:
		s.mu.Lock()
		if rmErr := os.Remove(filepath.Join(s.dir, jid)); rmErr == nil || errors.Is(rmErr, os.ErrNotExist) {
			delete(s.index, jid)
		} else {
			s.log.Errorf("Return of job %s delivered to %s, but its spool file stays: %v", jid, master, rmErr)
		}
		s.mu.Unlock()
		s.log.Debugf("Return of job %s delivered to master %s", jid, master)
	case err == nil:
		s.log.Debugf("Return of job %s delivered to master %s", jid, master)
	case onDisk:
		s.log.Warnf("Return of job %s not delivered to master %s: %v; kept in %s until it is back", jid, master, err, s.dir)
	default:
		s.log.Errorf("Return of job %s lost: not delivered to master %s: %v", jid, master, err)
	}
}

// takeAgain reports whether a flush asked for the jid while it was on its
// way, and forgets it.
func (s *spool) takeAgain(jid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	again := s.again[jid]
	delete(s.again, jid)
	return again
}

func (s *spool) release(jid string) {
	s.mu.Lock()
	delete(s.inflight, jid)
	delete(s.again, jid)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// pending lists the jids of the returns on disk, sorted.
func (s *spool) pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.index))
}

// idle waits until no delivery is under way, or the deadline passes
// (false).
func (s *spool) idle(d time.Duration) bool {
	return waitIdle(s.clock, d, func() (bool, <-chan struct{}) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.inflight) > 0, s.changed
	})
}
