package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.list_backups and file.restore_backup: the copies backup: minion
// keeps under <cachedir>/file_backup (filemod.BackupMinion).

func fileBackupFuncs() []Func {
	return []Func{
		fileFunc("list_backups", []Param{fileReq("path"), fileOpt("limit", nil)}, func(c *Call) (any, error) {
			limit := -1
			if n, ok := intArg(c.Arg("limit")); ok {
				limit = n
			}
			return listBackups(c.bkroot(), c.pathArg("path"), limit), nil
		}),
		fileFunc("restore_backup", []Param{fileReq("path"), fileReq("backup_id")}, fileRestoreBackup),
	}
}

// cachedir is the minion's cachedir option.
func (c *Call) cachedir() string {
	if cfg := c.exec.opts.Config; cfg != nil && cfg.Cachedir != "" {
		return cfg.Cachedir
	}
	return "/var/cache/salt/minion"
}

// bkroot is file._get_bkroot.
func (c *Call) bkroot() string { return filepath.Join(c.cachedir(), "file_backup") }

type backup struct {
	when     time.Time
	size     int64
	location string
}

// listBackups is file.list_backups: newest first, keyed 0, 1, ... (Salt's
// keys are ints; a body.Map's are their strings), at most limit (-1: all).
func listBackups(bkroot, path string, limit int) body.Map {
	dir, base := filepath.Split(path)
	bkdir := filepath.Join(bkroot, strings.TrimPrefix(dir, "/"))
	entries, err := os.ReadDir(bkdir)
	if err != nil {
		return body.Map{}
	}
	var found []backup
	for _, e := range entries {
		loc := filepath.Join(bkdir, e.Name())
		st, err := os.Stat(loc)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		stamp, ok := strings.CutPrefix(e.Name(), base+"_")
		if !ok {
			continue
		}
		if when, ok := parseBackupStamp(stamp); ok {
			found = append(found, backup{when, st.Size(), loc})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].when.After(found[j].when) })
	if limit >= 0 && limit < len(found) {
		found = found[:limit]
	}
	ret := body.Map{}
	for i, b := range found {
		ret = append(ret, body.Item{Key: strconv.Itoa(i), Value: body.Map{
			{Key: "Backup Time", Value: b.when.Format("Mon Jan 02 2006 15:04:05.000000")},
			{Key: "Size", Value: b.size}, {Key: "Location", Value: b.location}}})
	}
	return ret
}

// parseBackupStamp reads backup_minion's "%a_%b_%d_%H:%M:%S_%f_%Y".
func parseBackupStamp(s string) (time.Time, bool) {
	parts := strings.Split(s, "_")
	if len(parts) != 6 || len(parts[4]) == 0 || len(parts[4]) > 6 {
		return time.Time{}, false
	}
	micros, err := strconv.Atoi(parts[4])
	if err != nil {
		return time.Time{}, false
	}
	if len(parts[2]) == 1 {
		parts[2] = "0" + parts[2] // strptime's %d takes one digit too
	}
	t, err := time.ParseInLocation("Mon_Jan_02_15:04:05_2006", strings.Join([]string{parts[0], parts[1], parts[2], parts[3], parts[5]}, "_"), time.Local)
	if err != nil {
		return time.Time{}, false
	}
	for n := len(parts[4]); n < 6; n++ {
		micros *= 10
	}
	return t.Add(time.Duration(micros) * time.Microsecond), true
}

func fileRestoreBackup(c *Call) (any, error) {
	path := c.pathArg("path")
	id := py.Str(c.Arg("backup_id"))
	ret := body.Map{{Key: "result", Value: false}, {Key: "comment", Value: fmt.Sprintf("Invalid backup_id '%s'", id)}}
	n, err := strconv.Atoi(strings.TrimSpace(id))
	if err != nil || len(id) != len(strconv.Itoa(n)) {
		return ret, nil
	}
	b, ok := listBackups(c.bkroot(), path, -1).Get(strconv.Itoa(n))
	if !ok {
		ret.Set("comment", fmt.Sprintf("backup_id '%s' does not exist for %s", id, path))
		return ret, nil
	}
	loc, _ := b.(body.Map).Get("Location")
	if pathExists(path) {
		if err := filemod.BackupMinion(path, c.bkroot(), time.Now()); err != nil {
			return nil, pyOSError(err, path)
		}
	}
	if err := filemod.CopyPath(loc.(string), path); err != nil {
		ret.Set("comment", fmt.Sprintf("Unable to restore %s to %s: %s", loc, path, osErrorText(err, path)))
		return ret, nil
	}
	ret.Set("result", true)
	ret.Set("comment", fmt.Sprintf("Successfully restored %s to %s", loc, path))
	return ret, nil
}
