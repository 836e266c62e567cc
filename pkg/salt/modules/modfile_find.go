package modules

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.find is Salt's salt.utils.find.Finder: criteria (name, iname,
// regex, iregex, type, owner, group, size, mtime, grep) and actions
// (print, delete, exec) given as keyword arguments, applied to every path
// under each match of the path glob.

func fileFindFuncs() []Func {
	find := fileFunc("find", []Param{fileReq("path")}, fileFind)
	find.VarArgs, find.VarKwargs = true, true
	return []Func{
		find,
		fileFunc("diskusage", []Param{fileReq("path")}, fileDiskusage),
	}
}

// findEntry is a path the finder looks at, with its stat (os.stat, or
// os.lstat for a dangling link) once a criterion or action needs it.
type findEntry struct {
	dir, name, full string
	st              *syscall.Stat_t
}

func (e *findEntry) stat() *syscall.Stat_t {
	if e.st == nil {
		e.st = new(syscall.Stat_t)
		if syscall.Stat(e.full, e.st) != nil {
			_ = syscall.Lstat(e.full, e.st)
		}
	}
	return e.st
}

type finder struct {
	criteria           []func(e *findEntry) bool
	actions            []func(e *findEntry) (any, bool)
	mindepth, maxdepth int // maxdepth -1: none
	test               bool
}

func fileFind(c *Call) (any, error) {
	opts := body.Map{}
	for _, it := range c.Kwargs {
		if !strings.HasPrefix(it.Key, "_") {
			opts = append(opts, it)
		}
	}
	for _, a := range c.Args {
		if a == "delete" {
			opts.Set("delete", "f")
			break
		} else if a == "print" {
			opts.Set("print", "path")
			break
		}
	}
	f, err := newFinder(opts)
	var exc *Exception
	if errors.As(err, &exc) {
		return nil, err
	} else if err != nil {
		return "error: " + err.Error(), nil
	}
	matches := pyGlob(c.pathArg("path"))
	ret := []any{}
	for _, p := range matches {
		ret = f.find(p, ret)
	}
	slices.SortStableFunc(ret, pyCompare)
	return ret, nil
}

// newFinder is Finder.__init__: criteria ordered path ones first, then the
// ones that stat, then grep; print path when no action is given.
func newFinder(opts body.Map) (*finder, error) {
	f := &finder{maxdepth: -1}
	var byPath, byStat, byContents []func(e *findEntry) bool
	for _, it := range opts {
		switch it.Key {
		case "mindepth", "maxdepth":
			n, _ := intArg(it.Value)
			if it.Key == "mindepth" {
				f.mindepth = n
			} else {
				f.maxdepth = n
			}
			continue
		case "test":
			f.test = pyTruthy(it.Value)
			continue
		}
		if !pyTruthy(it.Value) {
			return nil, fmt.Errorf(`missing value for "%s" option`, it.Key)
		}
		if !strings.Contains(" name iname regex iregex type owner group size mtime grep print delete exec ", " "+it.Key+" ") {
			return nil, fmt.Errorf(`invalid option "%s"`, it.Key)
		}
		value, ok := it.Value.(string)
		if !ok && it.Key != "mtime" {
			// Salt calls a str method on the value (value.strip(), .replace()).
			method := map[bool]string{true: "strip", false: "replace"}[it.Key == "size" || it.Key == "type"]
			return nil, &Exception{Type: "AttributeError", Msg: fmt.Sprintf("'%s' object has no attribute '%s'", pyTypeName(it.Value), method)}
		}
		if !ok {
			value = py.Str(it.Value)
		}
		switch it.Key {
		case "name", "iname", "regex", "iregex":
			m, err := nameCriterion(it.Key, value)
			if err != nil {
				return nil, err
			}
			byPath = append(byPath, m)
		case "type", "owner", "group", "size", "mtime":
			m, err := statCriterion(it.Key, value)
			if err != nil {
				return nil, err
			}
			byStat = append(byStat, m)
		case "grep":
			re, err := py.CompileFlags(value, 0)
			if err != nil {
				return nil, fmt.Errorf(`invalid regular expression: "%s"`, value)
			}
			byContents = append(byContents, grepCriterion(re))
		case "print":
			f.actions = append(f.actions, printAction(value))
		case "delete":
			m, err := deleteAction(value)
			if err != nil {
				return nil, err
			}
			byStat = append(byStat, m)
			f.actions = append(f.actions, func(e *findEntry) (any, bool) { return deleteEntry(e, f.test) })
		case "exec":
			f.actions = append(f.actions, execAction(value))
		default:
			return nil, fmt.Errorf(`invalid option "%s"`, it.Key)
		}
	}
	if len(f.actions) == 0 {
		f.actions = append(f.actions, printAction(""))
	}
	f.criteria = append(append(byPath, byStat...), byContents...)
	return f, nil
}

