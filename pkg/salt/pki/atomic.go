package pki

import (
	"fmt"
	"os"

	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// tempPrefix starts the names of files being written. The leading '.' keeps
// them out of List (RaetKey.list_keys skips dot files too) and apart from
// ids, which may not start with '.'.
const tempPrefix = ".pki-tmp-"

// errExists reports that a no-replace write found the file already there.
var errExists = fsutil.ErrExist

// writeAtomic writes data to dir/name with fsutil.WriteFile, so that no
// reader, in this process or another, ever sees the file partly written and
// the umask does not decide its mode. With replace false an existing file
// is left alone and the error is errExists.
func writeAtomic(dir, name string, data []byte, mode os.FileMode, replace bool) error {
	err := fsutil.WriteFile(dir, name, data, fsutil.WriteOptions{Mode: mode, TempPrefix: tempPrefix, NoReplace: !replace})
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	return nil
}

// writeDecided writes a key file a decision made: at once durable, or under
// the store's group commit (Options.Commit).
func (s *Store) writeDecided(dir, name string, data []byte, replace bool) error {
	c := s.opts.Commit
	err := fsutil.WriteFile(dir, name, data, fsutil.WriteOptions{Mode: keyFileMode, TempPrefix: tempPrefix,
		NoReplace: !replace, NoSync: c != nil})
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	if c != nil {
		c.Wrote()
	}
	return nil
}

// syncDir makes a rename or unlink in dir durable (fsutil.SyncDir).
func syncDir(dir string) error {
	if err := fsutil.SyncDir(dir); err != nil {
		return fmt.Errorf("pki: sync %s: %w", dir, err)
	}
	return nil
}
