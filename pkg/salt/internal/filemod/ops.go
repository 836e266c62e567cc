package filemod

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// This file holds the file operations Salt's file execution module does
// for the file states (salt/modules/file.py, salt/utils/files.py): stats,
// permissions, diffs, copying into place with backups. They are here, in
// one place, so that the file execution module can share them.

// Stats is file.stats: the owner, group and mode of a path.
type Stats struct {
	User, Group string
	UID, GID    int64
	Mode        string // normalize_mode of the permission bits: "0644"
}

// Stat is file.stats; follow is follow_symlinks.
func Stat(path string, follow bool) (Stats, error) {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	st, err := stat(path)
	if err != nil {
		return Stats{}, err
	}
	sys, _ := st.Sys().(*syscall.Stat_t)
	var s Stats
	if sys != nil {
		s.UID, s.GID = int64(sys.Uid), int64(sys.Gid)
	}
	s.User, s.Group = UIDToUser(s.UID), GIDToGroup(s.GID)
	s.Mode = NormalizeMode(strconv.FormatUint(uint64(UnixMode(st.Mode())), 8))
	return s, nil
}

// UnixMode is the permission bits with setuid, setgid and sticky as the
// kernel has them (S_IMODE).
func UnixMode(m os.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// GoMode is the inverse of unixMode.
func GoMode(u uint32) os.FileMode {
	m := os.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

// UIDToUser is file.uid_to_user: the name, or the uid itself when unknown.
func UIDToUser(uid int64) string {
	if u, err := user.LookupId(strconv.FormatInt(uid, 10)); err == nil {
		return u.Username
	}
	return strconv.FormatInt(uid, 10)
}

func GIDToGroup(gid int64) string {
	if g, err := user.LookupGroupId(strconv.FormatInt(gid, 10)); err == nil {
		return g.Name
	}
	return strconv.FormatInt(gid, 10)
}

// UserToUID is file.user_to_uid; ok is false for an unknown user.
func UserToUID(name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, true
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(u.Uid)
	return n, err == nil
}

func GroupToGID(name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, true
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(g.Gid)
	return n, err == nil
}

// CheckUser is the file states' _check_user: "" when the user and group
// exist (always "" under test=True, where Salt only logs it).
func CheckUser(usr, grp string, test bool) string {
	var err string
	if usr != "" {
		if _, ok := UserToUID(usr); !ok {
			err += fmt.Sprintf("User %s is not available ", usr)
		}
	}
	if grp != "" {
		if _, ok := GroupToGID(grp); !ok {
			err += fmt.Sprintf("Group %s is not available", grp)
		}
	}
	if test {
		return ""
	}
	return err
}

// NormalizeMode is salt.utils.files.normalize_mode: "644", 644, "0o644"
// and "00644" are all "0644"; "" stays "" (None).
func NormalizeMode(mode string) string {
	if mode == "" {
		return ""
	}
	mode = strings.ReplaceAll(mode, "0o", "0")
	mode = strings.TrimLeft(strings.Trim(strings.Trim(mode, `"`), "'"), "0")
	for len(mode) < 4 {
		mode = "0" + mode
	}
	return mode
}

// ModeArg is a mode argument as normalize_mode sees it ("" for None).
func ModeArg(v any) string {
	if v == nil {
		return ""
	}
	return NormalizeMode(py.Str(v))
}

// ParseMode is the octal value of a normalized mode.
func ParseMode(mode string) (uint32, error) {
	n, err := strconv.ParseUint(mode, 8, 32)
	return uint32(n), err
}

// Perms is what check_perms is asked for: "" means not managed.
type Perms struct{ User, Group, Mode string }

// CheckPerms is file.check_perms: it sets the owner, group and mode that
// differ (not under test), then records in changes what changed (or, under
// test, what would) and in the comments what failed. It returns the mode
// the path had before (perms["lmode"]).
func CheckPerms(path string, want Perms, changes *body.Map, test, follow bool) (ok bool, failures []string, lmode string) {
	cur, err := Stat(path, follow)
	if err != nil {
		return false, []string{err.Error()}, ""
	}
	isLink := !follow && IsSymlink(path)
	cuser := want.User != "" && want.User != cur.User && want.User != strconv.FormatInt(cur.UID, 10)
	cgroup := want.Group != "" && want.Group != cur.Group && want.Group != strconv.FormatInt(cur.GID, 10)
	ok = true
	if (cuser || cgroup) && !test {
		if err := chownPath(path, want, cur, isLink); err != nil {
			ok = false
		}
	}
	cmode := false
	if want.Mode != "" && !test && !isLink && want.Mode != cur.Mode {
		cmode = true
		if m, err := ParseMode(want.Mode); err == nil {
			_ = os.Chmod(path, GoMode(m))
		}
	}
	post, _ := Stat(path, follow)
	verify := func(key, w string, changed bool, differs bool) {
		switch {
		case differs && test:
			changes.Set(key, w)
		case differs:
			ok = false
			failures = append(failures, fmt.Sprintf("Failed to change %s to %s", key, w))
		case changed:
			changes.Set(key, w)
		}
	}
	if want.User != "" {
		verify("user", want.User, cuser, want.User != post.User && want.User != strconv.FormatInt(post.UID, 10))
	}
	if want.Group != "" {
		verify("group", want.Group, cgroup, want.Group != post.Group && want.Group != strconv.FormatInt(post.GID, 10))
	}
	if want.Mode != "" && !isLink {
		verify("mode", want.Mode, cmode, want.Mode != post.Mode)
	}
	return ok, failures, cur.Mode
}

// chownPath changes owner and group (the current ones where not given),
// then puts the mode back, since chown clears setuid and setgid.
func chownPath(path string, want Perms, cur Stats, isLink bool) error {
	uid, gid := int(cur.UID), int(cur.GID)
	if want.User != "" {
		u, ok := UserToUID(want.User)
		if !ok {
			return fmt.Errorf("user %s does not exist", want.User)
		}
		uid = u
	}
	if want.Group != "" {
		g, ok := GroupToGID(want.Group)
		if !ok {
			return fmt.Errorf("group %s does not exist", want.Group)
		}
		gid = g
	}
	if isLink {
		return os.Lchown(path, uid, gid)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return err
	}
	m, _ := ParseMode(cur.Mode)
	return os.Chmod(path, GoMode(m))
}

func IsSymlink(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode()&os.ModeSymlink != 0
}

func IsFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func Exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// IsText is salt.utils.files.is_text on the first 512 bytes.
func IsText(block []byte) bool {
	block = block[:min(len(block), 512)]
	if bytes.IndexByte(block, 0) >= 0 {
		return false
	}
	if len(block) == 0 || utf8.Valid(block) {
		return true
	}
	nontext := 0
	for _, b := range block {
		if !(b >= 32 && b < 127 || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == '\b') {
			nontext++
		}
	}
	return float64(nontext)/float64(len(block)) <= 0.30
}

// TextDiff is file.get_diff of the file at path (absent: empty) and the
// new content: "" when they are the same, Salt's "Replace binary file"
// forms when either is binary, else the unified diff.
func TextDiff(path string, newText []byte) (string, error) {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("Failed to read %s: %v", path, err)
	}
	if bytes.Equal(old, newText) {
		return "", nil
	}
	oldBin, newBin := !IsText(old), !IsText(newText)
	switch {
	case oldBin && newBin:
		return "Replace binary file", nil
	case oldBin:
		return "Replace binary file with text file", nil
	case newBin:
		return "Replace text file with binary file", nil
	}
	return py.UnifiedDiff(SplitLines(string(old)), SplitLines(string(newText))), nil
}

// WriteFile is salt.utils.files.copyfile of new content to dest: written
// to a temporary file beside dest and moved into place; an existing
// dest keeps its owner and mode, and is first backed up when backup is
// "minion" or "both" (to <cachedir>/file_backup). A new dest has mode
// 0600, as mkstemp makes it; the caller sets the mode it wants.
func WriteFile(dest string, content []byte, backup, cachedir string) error {
	tmp, err := os.CreateTemp(filepath.Dir(dest), filepath.Base(dest))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	st, statErr := os.Stat(dest)
	if statErr == nil && (backup == "minion" || backup == "both") && cachedir != "" {
		if err := BackupMinion(dest, filepath.Join(cachedir, "file_backup"), time.Now()); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return err
	}
	if statErr == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			_ = os.Chown(dest, int(sys.Uid), int(sys.Gid))
		}
		return os.Chmod(dest, st.Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky))
	}
	return nil
}

