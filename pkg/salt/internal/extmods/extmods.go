// Package extmods writes the extension-module cache (<cachedir>/extmods)
// that saltutil.sync_* fill on the minion (the execution module) and on
// the master (the runner), as salt.utils.extmods.sync does.
package extmods

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// CopyIfChanged copies src to dest unless dest has the same content (as
// Salt compares their hashes), whole or not at all: the Python worker may
// load it any moment.
func CopyIfChanged(src, dest string) (bool, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return false, err
	}
	if old, err := os.ReadFile(dest); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return false, err
	}
	return true, fsutil.WriteFile(filepath.Dir(dest), filepath.Base(dest), b, fsutil.WriteOptions{Mode: 0o600, TempPrefix: ".sync-"})
}

// Clean removes the files of dir that are not in keep (paths relative to
// dir), then the directories left empty, deepest first
// (clean_dynamic_modules).
func Clean(dir string, keep map[string]bool) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			if p != dir {
				dirs = append(dirs, p)
			}
		case !keep[rel]:
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
			return err
		}
	}
	return nil
}

// List is the names an extmod_whitelist or extmod_blacklist value gives
// for one kind of module (form): a comma-separated string, or a mapping
// of kinds to lists. nil means the value sets none for that kind.
func List(v any, form string) map[string]bool {
	var names []any
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		for _, s := range strings.Split(x, ",") {
			names = append(names, s)
		}
	default:
		m, ok := py.DictItems(v)
		if !ok {
			return nil
		}
		l, ok := m.Get(form)
		if !ok {
			return nil
		}
		names, _ = l.([]any)
	}
	set := map[string]bool{}
	for _, n := range names {
		set[py.Str(n)] = true
	}
	return set
}
