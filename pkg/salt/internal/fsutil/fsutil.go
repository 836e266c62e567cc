// Package fsutil holds the file handling the daemons' stores share: writing
// a file so that no reader ever sees it half-written, making renames
// durable, clearing the temporary files of writers that died, and telling
// the names of stored files from names that would escape a directory or
// hide in it. The key store (pki), the job cache (job), the minion's proc
// files and spool, and the master's own files all write this way; they used
// to carry a copy each, with different ideas of which steps were optional.
package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrExist is what WriteFile with NoReplace returns when the file is there
// already.
var ErrExist = errors.New("file already exists")

// WriteOptions say how WriteFile writes.
type WriteOptions struct {
	// Mode is the file's permission bits, set with fchmod so that the
	// umask does not decide them.
	Mode os.FileMode
	// TempPrefix starts the name of the temporary file (followed by the
	// file's name, '-' and random hex). Each store has its own, starting
	// with '.', so that its listings skip files being written and
	// RemoveStaleTemps finds the ones a dead writer left.
	TempPrefix string
	// NoReplace leaves an existing file alone: WriteFile then fails with
	// ErrExist. The name is claimed with link(2), which fails rather than
	// replaces.
	NoReplace bool
	// Prepare, when set, is called on the written temporary file before it
	// is synced and given its name: to give it an owner, say.
	Prepare func(f *os.File) error
	// NoSync leaves out the fsync of the file and of its directory: the
	// file is still never seen half-written, but it is durable only once
	// the writer's group commit (Committer) has run. Stores on a hot path
	// write so, one commit serving every file of a batch.
	NoSync bool
}

// WriteFile writes data to dir/name so that no reader, in this process or
// another, ever sees the file partly written, and a crash leaves either the
// old file or the whole new one: the data goes to a temporary file in the
// same directory, which is given its mode, synced and renamed into place,
// and the directory is synced so that the new name survives a crash. On
// failure the temporary file is removed. Errors name the file they are
// about; callers add what they were storing.
//
// On Linux a file without Prepare is written unnamed and linked into place
// (writeTmpfile), with the same guarantees and a third of the directory
// changes: the job path writes several files per job.
func WriteFile(dir, name string, data []byte, o WriteOptions) (err error) {
	if o.Prepare == nil {
		if ok, err := writeTmpfile(dir, name, data, o); ok {
			return err
		}
	}
	tmp := tempName(dir, name, o.TempPrefix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, o.Mode)
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(o.Mode); err != nil {
		return err
	}
	if o.Prepare != nil {
		if err = o.Prepare(f); err != nil {
			return err
		}
	}
	if !o.NoSync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	err = f.Close()
	f = nil
	if err != nil {
		return err
	}
	dst := filepath.Join(dir, name)
	if o.NoReplace {
		if err = linkNoReplace(tmp, dst); err != nil {
			return err
		}
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return rmErr
		}
	} else if err = os.Rename(tmp, dst); err != nil {
		return err
	}
	if o.NoSync {
		return nil
	}
	return SyncDir(dir)
}

// tempName is a new temporary name for a file name of dir.
func tempName(dir, name, prefix string) string {
	var rnd [8]byte
	rand.Read(rnd[:]) // never fails (crypto/rand aborts the program instead)
	return filepath.Join(dir, prefix+name+"-"+hex.EncodeToString(rnd[:]))
}

// linkNoReplace gives tmp the name dst unless dst exists. Filesystems
// without hard links fall back to a check and a rename, which leaves a
// small window in which a concurrent writer of the same name can be
// replaced; the data of each file is still never seen half-written.
func linkNoReplace(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s", ErrExist, dst)
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fmt.Errorf("%w: %s", ErrExist, dst)
	} else if !errors.Is(serr, fs.ErrNotExist) {
		return serr
	}
	if rerr := os.Rename(tmp, dst); rerr != nil {
		return fmt.Errorf("link %s: %v; rename: %w", dst, err, rerr)
	}
	return nil
}

// SyncDir makes a rename or unlink in dir durable. Filesystems that cannot
// sync a directory (EINVAL) are tolerated: there is nothing more to do.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// RemoveStaleTemps removes the temporary files (regular files whose names
// start with prefix) of writers that died before renaming them. Only those
// older than age go, so that a writer still at work is not disturbed; an
// age of 0 removes them all, for a directory nobody else writes in.
// Failures are ignored: a stale file is only clutter.
func RemoveStaleTemps(dir, prefix string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-age)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && (age <= 0 || fi.ModTime().Before(cutoff)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// NameProblem says why name cannot be the name of a stored file in a
// directory that is listed, or is "" when it can: empty; holding '/', '\\'
// or NUL (salt.utils.verify.valid_id's rule, so that it names no other
// directory); or starting with '.', which covers "." and ".." and keeps
// stored names apart from the temporary files, which start with '.'.
// Minion ids are such names in the key store and the job cache.
func NameProblem(name string) string {
	switch {
	case name == "":
		return "empty"
	case strings.ContainsAny(name, "/\\\x00"):
		return "contains '/', '\\' or NUL"
	case name[0] == '.':
		return "starts with '.'"
	}
	return ""
}
