package pki

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// checkPermissions is masterapi.AutoKey.check_permissions reduced to the
// mode bits: a file others can write is never trusted, one its group can
// write only with permissive_pki_access (spec/salt-raet.md 2.1). Salt
// running as root instead trusts any file owned by the master's user or not
// in its primary group, which would trust a world-writable file; the mode
// test is applied whoever runs the daemon. As in Salt, Windows is not
// checked.
func (s *Store) checkPermissions(path string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	m := fi.Mode().Perm()
	if m&0o002 != 0 {
		return fmt.Errorf("%w: %s is writable by others (mode %04o); its content is ignored", ErrInsecure, path, m)
	}
	if m&0o020 != 0 && !s.opts.PermissivePKIAccess {
		return fmt.Errorf("%w: %s is writable by its group (mode %04o) and permissive_pki_access is off; its content is ignored", ErrInsecure, path, m)
	}
	return nil
}

// matchSigningFile is masterapi.AutoKey.check_signing_file: does id match a
// line of the autosign or autoreject file at path? An unset or missing file
// matches nothing, quietly, as in Salt. A file that cannot be trusted or
// read matches nothing too, and the reason is returned for the caller to
// log: the join still gets an answer.
func (s *Store) matchSigningFile(path, id string) (bool, error) {
	if path == "" {
		return false, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("pki: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("pki: %s is not a regular file; ignored", path)
	}
	if err := s.checkPermissions(path, fi); err != nil {
		return false, err
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("pki: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if ExprMatch(id, line) {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("pki: read %s: %w", path, err)
	}
	return false, nil
}

// autosignDir returns the directory of one-shot autosign entries.
func (s *Store) autosignDir() string {
	if s.opts.AutosignDir != "" {
		return s.opts.AutosignDir
	}
	return filepath.Join(s.dir, "minions_autosign")
}

// useAutosignEntry is masterapi.AutoKey.check_autosign_dir. The directory
// holds empty files named after ids that may be accepted once, typically
// dropped there by a provisioning system before the minion first starts.
// Entries older than autosign_timeout are removed first (each is reported
// with ErrAutosignExpired). An entry for id is consumed by removing it, and
// only the process whose unlink succeeds gets the acceptance, so one entry
// accepts one join even when two processes decide at once.
//
// Salt also consumes the entry when the key is then refused (it evaluates
// autosign before comparing keys or applying autoreject); here the entry is
// only looked at when autosign is the deciding rule, so a refused join does
// not use it up.
func (s *Store) useAutosignEntry(id string) (bool, []error) {
	dir := s.autosignDir()
	var warns []error
	timeout := s.opts.AutosignTimeout
	if timeout == 0 {
		timeout = DefaultAutosignTimeout
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, []error{fmt.Errorf("pki: autosign directory: %w", err)}
	}
	if timeout > 0 {
		cutoff := time.Now().Add(-timeout)
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(cutoff) {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if err := os.Remove(p); err == nil {
				warns = append(warns, fmt.Errorf("%w: %s (older than %v), removed unused", ErrAutosignExpired, p, timeout))
			} else if !errors.Is(err, fs.ErrNotExist) {
				warns = append(warns, fmt.Errorf("pki: remove expired autosign entry: %w", err))
			}
		}
	}
	p := filepath.Join(dir, id)
	fi, err := os.Lstat(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			warns = append(warns, fmt.Errorf("pki: autosign entry: %w", err))
		}
		return false, warns
	}
	if !fi.Mode().IsRegular() {
		return false, append(warns, fmt.Errorf("pki: autosign entry %s is not a regular file; ignored", p))
	}
	if err := os.Remove(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			warns = append(warns, fmt.Errorf("pki: consume autosign entry: %w", err))
		}
		return false, warns
	}
	return true, warns
}

// CheckAutoFiles reports, for a daemon to log at start-up, the problems that
// would make Status ignore the autosign or autoreject file, including a
// configured file that does not exist (which Status, like Salt, treats as
// empty without a word). Status reports the other problems again with each
// decision that reads the files.
func (s *Store) CheckAutoFiles() []error {
	var errs []error
	for _, f := range []struct{ opt, path string }{
		{"autosign_file", s.opts.AutosignFile},
		{"autoreject_file", s.opts.AutorejectFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("pki: %s %s does not exist, so no id matches it: %w", f.opt, f.path, err))
			continue
		}
		if _, err := s.matchSigningFile(f.path, ""); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