// nameCriterion is name and iname (a glob made a regex as Salt makes it)
// and regex and iregex, each re.match'ed against the base name.
func nameCriterion(key, value string) (func(e *findEntry) bool, error) {
	pattern, flags := value, 0
	if key == "name" || key == "iname" {
		pattern = strings.NewReplacer(".", `\.`, "?", ".?", "*", ".*").Replace(value) + "$"
	}
	if key == "iname" || key == "iregex" {
		flags = py.ReIgnoreCase
	}
	re, err := py.CompileFlags(`\A(?:`+pattern+")", flags)
	if err != nil {
		return nil, fmt.Errorf(`invalid regular expression: "%s"`, value)
	}
	return func(e *findEntry) bool { return re.MatchString(e.name) }, nil
}

func grepCriterion(re *regexp.Regexp) func(e *findEntry) bool {
	return func(e *findEntry) bool {
		if e.stat().Mode&syscall.S_IFMT != syscall.S_IFREG {
			return false
		}
		data, err := os.ReadFile(e.full)
		return err == nil && re.Match(data)
	}
}

// find is Finder.find: the path itself (mindepth < 1), then what is under
// it, level by level down to maxdepth; results appended to out.
func (f *finder) find(path string, out []any) []any {
	if f.mindepth < 1 {
		dir, name := filepath.Split(path)
		out = f.visit(&findEntry{dir: dir, name: name, full: path}, out)
	}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		inRange := depth >= f.mindepth && (f.maxdepth < 0 || f.maxdepth >= depth)
		var subdirs []string
		for _, d := range entries {
			full := filepath.Join(dir, d.Name())
			if inRange {
				out = f.visit(&findEntry{dir: dir, name: d.Name(), full: full}, out)
			}
			if d.IsDir() {
				subdirs = append(subdirs, full)
			}
		}
		if f.maxdepth >= 0 && depth > f.maxdepth {
			return
		}
		for _, s := range subdirs {
			walk(s, depth+1)
		}
	}
	if isDirPath(path) && !filemod.IsSymlink(path) {
		walk(path, 1)
	}
	return out
}

func (f *finder) visit(e *findEntry, out []any) []any {
	for _, ok := range f.criteria {
		if !ok(e) {
			return out
		}
	}
	for _, act := range f.actions {
		if v, ok := act(e); ok {
			out = append(out, v)
		}
	}
	return out
}

func fileDiskusage(c *Call) (any, error) {
	p := c.strArg("path")
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		return st.Size(), nil
	}
	seen := map[uint64]bool{}
	var total int64
	_ = filepath.WalkDir(p, func(fp string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		var st syscall.Stat_t
		if syscall.Stat(fp, &st) != nil || st.Mode&syscall.S_IFMT == syscall.S_IFDIR || seen[st.Ino] {
			return nil
		}
		seen[st.Ino] = true
		total += st.Size
		return nil
	})
	return total, nil
}

// execAction is the exec action: the command, {} replaced by the path,
// run; its text and output.
func execAction(command string) func(e *findEntry) (any, bool) {
	return func(e *findEntry) (any, bool) {
		cmd := strings.ReplaceAll(command, "{}", e.full)
		argv, err := py.ShlexSplit(cmd)
		if err != nil || len(argv) == 0 {
			return e.full + ": Failed", true
		}
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil && len(out) == 0 {
			if _, ok := err.(*exec.ExitError); !ok {
				return e.full + ": Failed", true
			}
		}
		return fmt.Sprintf("%s:\n%s\n", cmd, out), true
	}
}

// pyGlob is glob.glob: filepath.Glob less the hidden names a wildcard
// matched, which Python's glob leaves out.
func pyGlob(pattern string) []string {
	matches, _ := filepath.Glob(pattern)
	parts := strings.Split(pattern, "/")
	var out []string
outer:
	for _, m := range matches {
		got := strings.Split(m, "/")
		for i, p := range parts {
			if i < len(got) && strings.ContainsAny(p, "*?[") && !strings.HasPrefix(p, ".") && strings.HasPrefix(got[i], ".") {
				continue outer
			}
		}
		out = append(out, m)
	}
	return out
}
