package filemod

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// file.manage_file of salt/modules/file.py: the content put in place,
// with its diff in the changes, then the owner, group and mode. The
// file.managed state and the file.manage_file execution function both
// call Manage.

// ManageSpec is manage_file's arguments about the target.
type ManageSpec struct {
	Name, User, Group string
	Mode              string // normalized; "" for None
	KeepMode          bool   // mode: keep, the source's mode (Content.Mode)
	DirMode           string
	Backup            string // backup mode: "minion" keeps a copy in <cachedir>/file_backup
	Makedirs          bool
	ShowChanges       bool
	Follow            bool // follow_symlinks
}

// Content is what goes in the file: nil when manage_file manages no
// content (no source, no contents).
type Content struct {
	Data   []byte
	Source string // the source used; "" for contents
	Mode   string // the source's mode, for mode: keep
}

// ManageResult is the ret manage_file fills in.
type ManageResult struct {
	Result  bool
	Comment string
	Changes body.Map
}

func (s ManageSpec) mode(fc *Content) string {
	if s.KeepMode && fc != nil {
		return fc.Mode
	}
	return s.Mode
}

func failed(r ManageResult, msg string) ManageResult {
	r.Result, r.Comment = false, msg
	return r
}

// Manage is manage_file (not under test): changes are the ones the
// caller's ret already has.
func Manage(s ManageSpec, fc *Content, cachedir string, changes body.Map) ManageResult {
	r := ManageResult{Result: true, Changes: changes}
	if IsFile(s.Name) || IsSymlink(s.Name) {
		return manageExisting(s, r, fc, cachedir)
	}
	if st, err := os.Stat(filepath.Dir(s.Name)); err != nil || !st.IsDir() {
		if !s.Makedirs {
			return failed(r, "Parent directory not present")
		}
		dirMode := s.DirMode
		if dirMode == "" {
			dirMode = DirModeFor(s.Mode)
		}
		if err := Makedirs(s.Name, Perms{User: s.User, Group: s.Group, Mode: dirMode}); err != nil {
			return failed(r, fmt.Sprintf("Failed to commit change: %v", err))
		}
	}
	switch {
	case fc != nil && fc.Source != "":
		r.Changes.Set("diff", "New file")
		if err := WriteFile(s.Name, fc.Data, s.Backup, cachedir); err != nil {
			return failed(r, fmt.Sprintf("Failed to commit change: %v", err))
		}
	case fc != nil:
		if err := touchNew(s.Name, s.Mode); err != nil {
			return failed(r, fmt.Sprintf("File %s not created", s.Name))
		}
		r.Changes.Set("diff", "New file")
		if err := WriteFile(s.Name, fc.Data, s.Backup, cachedir); err != nil {
			return failed(r, fmt.Sprintf("Failed to commit change: %v", err))
		}
	default:
		if err := touchNew(s.Name, s.Mode); err != nil {
			return failed(r, fmt.Sprintf("Empty file %s not created", s.Name))
		}
		r.Changes.Set("new", fmt.Sprintf("file %s created", s.Name))
		r.Comment = "Empty file"
	}
	mode := s.mode(fc)
	if mode == "" {
		mode = UmaskMode()
	}
	ok, fails, _ := CheckPerms(s.Name, Perms{User: s.User, Group: s.Group, Mode: mode}, &r.Changes, false, s.Follow)
	r.Result = ok
	if len(fails) > 0 {
		r.Comment = strings.Join(append(nonEmpty(r.Comment), fails...), "; ")
	}
	if r.Comment == "" {
		r.Comment = "File " + s.Name + " updated"
	} else if len(r.Changes) == 0 && ok {
		r.Comment = "File " + s.Name + " is in the correct state"
	}
	return r
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// touchNew creates an empty file, user read-write only when a mode will
// be set (Salt's set_umask(0o077 if mode else None)).
func touchNew(name, mode string) error {
	perm := os.FileMode(0o666)
	if mode != "" {
		perm = 0o600
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	return f.Close()
}

// manageExisting is manage_file on a file that exists.
func manageExisting(s ManageSpec, r ManageResult, fc *Content, cachedir string) ManageResult {
	link := IsSymlink(s.Name)
	real := s.Name
	if link && s.Follow {
		if p, err := filepath.EvalSymlinks(s.Name); err == nil {
			real = p
		}
	}
	if fc != nil {
		d, err := TextDiff(real, fc.Data)
		if err != nil {
			d = err.Error()
		}
		if d != "" {
			if !s.ShowChanges {
				d = "<show_changes=False>"
			}
			r.Changes.Set("diff", d)
			if err := WriteFile(real, fc.Data, s.Backup, cachedir); err != nil {
				return failed(r, fmt.Sprintf("Failed to commit change: %v", err))
			}
		}
	}
	if link && !s.Follow && fc != nil {
		if err := WriteFile(s.Name, fc.Data, s.Backup, cachedir); err != nil {
			return failed(r, fmt.Sprintf("Failed to commit change: %v", err))
		}
		r.Changes.Set("diff", "Replace symbolic link with regular file")
	}
	ok, fails, _ := CheckPerms(s.Name, Perms{User: s.User, Group: s.Group, Mode: s.mode(fc)}, &r.Changes, false, s.Follow)
	r.Result, r.Comment = ok, strings.Join(fails, "; ")
	if len(r.Changes) > 0 {
		r.Comment = "File " + s.Name + " updated"
	} else if ok {
		r.Comment = "File " + s.Name + " is in the correct state"
	}
	return r
}
