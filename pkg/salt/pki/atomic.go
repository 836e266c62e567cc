package pki

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

// tempPrefix starts the names of files being written. The leading '.' keeps
// them out of List (RaetKey.list_keys skips dot files too) and apart from
// ids, which may not start with '.'.
const tempPrefix = ".pki-tmp-"

// errExists reports that a no-replace write found the file already there.
var errExists = errors.New("pki: file already exists")

// writeAtomic writes data to dir/name so that no reader, in this process or
// another, ever sees the file partly written: the data goes to a temporary
// file in the same directory, which is synced, given its mode and then
// renamed into place, and the directory is synced so the new name survives
// a crash. With replace false an existing file is left alone and the error
// is errExists; the name is then claimed with link(2), which fails rather
// than replaces.
func writeAtomic(dir, name string, data []byte, mode os.FileMode, replace bool) (err error) {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(dir, tempPrefix+name+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
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
		return fmt.Errorf("pki: write %s: %w", tmp, err)
	}
	// The umask must not decide the mode of a key file.
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("pki: sync %s: %w", tmp, err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return fmt.Errorf("pki: close %s: %w", tmp, err)
	}
	dst := filepath.Join(dir, name)
	if replace {
		if err = os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("pki: %w", err)
		}
	} else {
		if err = linkNoReplace(tmp, dst); err != nil {
			return err
		}
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return fmt.Errorf("pki: %w", rmErr)
		}
	}
	return syncDir(dir)
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
		return fmt.Errorf("%w: %s", errExists, dst)
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fmt.Errorf("%w: %s", errExists, dst)
	} else if !errors.Is(serr, fs.ErrNotExist) {
		return fmt.Errorf("pki: %w", serr)
	}
	if rerr := os.Rename(tmp, dst); rerr != nil {
		return fmt.Errorf("pki: link %s: %v; rename: %w", dst, err, rerr)
	}
	return nil
}

// syncDir makes a rename or unlink in dir durable. Filesystems that cannot
// sync a directory (EINVAL) are tolerated: there is nothing more to do.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("pki: sync %s: %w", dir, err)
	}
	return nil
}

// removeStaleTemps removes temporary files of writers that died before
// renaming them. Only old ones go, so a writer still at work is not
// disturbed. Failures are ignored: a stale file is only clutter.
func removeStaleTemps(dir string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-age)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
