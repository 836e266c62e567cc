package minion

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tempPrefix starts the names of files being written; listings skip them.
const tempPrefix = ".tmp-"

// writeFileAtomic replaces dir/name with data: written to a temporary file
// in the same directory, synced, then renamed over the old one, so a reader
// (or a crash) sees either the old file or the whole new one.
func writeFileAtomic(dir, name string, data []byte, mode os.FileMode) (err error) {
	f, err := os.CreateTemp(dir, tempPrefix+name+"-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// removeTemps removes the temporary files a writer that died left in dir.
func removeTemps(dir string, olderThan time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) >= olderThan {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// fileName reports whether name can be a file of ours in a directory we
// list: not hidden (temporaries are), no separator.
func fileName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, "/\\\x00")
}
