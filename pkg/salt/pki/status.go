package pki

import (
	"errors"
	"fmt"
	"os"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Reason says which rule of the decision in spec/salt-raet.md 2.1 gave a
// status, so that a refused join can be logged with why (DESIGN.md, "errors
// a person can act on"). The texts follow the reasons RaetKey.status logs.
type Reason string

const (
	ReasonOpenMode         Reason = "open_mode accepts every key"
	ReasonAlreadyRejected  Reason = "keys already rejected"
	ReasonAccepted         Reason = "keys match the accepted key"
	ReasonAcceptedMismatch Reason = "keys do not match the prior accepted key"
	ReasonPendingMismatch  Reason = "keys do not match the prior pending key"
	ReasonAutoreject       Reason = "autoreject_file matches the id"
	ReasonAutoAccept       Reason = "auto_accept"
	ReasonAutosignFile     Reason = "autosign_file matches the id"
	ReasonAutosignDir      Reason = "minions_autosign entry for the id"
	ReasonAwaiting         Reason = "awaiting acceptance"
	ReasonPendingFull      Reason = "max_pending_keys keys are pending already"
)

// Decision is the outcome of Decide.
type Decision struct {
	Status raet.Acceptance
	Reason Reason
	// New is true when the id had no key file and one was written.
	New bool
	// Warnings are problems that did not stop the decision but changed it
	// or may have: an autosign or autoreject file that was ignored
	// (ErrInsecure, unreadable), expired autosign entries removed
	// (ErrAutosignExpired). The caller logs them.
	Warnings []error
}

// StatusRole is Status as a road stack asks it (road.Acceptor): by role,
// the verify key first. A master gives its road stack the store, so joins
// are decided by the key directories salt-key-raet works on; warnings go
// to OnWarnings when set.
func (s *Store) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	d, err := s.Decide(role, pubhex, verhex)
	if len(d.Warnings) > 0 && s.OnWarnings != nil {
		s.OnWarnings(role, d.Warnings)
	}
	return d.Status, err
}

// errRace reports that a key file changed between two steps of a decision;
// the decision is then taken again from the start.
var errRace = errors.New("pki: key files changed during the decision")

// maxDecideAttempts bounds the restarts of a decision that keeps racing
// other writers, so that a pathological loop ends with an error.
const maxDecideAttempts = 8

// Status answers a join: the acceptance of id with the given Curve25519
// public and Ed25519 verify keys (64 hex digits each), writing or moving its
// key file as RaetKey.status does. It is Decide without the reason and the
// warnings; a daemon should prefer Decide so that ignored autosign files
// and the reason for a rejection are logged.
func (s *Store) Status(id, pubhex, verhex string) (raet.Acceptance, error) {
	d, err := s.Decide(id, pubhex, verhex)
	return d.Status, err
}

// Decide is RaetKey.status (salt/key.py, spec/salt-raet.md 2.1), in its
// order:
//
//  1. open_mode: write accepted/<id> (replacing it) → accepted.
//  2. rejected/<id> exists → rejected.
//  3. accepted/<id> exists → accepted if both keys equal it, else rejected.
//  4. pending/<id> exists → rejected if the keys differ; else autoreject
//     match → moved to rejected; else autosign (auto_accept, autosign_file,
//     a minions_autosign entry) → moved to accepted; else pending.
//  5. New id → auto_accept or autosign → written to accepted; autoreject →
//     written to rejected; else written to pending.
//
// Keys are compared case-insensitively and stored in lowercase. Because
// several processes may decide or move keys at once, a decision whose files
// change under it (a pending key accepted by salt-key mid-way, two joins of
// the same new id) starts again; a new id's file is created only if no
// other process created it first, so the first key seen for an id wins.
func (s *Store) Decide(id, pubhex, verhex string) (Decision, error) {
	if err := ValidID(id); err != nil {
		return Decision{}, err
	}
	pub, err := normHex("pub", pubhex)
	if err != nil {
		return Decision{}, fmt.Errorf("%w of %q: %v", ErrInvalidKey, id, err)
	}
	ver, err := normHex("verify", verhex)
	if err != nil {
		return Decision{}, fmt.Errorf("%w of %q: %v", ErrInvalidKey, id, err)
	}
	for range maxDecideAttempts {
		d, err := s.decide(id, pub, ver)
		if !errors.Is(err, errRace) {
			return d, err
		}
	}
	return Decision{}, fmt.Errorf("pki: key files of %q kept changing while deciding its status; gave up after %d tries", id, maxDecideAttempts)
}

// decide takes the decision once; errRace means a key file changed under
// it and it must be taken again.
func (s *Store) decide(id, pub, ver string) (Decision, error) {
	data := encodeKeyFile(id, pub, ver)
	if s.opts.OpenMode {
		var d Decision
		if err := s.writeDecided(s.statusDir(raet.Accepted), id, data, true); err != nil {
			return d, err
		}
		d.Status, d.Reason = raet.Accepted, ReasonOpenMode
		return d, nil
	}
	if d, known, err := s.decideKnown(id, pub, ver); known || err != nil {
		return d, err
	}
	return s.decideNew(id, data)
}

// decideKnown decides an id that has a key file (steps 2 to 4 of Decide);
// known is false, with no error, for a new id.
func (s *Store) decideKnown(id, pub, ver string) (d Decision, known bool, err error) {
	if ok, err := isKeyFile(s.Path(raet.Rejected, id)); err != nil {
		return d, true, err
	} else if ok {
		d.Status, d.Reason = raet.Rejected, ReasonAlreadyRejected
		return d, true, nil
	}

	if k, err := s.Read(id, raet.Accepted); err == nil {
		if k.Pub == pub && k.Verify == ver {
			d.Status, d.Reason = raet.Accepted, ReasonAccepted
		} else {
			d.Status, d.Reason = raet.Rejected, ReasonAcceptedMismatch
		}
		return d, true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return d, true, err
	}

	k, err := s.Read(id, raet.Pending)
	if errors.Is(err, ErrNotFound) {
		return d, false, nil
	} else if err != nil {
		return d, true, err
	}
	d, err = s.decidePending(id, k, pub, ver)
	return d, true, err
}

