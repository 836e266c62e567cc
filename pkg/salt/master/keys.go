package master

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/internal/counters"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// maxKeyNotes bounds the ids whose last key message, keys and broken key
// file are remembered, so that joins under ever new ids cannot grow the
// master without end (about 16 MB at the bound); past it the notes start
// over, which at worst repeats a message once and forgets the keys a
// deleted key would be judged again with. It is well above the minions a
// master serves: at 4,096, a storm of 10,000 joins started the notes over
// twice, and the keys of most joined minions were forgotten.
const maxKeyNotes = 1 << 16

// keyJudge is the master's road acceptor: the key store deciding joins,
// with what it decides against a minion said where an operator looks. The
// road only hears "rejected"; without this a corrupt accepted/<id> left
// nothing in the log but the estate's removal. Each message is logged
// once per change, not at every join the minion retries.
type keyJudge struct {
	store *pki.Store
	log   logrus.FieldLogger
	stats *counters.Counters
	// warn hears the store's warnings of each decision; a join flood's
	// refusals by max_pending_keys are paced there, not noted per id.
	warn func(id string, warnings []error)
	// fire fires an event on the master's bus (salt/auth at every join
	// judged); nil fires nothing.
	fire     func(tag string, data any)
	authPace authPace
	// async decides off the road loop once the master runs; nil decides
	// in the caller.
	async atomic.Pointer[keyDecider]

	mu    sync.Mutex
	notes map[string]string    // id: the last message logged for it
	keys  map[string][2]string // id: pub and verify of its last accepted join
	// broken holds, by id, why a connected minion's accepted key file
	// cannot be used: it is not published to until the file is repaired,
	// though its session outlived the file.
	broken map[string]error
	// reviewed holds the stamps of the accepted key files the last review
	// read sound (review's goroutine only).
	reviewed map[string]keyStamp
}

// StatusRole is the road's question: answered off the loop when the
// master runs its decider (keysdecide.go), else at once.
func (j *keyJudge) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	if a := j.async.Load(); a != nil {
		return a.status(role, verhex, pubhex)
	}
	return j.decideWith(j.store, role, verhex, pubhex)
}

// decideWith asks the key store, and says what it decided where an
// operator looks.
func (j *keyJudge) decideWith(store *pki.Store, role, verhex, pubhex string) (raet.Acceptance, error) {
	d, err := store.Decide(role, pubhex, verhex)
	if len(d.Warnings) > 0 {
		j.warn(role, d.Warnings)
	}
	if j.fire != nil {
		ev := authEvent(role, pubhex, d, err)
		if j.authPace.due(role, ev) {
			j.fire(TagAuth, ev)
		}
	}
	var fe *pki.FileError
	switch {
	case errors.As(err, &fe):
		// Said before counted: whoever sees the count sees the line.
		j.setBroken(role, err)
		j.note(role, logrus.ErrorLevel, fmt.Sprintf("Refusing minion %s: %v; repair the file, or delete it with salt-key-raet -d %s "+
			"and accept the key the minion shows next", role, err, role))
		j.stats.Add("key_file_error")
	case err != nil:
		j.note(role, logrus.ErrorLevel, fmt.Sprintf("Refusing minion %s: %v", role, err))
		j.stats.Add("key_error")
	case d.Reason == pki.ReasonPendingFull: // said, paced, by warn
	case d.Status == raet.Rejected:
		j.note(role, logrus.WarnLevel, fmt.Sprintf("Refusing minion %s: %s", role, d.Reason))
	case d.Status == raet.Pending:
		j.note(role, logrus.InfoLevel, fmt.Sprintf("Key of minion %s is pending (%s): accept it with salt-key-raet -a %s", role, d.Reason, role))
	default:
		j.note(role, logrus.DebugLevel, "")
		j.remember(role, pubhex, verhex)
		j.setBroken(role, nil)
	}
	return d.Status, err
}

// setBroken records why id's key file cannot be used; nil clears it.
func (j *keyJudge) setBroken(id string, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		delete(j.broken, id)
		return
	}
	if j.broken == nil || len(j.broken) >= maxKeyNotes {
		j.broken = map[string]error{}
	}
	j.broken[id] = err
}

// brokenKey says why id's accepted key file cannot be used, or nil.
func (j *keyJudge) brokenKey(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.broken[id]
}

