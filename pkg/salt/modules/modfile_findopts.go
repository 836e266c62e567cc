package modules

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
)

// The options of salt.utils.find that look at a path's stat, and the
// print and delete actions.

// findTypes is salt.utils.find._FILE_TYPES.
var findTypes = map[rune]uint32{'b': syscall.S_IFBLK, 'c': syscall.S_IFCHR, 'd': syscall.S_IFDIR, 'f': syscall.S_IFREG,
	'l': syscall.S_IFLNK, 'p': syscall.S_IFIFO, 's': syscall.S_IFSOCK}

func typeSet(value string) (map[uint32]bool, error) {
	set := map[uint32]bool{}
	for _, t := range strings.Join(strings.Fields(strings.ReplaceAll(value, ",", "")), "") {
		ft, ok := findTypes[t]
		if !ok {
			return nil, fmt.Errorf(`invalid file type "%c"`, t)
		}
		set[ft] = true
	}
	return set, nil
}

func statCriterion(key, value string) (func(e *findEntry) bool, error) {
	switch key {
	case "type":
		set, err := typeSet(value)
		if err != nil {
			return nil, err
		}
		return func(e *findEntry) bool { return set[e.stat().Mode&syscall.S_IFMT] }, nil
	case "owner", "group":
		ids, err := findIDs(key, value)
		if err != nil {
			return nil, err
		}
		return func(e *findEntry) bool {
			if key == "owner" {
				return ids[int64(e.stat().Uid)]
			}
			return ids[int64(e.stat().Gid)]
		}, nil
	case "size":
		lo, hi, err := parseFindSize(value)
		if err != nil {
			return nil, err
		}
		return func(e *findEntry) bool { return lo <= e.stat().Size && e.stat().Size <= hi }, nil
	}
	since, newer, err := parseFindInterval(value)
	if err != nil {
		return nil, err
	}
	return func(e *findEntry) bool {
		m := stampOf(e.stat().Mtim)
		if newer {
			return m >= since
		}
		return m <= since
	}, nil
}