// decidePending decides an id whose key k waits in pending/: rejected if
// the keys differ, else autoreject, else autosign, else still pending.
func (s *Store) decidePending(id string, k Key, pub, ver string) (Decision, error) {
	var d Decision
	if k.Pub != pub || k.Verify != ver {
		d.Status, d.Reason = raet.Rejected, ReasonPendingMismatch
		return d, nil
	}
	to := raet.Pending
	if s.autoreject(id, &d) {
		to, d.Reason = raet.Rejected, ReasonAutoreject
	} else if r := s.autosign(id, &d); r != "" {
		to, d.Reason = raet.Accepted, r
	} else {
		d.Reason = ReasonAwaiting
	}
	if to != raet.Pending {
		if err := s.Move(id, raet.Pending, to); err != nil {
			if errors.Is(err, ErrNotFound) {
				return d, errRace
			}
			return d, err
		}
	}
	d.Status = to
	return d, nil
}

// decideNew decides a new id (step 5 of Decide) and writes its key file,
// data, unless max_pending_keys refuses it.
func (s *Store) decideNew(id string, data []byte) (Decision, error) {
	// Salt writes accepted for auto_accept or autosign before it looks at
	// autoreject, the reverse of the pending order.
	var d Decision
	to := raet.Pending
	d.Reason = ReasonAwaiting
	if r := s.autosign(id, &d); r != "" {
		to, d.Reason = raet.Accepted, r
	} else if s.autoreject(id, &d) {
		to, d.Reason = raet.Rejected, ReasonAutoreject
	} else if full, err := s.pendingFull(id, &d); err != nil || full {
		return d, err
	}
	if err := s.writeDecided(s.statusDir(to), id, data, false); err != nil {
		if errors.Is(err, errExists) {
			return d, errRace
		}
		return d, err
	}
	if err := s.undoIfElsewhere(id, to); err != nil {
		return d, err
	}
	d.Status, d.New = to, true
	return d, nil
}

// undoIfElsewhere checks that the new key file of id just written to
// status to is its only one: another process may have placed the id in
// another directory between the checks and the write. Then ours is
// removed and errRace says to decide again, rather than leave the id in
// two places.
func (s *Store) undoIfElsewhere(id string, to raet.Acceptance) error {
	for _, st := range statuses {
		if st == to {
			continue
		}
		if ok, err := isKeyFile(s.Path(st, id)); err != nil {
			return err
		} else if ok {
			if err := s.Remove(id, to); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			return errRace
		}
	}
	return nil
}

// keyFileMode is the mode of remote key files. Salt wrote them with the
// process umask (usually 0644) inside a 0700 pki_dir; only the owner needs
// them, so they are 0600 here, which every Salt reader (the same user)
// still reads.
const keyFileMode = 0o600

// pendingFull refuses a new id a pending key when max_pending_keys keys
// wait already: anyone can send a join with a new id and new keys, and an
// operator cannot review thousands. The join is answered rejected and no
// file is written, so nothing of the refused id stays; its minion tries
// again later and gets in line once keys are accepted or deleted.
func (s *Store) pendingFull(id string, d *Decision) (bool, error) {
	if s.opts.MaxPendingKeys <= 0 {
		return false, nil
	}
	n, err := s.countPending()
	if err != nil {
		return false, err
	}
	if n < s.opts.MaxPendingKeys {
		return false, nil
	}
	d.Status, d.Reason = raet.Rejected, ReasonPendingFull
	d.Warnings = append(d.Warnings, fmt.Errorf("%w: refused the new key of %q: %d keys wait in %s, the bound max_pending_keys sets; accept or delete pending keys, or raise max_pending_keys",
		ErrPendingFull, id, n, s.statusDir(raet.Pending)))
	return true, nil
}

// countPending counts the key files in pending/ from the directory listing
// alone: it runs at every join of a new id, and a stat of each of a
// thousand files there would hold up the master's road for milliseconds.
func (s *Store) countPending() (int, error) {
	d := s.statusDir(raet.Pending)
	ents, err := os.ReadDir(d)
	if err != nil {
		return 0, fmt.Errorf("pki: list %s: %w", d, err)
	}
	n := 0
	for _, e := range ents {
		if e.Type().IsRegular() && ValidID(e.Name()) == nil {
			n++
		}
	}
	return n, nil
}

func (s *Store) autoreject(id string, d *Decision) bool {
	ok, err := s.matchSigningFile(s.opts.AutorejectFile, id)
	if err != nil {
		d.Warnings = append(d.Warnings, err)
	}
	return ok
}

// autosign is masterapi.AutoKey.check_autosign: auto_accept, then the
// autosign file, then the autosign directory. It returns the rule that
// matched, or "".
func (s *Store) autosign(id string, d *Decision) Reason {
	if s.opts.AutoAccept {
		return ReasonAutoAccept
	}
	ok, err := s.matchSigningFile(s.opts.AutosignFile, id)
	if err != nil {
		d.Warnings = append(d.Warnings, err)
	}
	if ok {
		return ReasonAutosignFile
	}
	ok, warns := s.useAutosignEntry(id)
	d.Warnings = append(d.Warnings, warns...)
	if ok {
		return ReasonAutosignDir
	}
	return ""
}
