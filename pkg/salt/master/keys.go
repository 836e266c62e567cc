package master

import (
	"errors"
	"fmt"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// maxKeyNotes bounds the ids whose last key message is remembered, so
// that joins under ever new ids cannot grow the master; past it the notes
// start over, which at worst repeats a message once.
const maxKeyNotes = 4096

// keyJudge is the master's road acceptor: the key store deciding joins,
// with what it decides against a minion said where an operator looks. The
// road only hears "rejected"; without this a corrupt accepted/<id> left
// nothing in the log but the estate's removal. Each message is logged
// once per change, not at every join the minion retries.
type keyJudge struct {
	store *pki.Store
	log   logrus.FieldLogger
	stats *counters

	mu    sync.Mutex
	notes map[string]string // id: the last message logged for it
}

func (j *keyJudge) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	d, err := j.store.Decide(role, pubhex, verhex)
	for _, w := range d.Warnings {
		j.log.Warnf("Key of %s: %v", role, w)
	}
	var fe *pki.FileError
	switch {
	case errors.As(err, &fe):
		j.stats.add("key_file_error")
		j.note(role, logrus.ErrorLevel, fmt.Sprintf("Refusing minion %s: %v; repair the file, or delete it with salt-key-raet -d %s "+
			"and accept the key the minion shows next", role, err, role))
	case err != nil:
		j.stats.add("key_error")
		j.note(role, logrus.ErrorLevel, fmt.Sprintf("Refusing minion %s: %v", role, err))
	case d.Status == raet.Rejected:
		j.note(role, logrus.WarnLevel, fmt.Sprintf("Refusing minion %s: %s", role, d.Reason))
	case d.Status == raet.Pending:
		j.note(role, logrus.InfoLevel, fmt.Sprintf("Key of minion %s is pending (%s): accept it with salt-key-raet -a %s", role, d.Reason, role))
	default:
		j.note(role, logrus.DebugLevel, "")
	}
	return d.Status, err
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
