package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Move moves the key of id from one status to another with one rename, so
// that a reader sees it in exactly one of the two places. An existing file
// at the destination is replaced, as shutil.move does in RaetKey.accept and
// reject. A key is read before it is moved into accepted/, so that a
// corrupt file is refused (naming it) rather than accepted. When the source
// is gone — another salt-key or the master moved or deleted it a moment
// ago — the error is ErrNotFound and says so.
func (s *Store) Move(id string, from, to raet.Acceptance) error {
	if err := ValidID(id); err != nil {
		return err
	}
	if err := checkStatus(from); err != nil {
		return err
	}
	if err := checkStatus(to); err != nil {
		return err
	}
	if from == to {
		_, err := s.Read(id, from)
		return err
	}
	src, dst := s.Path(from, id), s.Path(to, id)
	gone := func(err error) error {
		return fmt.Errorf("%w: no %s key for %q to move to %s (another process may have just moved or deleted it): %w",
			ErrNotFound, statusName(from), id, statusName(to), err)
	}
	if to == raet.Accepted {
		if _, err := s.Read(id, from); errors.Is(err, ErrNotFound) {
			return gone(err)
		} else if err != nil {
			return err
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return gone(err)
		}
		return fmt.Errorf("pki: move %q from %s to %s: %w", id, statusName(from), statusName(to), err)
	}
	if err := syncDir(s.statusDir(to)); err != nil {
		return err
	}
	return syncDir(s.statusDir(from))
}

// Accept moves a pending key to accepted (salt-key -a). Accepting a
// rejected key (--include-rejected) is Move(id, raet.Rejected, raet.Accepted).
func (s *Store) Accept(id string) error { return s.Move(id, raet.Pending, raet.Accepted) }

// Reject moves a pending key to rejected (salt-key -r). Rejecting an
// accepted key (--include-accepted) is Move(id, raet.Accepted, raet.Rejected).
func (s *Store) Reject(id string) error { return s.Move(id, raet.Pending, raet.Rejected) }

// Remove deletes the key file of id in one status.
func (s *Store) Remove(id string, status raet.Acceptance) error {
	if err := ValidID(id); err != nil {
		return err
	}
	if err := checkStatus(status); err != nil {
		return err
	}
	if err := os.Remove(s.Path(status, id)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: no %s key for %q to delete (another process may have just moved or deleted it): %w",
				ErrNotFound, statusName(status), id, err)
		}
		return fmt.Errorf("pki: delete %q: %w", id, err)
	}
	return syncDir(s.statusDir(status))
}

// Delete removes every key file of id (salt-key -d deletes in every
// status). It is ErrNotFound only when there was none. The minion's data
// cache and road estate files live under cachedir and are the caller's to
// clear (spec/salt-raet.md 2.2).
func (s *Store) Delete(id string) error {
	if err := ValidID(id); err != nil {
		return err
	}
	removed := false
	for _, st := range statuses {
		err := s.Remove(id, st)
		switch {
		case err == nil:
			removed = true
		case errors.Is(err, ErrNotFound):
		default:
			return err
		}
	}
	if !removed {
		return fmt.Errorf("%w: no key for %q in %s", ErrNotFound, id, s.dir)
	}
	return nil
}