// BackupMinion is salt.utils.files.backup_minion: a copy of path at
// <bkroot>/<dir>/<name>_<Day_Mon_DD_HH:MM:SS_micros_YYYY>.
func BackupMinion(path, bkroot string, now time.Time) error {
	dir, name := filepath.Split(path)
	stamp := now.Format("Mon_Jan_02_15:04:05_") + fmt.Sprintf("%06d", now.Nanosecond()/1000) + now.Format("_2006")
	bk := filepath.Join(bkroot, strings.TrimPrefix(dir, "/"), name+"_"+stamp)
	if err := os.MkdirAll(filepath.Dir(bk), 0o755); err != nil {
		return err
	}
	if err := CopyPath(path, bk); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		_ = os.Chown(bk, int(sys.Uid), int(sys.Gid))
	}
	return os.Chmod(bk, st.Mode())
}

// CopyPath is shutil.copyfile: contents only.
func CopyPath(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Makedirs is file.makedirs_ for the parent directories of path: each
// directory made gets the user, group and mode given.
func Makedirs(path string, want Perms) error {
	dir := filepath.Dir(path)
	var made []string
	for d := dir; !Exists(d); d = filepath.Dir(d) {
		made = append([]string{d}, made...)
		if d == filepath.Dir(d) {
			break
		}
	}
	for _, d := range made {
		if err := os.Mkdir(d, 0o777); err != nil && !os.IsExist(err) {
			return err
		}
		var ch body.Map
		CheckPerms(d, want, &ch, false, true)
	}
	return nil
}

// UmaskMode is the mode a new file gets under the process umask, as
// oct((0o777 ^ mask) & 0o666).
// The umask is read from /proc, since setting it to read it back would
// race with files other goroutines create.
func UmaskMode() string {
	mask := 0o022
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					mask = int(n)
				}
			}
		}
	}
	return NormalizeMode(strconv.FormatUint(uint64((0o777^mask)&0o666), 8))
}

// DirModeFor is the mode of directories makedirs creates when dir_mode
// is not given: the file mode's last three digits, each non-zero one
// with its execute bit, so that the directories can be listed.
func DirModeFor(mode string) string {
	if mode == "" {
		return ""
	}
	digits := []byte(mode[max(0, len(mode)-3):])
	for i, d := range digits {
		if d != '0' && d >= '0' && d <= '7' {
			digits[i] = '0' + (d - '0') | 1
		}
	}
	return NormalizeMode(string(digits))
}

// ExpandUser is os.path.expanduser.
func ExpandUser(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

// TimeStamp is time.strftime("%Y-%m-%d-%H-%M-%S") in local time, the
// suffix of file.line's backups.
func TimeStamp() string { return time.Now().Format("2006-01-02-15-04-05") }

// SplitLines is Python's readlines(): lines keep their "\n"; the last
// has none when the text does not end with one.
func SplitLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Move is shutil.move: a rename, or a copy and remove across
// filesystems.
func Move(src, dst string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	if err := exec.Command("cp", "-a", "--", src, dst).Run(); err != nil {
		return err
	}
	return os.RemoveAll(src)
}