// findIDs is OwnerOption and GroupOption: numbers, or names (for owner,
// Salt looks up the whole value, not each name: kept).
func findIDs(key, value string) (map[int64]bool, error) {
	ids := map[int64]bool{}
	for _, name := range strings.Fields(strings.ReplaceAll(value, ",", " ")) {
		if n, err := strconv.ParseInt(name, 10, 64); err == nil && n >= 0 {
			ids[n] = true
			continue
		}
		var id string
		if key == "owner" {
			u, err := user.Lookup(value)
			if err != nil {
				return nil, fmt.Errorf(`no such user "%s"`, name)
			}
			id = u.Uid
		} else {
			g, err := user.LookupGroup(name)
			if err != nil {
				return nil, fmt.Errorf(`no such group "%s"`, name)
			}
			id = g.Gid
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		ids[n] = true
	}
	return ids, nil
}

// parseFindSize is _parse_size: "-N" at most, "+N" at least, "N" within
// one unit of N; units b, k, m, g, t.
func parseFindSize(value string) (int64, int64, error) {
	scalar, style := strings.TrimSpace(value), byte('=')
	if scalar != "" && (scalar[0] == '-' || scalar[0] == '+') {
		style, scalar = scalar[0], scalar[1:]
	}
	mult := int64(1)
	if scalar != "" {
		if m, ok := map[byte]int64{'b': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}[strings.ToLower(scalar[len(scalar)-1:])[0]]; ok {
			mult, scalar = m, strings.TrimSpace(scalar[:len(scalar)-1])
		}
	}
	var num int64
	if n, err := strconv.ParseInt(scalar, 10, 64); err == nil {
		num = n * mult
	} else if f, err := strconv.ParseFloat(scalar, 64); err == nil {
		num = int64(f * float64(mult))
	} else {
		return 0, 0, fmt.Errorf(`invalid size: "%s"`, value)
	}
	switch style {
	case '-':
		return 0, num, nil
	case '+':
		return num, math.MaxInt64, nil
	}
	return num, num + mult - 1, nil
}

var findInterval = regexp.MustCompile(`^\s*([+-]?)(?:(\d+(?:\.\d*)?)\s*[wW])?\s*(?:(\d+(?:\.\d*)?)\s*[dD])?\s*(?:(\d+(?:\.\d*)?)\s*[hH])?\s*(?:(\d+(?:\.\d*)?)\s*[mM])?\s*(?:(\d+(?:\.\d*)?)\s*[sS])?\s*$`)

// parseFindInterval is MtimeOption: the time (now less the interval, in
// whole units of its smallest part) and whether files must be newer ("-").
func parseFindInterval(value string) (float64, bool, error) {
	m := findInterval.FindStringSubmatch(value)
	if m == nil {
		return 0, false, fmt.Errorf("invalid time interval: '%s'", value)
	}
	secs, resolution := 0.0, 0.0
	units := []float64{1, 60, 3600, 86400, 604800}
	for i := 0; i <= 4; i++ {
		if s := m[6-i]; s != "" {
			f, _ := strconv.ParseFloat(s, 64)
			secs += f * units[i]
			if resolution == 0 {
				resolution = units[i]
			}
		}
	}
	if resolution == 0 {
		// Salt divides by None here and raises TypeError; nothing matches.
		return 0, false, fmt.Errorf("invalid time interval: '%s'", value)
	}
	since := float64(time.Now().UnixNano())/1e9 - math.Trunc(secs/resolution)*resolution
	return since, m[1] == "-", nil
}

// printAction is PrintOption: the fields asked for (path by default), one
// value alone, several as a list.
func printAction(value string) func(e *findEntry) (any, bool) {
	fields := strings.Fields(strings.ReplaceAll(value, ",", " "))
	if len(fields) == 0 {
		fields = []string{"path"}
	}
	return func(e *findEntry) (any, bool) {
		var out []any
		for _, f := range fields {
			if v, ok := printField(e, f); ok {
				out = append(out, v)
			}
		}
		if len(out) == 1 {
			return out[0], true
		}
		return out, true
	}
}

func printField(e *findEntry, f string) (any, bool) {
	switch f {
	case "path":
		return e.full, true
	case "name":
		return e.name, true
	case "size":
		return e.stat().Size, true
	case "type":
		for k, v := range findTypes {
			if v == e.stat().Mode&syscall.S_IFMT {
				return string(k), true
			}
		}
		return "?", true
	case "mode":
		return int64(e.stat().Mode & 0o777), true
	case "mtime":
		return e.stat().Mtim.Sec, true
	case "user":
		return idName(filemod.UIDToUser(int64(e.stat().Uid))), true
	case "group":
		return idName(filemod.GIDToGroup(int64(e.stat().Gid))), true
	case "md5":
		if e.stat().Mode&syscall.S_IFMT != syscall.S_IFREG {
			return "", true
		}
		sum, err := fileHash(e.full, "md5")
		if err != nil {
			return "", true
		}
		return sum, true
	}
	return nil, false
}

// idName is a user or group name, or the id as a number when unknown.
func idName(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

// deleteAction is DeleteOption's criterion: the types to delete, "a" all.
func deleteAction(value string) (func(e *findEntry) bool, error) {
	if strings.Contains(value, "a") {
		value = "bcdpfls"
	}
	return statCriterion("type", value)
}

func deleteEntry(e *findEntry, test bool) (any, bool) {
	if test {
		return e.full, true
	}
	var err error
	switch {
	case filemod.IsFile(e.full) || filemod.IsSymlink(e.full):
		err = os.Remove(e.full)
	case isDirPath(e.full):
		err = os.RemoveAll(e.full)
	}
	return e.full, err == nil
}

// pyCompare orders find's results as Python's list.sort does: strings
// and numbers by value, lists element by element.
func pyCompare(a, b any) int {
	la, aok := a.([]any)
	lb, bok := b.([]any)
	if aok && bok {
		for i := 0; i < len(la) && i < len(lb); i++ {
			if c := pyCompare(la[i], lb[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(la), len(lb))
	}
	if x, err := pyFloat(a); err == nil {
		if y, err := pyFloat(b); err == nil {
			return cmp.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
