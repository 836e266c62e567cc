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
// record of the spool's log (spoollog.go) holding the road message
// (msgpack, route included), appended before it is first sent, and
// marked delivered only once the road reports it so. Returns an earlier
// version left as files <dir>/<jid> are read and sent too, their files
// removed once delivered. A return is sent at most once at a time. With a
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
	rlog   *spoolLog // the returns of this version

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
	log2, problem, err := openSpoolLog(dir)
	if err != nil {
		return nil, err
	}
	if problem != nil {
		log.Errorf("Return spool: %v", problem)
	}
	s.rlog = log2
	for _, jid := range log2.jids() {
		if _, master, err := s.read(jid); err != nil {
			log.Errorf("Return %s in the spool log %s cannot be read, left in place: %v", jid, log2.path, err)
		} else {
			s.index[jid] = master
		}
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

// setCommit has the spool's writes made durable by the group commit c.
func (s *spool) setCommit(c *fsutil.Committer) {
	s.commit = c
	s.rlog.commit = c
}

// close releases the spool log's file.
func (s *spool) close() { s.rlog.close() }

// read loads a spooled message and the master it is for: from the log,
// or from its own file (an earlier version's).
func (s *spool) read(jid string) (body.Map, string, error) {
	var data []byte
	var err error
	if s.rlog.has(jid) {
		data, err = s.rlog.read(jid)
	} else {
		data, err = os.ReadFile(filepath.Join(s.dir, jid))
	}
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
	if err := s.rlog.put(jid, data); err != nil {
		return err
	}
	s.mu.Lock()
	first := len(s.index) == 0
	s.index[jid] = master
	s.mu.Unlock()
	s.wakeIf(first)
	return nil
}

// wakeIf tells the minion's loop a return was kept in a spool that was
// empty.
func (s *spool) wakeIf(first bool) {
	if first {
		select {
		case s.kept <- struct{}{}:
		default: // one wake is enough
		}
	}
}

// empty says whether no return is kept.
func (s *spool) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index) == 0
}

// submit keeps a return and sends it. A large return's record is written
// beside the sending (its encoding and write take as long as the road's
// sealing of it, on the other core), a small one's before; either is in
// the log when submit returns;
// its delivery's outcome waits for it, so that a return delivered before
// its file was whole still has its file removed. It is indexed and on its
// way from the start, so that a flush meanwhile asks for it again rather
// than read a file not yet whole. A return that cannot be written is
// still sent, and said so: it would be lost with an undelivered send.
func (s *spool) submit(jid, master string, msg body.Map) {
	s.mu.Lock()
	if s.inflight[jid] { // a jid submitted again while its return is on its way
		s.mu.Unlock()
		if err := s.put(jid, master, msg); err != nil {
			s.log.Errorf("Cannot keep the return of job %s in %s: %v", jid, s.dir, err)
		}
		return
	}
	s.inflight[jid] = true
	first := len(s.index) == 0
	s.index[jid] = master
	s.mu.Unlock()
	s.wakeIf(first)
	k := &keeping{done: make(chan struct{})}
	keep := func() {
		defer close(k.done)
		if err := s.put(jid, master, msg); err != nil {
			s.mu.Lock()
			delete(s.index, jid)
			s.mu.Unlock()
			s.log.Errorf("Cannot keep the return of job %s in %s: %v; it is lost if it cannot be delivered now", jid, s.dir, err)
			return
		}
		k.ok = true
	}
	// A small return is appended to the log before it is sent (an append
	// costs less than a goroutine); only a large one is kept beside the
	// sending, where its encoding and write overlap the road's sealing.
	if n, ok := body.PackedSizeAtMost(msg); ok && n < keepBesideSize {
		keep()
	} else {
		go keep()
	}
	err := s.transmit(jid, master, msg, k)
	switch kept := k.wait(); {
	case err != nil && kept:
		s.log.Infof("Return of job %s kept in %s for master %s: %v", jid, s.dir, master, err)
	case err != nil:
		s.log.Errorf("Return of job %s lost: master %s: %v", jid, master, err)
	}
}

// keepBesideSize is the packed size from which a return's spool record is
// written beside its sending rather than before it.
const keepBesideSize = 64 << 10

// keeping is the writing of a return's spool file: ok, once done is
// closed, says the file is whole on disk.
type keeping struct {
	done chan struct{}
	ok   bool
}

func (k *keeping) wait() bool {
	<-k.done
	return k.ok
}

// readBack is the keeping of a return read back from its spool file.
var readBack = func() *keeping { k := &keeping{done: make(chan struct{}), ok: true}; close(k.done); return k }()

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
		if err := s.deliver(jid, master, msg, readBack); err != nil {
			s.log.Debugf("Return of job %s still kept for master %s: %v", jid, master, err)
		}
	}
}

// deliver transmits a return unless it is on its way already, and watches
// the outcome: delivered, its file goes; not, it stays for the next flush,
// or is sent again at once when a flush asked for it meanwhile. The error
// says why it could not even be sent. The outcome is taken once k is done.
func (s *spool) deliver(jid, master string, msg body.Map, k *keeping) error {
	s.mu.Lock()
	if s.inflight[jid] {
		s.mu.Unlock()
		return nil
	}
	s.inflight[jid] = true
	s.mu.Unlock()
	return s.transmit(jid, master, msg, k)
}

// transmit sends a return marked on its way, and watches the outcome.
func (s *spool) transmit(jid, master string, msg body.Map, k *keeping) error {
	d, err := s.send(master, msg)
	if err != nil {
		s.release(jid)
		return err
	}
	go func() {
		defer s.release(jid)
		onDisk := k.wait()
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
		if rmErr := s.forget(jid); rmErr == nil {
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

// forget drops a delivered return: a delivery record in the log, or its
// file removed.
func (s *spool) forget(jid string) error {
	if s.rlog.has(jid) {
		return s.rlog.done(jid)
	}
	if err := os.Remove(filepath.Join(s.dir, jid)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
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