// remember keeps the keys an accepted estate joined with, so that the key
// can be judged again should salt-key-raet delete it while the estate's
// session lasts.
func (j *keyJudge) remember(id, pubhex, verhex string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.keys == nil || len(j.keys) >= maxKeyNotes {
		j.keys = map[string][2]string{}
	}
	j.keys[id] = [2]string{pubhex, verhex}
}

func (j *keyJudge) known(id string) ([2]string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	k, ok := j.keys[id]
	return k, ok
}

// review looks again at the keys of the estates joined now. A key deleted
// behind a live session (salt-key-raet -d) is judged again with the keys
// the estate joined with, as Salt's minion re-authenticating after a
// deletion is: pending, unless auto_accept or an autosign rule accepts it,
// so that salt-key-raet -a takes effect without a restart; the session
// stays, unserved while the key is not accepted. A key file broken behind
// a live session is named at error, once. An estate the road found dead
// (alived no) is not live: the key of a minion that is down stays deleted
// (manage.down removekeys=True) until it joins again.
func (j *keyJudge) review(remotes map[uint32]road.RemoteState) {
	seen := make(map[string]keyStamp, len(remotes))
	defer func() { j.reviewed = seen }()
	for _, rs := range remotes {
		if rs.Joined != road.Yes || rs.Alived == road.No || rs.Role == "" {
			continue
		}
		st, stamped := j.stampOf(rs.Role)
		if stamped && j.reviewed[rs.Role] == st {
			seen[rs.Role] = st // read whole and sound before, unchanged since
			continue
		}
		_, err := j.store.Get(rs.Role)
		if err == nil && stamped {
			seen[rs.Role] = st
		}
		var fe *pki.FileError
		if !errors.As(err, &fe) {
			j.setBroken(rs.Role, nil)
		}
		switch {
		case errors.As(err, &fe): // counted when it refuses a join or a return
			j.setBroken(rs.Role, err)
			j.note(rs.Role, logrus.ErrorLevel, fmt.Sprintf("Refusing minion %s: %v; repair the file, or delete it with salt-key-raet -d %s "+
				"and accept the key the minion shows next", rs.Role, err, rs.Role))
		case errors.Is(err, pki.ErrNotFound):
			k, ok := j.known(rs.Role)
			if !ok {
				continue
			}
			d, err := j.store.Decide(rs.Role, k[0], k[1])
			if err != nil {
				j.log.Errorf("Minion %s (estate %s), whose key was deleted: %v", rs.Role, rs.Name, err)
				continue
			}
			j.stats.Add("key_judged_again")
			j.log.Infof("The key of minion %s was deleted while estate %s was connected; judged again: %s (%s)",
				rs.Role, rs.Name, d.Status, d.Reason)
		}
	}
}

// keyStamp tells whether an accepted key file changed since it was read:
// the review reads again only those that did, not every minion's key file
// every presence interval (10,000 reads each 10 s at 10,000 minions).
type keyStamp struct {
	mod  time.Time
	size int64
}

// stampOf stats id's accepted key file; false when it is not a regular
// file there.
func (j *keyJudge) stampOf(id string) (keyStamp, bool) {
	if pki.ValidID(id) != nil {
		return keyStamp{}, false
	}
	fi, err := os.Lstat(j.store.Path(raet.Accepted, id))
	if err != nil || !fi.Mode().IsRegular() {
		return keyStamp{}, false
	}
	return keyStamp{fi.ModTime(), fi.Size()}, true
}

// note logs msg for id unless it is what was logged for id last; an empty
// msg (accepted) clears the note, so a later problem is logged again.
func (j *keyJudge) note(id string, level logrus.Level, msg string) {
	j.mu.Lock()
	if j.notes == nil || len(j.notes) >= maxKeyNotes {
		j.notes = map[string]string{}
	}
	same := j.notes[id] == msg
	if msg == "" {
		delete(j.notes, id)
	} else {
		j.notes[id] = msg
	}
	j.mu.Unlock()
	if same || msg == "" {
		return
	}
	switch level {
	case logrus.ErrorLevel:
		j.log.Error(msg)
	case logrus.WarnLevel:
		j.log.Warn(msg)
	default:
		j.log.Info(msg)
	}
}
