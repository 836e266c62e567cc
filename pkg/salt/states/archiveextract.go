package states

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/salt/internal/archive"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The extraction half of archive.extracted: is it needed, then clean,
// extract, own.

func archiveExtract(ctx context.Context, test bool, s archiveSpec, cached string, ret state.Ret) state.Ret {
	contents, err := archive.List(cached, s.format)
	if err != nil {
		ret.Comment = listFailed(s, cached, err)
		return ret
	}
	if s.enforceTop && (len(contents.TopDirs) > 1 || len(contents.TopFiles) > 0) {
		ret.Comment = fmt.Sprintf("Archive does not have a single top-level directory. To allow this archive to be extracted, set 'enforce_toplevel' to False. To avoid a '%s-bomb' it may also be advisable to set a top-level directory by adding it to the 'name' value (for example, setting 'name' to %s instead of %s).",
			s.format, filepath.Join(s.name, "some_dir"), s.name)
		return ret
	}
	needed, missing, wrong := archiveNeeded(s, contents)
	if len(wrong) > 0 {
		var done bool
		if ret, done = wrongTypes(s, ret, wrong, test); done {
			return ret
		}
		needed = true
	}
	if !needed {
		ret.Result, ret.Comment = &yes, "All files in archive are already present"
		return ret
	}
	if s.sourceHash != "" {
		kind, sum, err := sourceSum(s.sourceHash)
		if err != nil {
			ret.Comment = err.Error()
			return ret
		}
		if !hashMatches(cached, kind, sum) {
			ret.Comment = fmt.Sprintf("%s does not match the desired source_hash %s", s.source, sum)
			return ret
		}
	}
	explain := map[bool]string{true: ", due to absence of one or more files/dirs", false: ""}[missing]
	if test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Archive %s would be extracted to %s", s.source, s.name)
		if s.clean {
			ret.Comment += ", after cleaning destination path(s)"
		}
		ret.Comment += explain
		return ret
	}
	if s.clean {
		var removed []any
		for _, p := range append(append([]string{}, contents.TopDirs...), contents.TopFiles...) {
			full := s.name + p // os.path.join(name, path), name ending in "/"
			if err := os.RemoveAll(strings.TrimSuffix(full, "/")); err != nil {
				ret.Comment = "One or more paths could not be cleaned. The following errors were observed:\n\n- " + err.Error()
				return ret
			}
			removed = append(removed, full)
		}
		ret.Changes.Set("removed", removed)
	}
	return archiveRun(s, cached, contents, ret, explain)
}

// archiveRun extracts and reports what it did.
func archiveRun(s archiveSpec, cached string, contents archive.Contents, ret state.Ret, explain string) state.Ret {
	created := false
	if st, err := os.Stat(s.name); err != nil || !st.IsDir() {
		if err := os.MkdirAll(s.name, 0o755); err != nil {
			ret.Comment = err.Error()
			return ret
		}
		created = true
	}
	files, err := archiveFiles(s, cached, contents)
	if err != nil {
		if created {
			os.RemoveAll(s.name)
		}
		ret.Comment = err.Error()
		return ret
	}
	if s.trim > 0 && len(files) > s.trim {
		files = files[:s.trim]
	}
	if len(files) == 0 {
		ret.Comment = "No files were extracted from " + s.source
		return ret
	}
	if err := archiveOwn(s, contents, &ret); err != nil {
		ret.Comment = err.Error()
		return ret
	}
	if created {
		ret.Changes.Set("directories_created", []any{s.name})
	}
	list := make([]any, len(files))
	for i, f := range files {
		list[i] = f
	}
	ret.Changes.Set("extracted_files", list)
	trim := "False"
	if s.trim > 0 {
		trim = strconv.Itoa(s.trim)
	}
	ret.Result = &yes
	ret.Comment = fmt.Sprintf("%s extracted to %s%s. Output was trimmed to %s number of lines", s.source, s.name, explain, trim)
	return ret
}

// archiveFiles extracts: tar and zip in Go, or with options, tar as
// Salt runs it (tar xv<short options> <long options> -f archive, in
// the destination), its verbose output the files.
func archiveFiles(s archiveSpec, cached string, contents archive.Contents) ([]string, error) {
	if s.format == "zip" {
		if s.options != "" {
			return nil, fmt.Errorf("zip options (unzip) are not supported by this minion")
		}
		return archive.ExtractZip(cached, s.name)
	}
	if s.options == "" {
		return contents.Names, archive.ExtractTar(cached, s.name)
	}
	opts, err := py.ShlexSplit(s.options)
	if err != nil {
		return nil, err
	}
	short, long := "xv", []string{}
	for i, o := range opts {
		switch {
		case o == "v" || o == "-v" || o == "--verbose":
		case strings.HasPrefix(o, "-") || i > 0:
			long = append(long, o)
		default:
			short += strings.NewReplacer("x", "", "f", "").Replace(o)
		}
	}
	// Salt runs it with the destination as its cwd; -C is the same.
	argv := append(append([]string{"tar", short}, long...), "-f", cached, "-C", s.name)
	out, stderr, rc, err := execRunner(context.Background(), argv, nil)
	if err != nil {
		return nil, err
	}
	if rc != 0 {
		return nil, fmt.Errorf("%s", strings.TrimSpace(stderr))
	}
	return py.SplitLines(out), nil
}

// archiveNeeded is the check of the members on disk: extraction is
// needed (overwrite, or one is missing), missing, and those of the wrong
// type.
func archiveNeeded(s archiveSpec, c archive.Contents) (bool, bool, []string) {
	needed, missing := s.overwrite, false
	var wrong []string
	check := func(paths []string, ok func(os.FileMode) bool) {
		for _, p := range paths {
			st, err := os.Lstat(strings.TrimSuffix(filepath.Join(s.name, p), "/"))
			switch {
			case os.IsNotExist(err):
				needed, missing = true, true
			case err == nil && !ok(st.Mode()):
				wrong = append(wrong, p)
			}
		}
	}
	check(c.Dirs, func(m os.FileMode) bool { return m.IsDir() })
	check(c.Files, func(m os.FileMode) bool { return m&os.ModeSymlink == 0 && !m.IsDir() })
	check(c.Links, func(m os.FileMode) bool { return m&os.ModeSymlink != 0 })
	return needed, missing, wrong
}

// wrongTypes handles members that exist as another type: with force
// (or clean) they go; else Salt's comment. done is true with the ret to
// return.
func wrongTypes(s archiveSpec, ret state.Ret, wrong []string, test bool) (state.Ret, bool) {
	lines := make([]string, len(wrong))
	for i, w := range wrong {
		lines[i] = "- " + w
	}
	paths := "\n\n" + strings.Join(lines, "\n")
	ret.Comment = fmt.Sprintf("The below paths (relative to %s) exist, but are the incorrect type (file instead of directory, symlink instead of file, etc.).", s.name)
	if test && s.clean {
		ret.Result = nil
		ret.Comment += " Since the 'clean' option is enabled, the destination paths would be cleared and the archive would be extracted." + paths
		return ret, true
	}
	if s.clean {
		return ret, false
	}
	if !s.force {
		ret.Comment += " To proceed with extraction, set 'force' to True. Note that this will remove these paths before extracting." + paths
		return ret, true
	}
	var removed []any
	for _, w := range wrong {
		full := s.name + w
		if err := os.RemoveAll(strings.TrimSuffix(full, "/")); err != nil {
			ret.Comment = "One or more paths existed by were the incorrect type (i.e. file instead of directory or vice-versa), but could not be removed. The following errors were observed:\n\n- " + err.Error()
			return ret, true
		}
		removed = append(removed, full)
	}
	ret.Comment = ""
	ret.Changes.Set("removed", removed)
	return ret, false
}

// archiveOwn gives the top-level members (recursively) the user and
// group asked for; "updated ownership" when one changed.
func archiveOwn(s archiveSpec, c archive.Contents, ret *state.Ret) error {
	if s.user == "" && s.group == "" {
		return nil
	}
	uid, gid := -1, -1
	if u, err := user.Lookup(s.user); err == nil {
		uid, _ = strconv.Atoi(u.Uid)
	}
	if g, err := user.LookupGroup(s.group); err == nil {
		gid, _ = strconv.Atoi(g.Gid)
	}
	changed := false
	for _, top := range append(append(append([]string{}, c.TopDirs...), c.TopFiles...), c.TopLinks...) {
		err := filepath.Walk(filepath.Join(s.name, top), func(p string, st os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			cu, cg := statOwner(st)
			if (uid != -1 && uid != cu) || (gid != -1 && gid != cg) {
				changed = true
				return os.Lchown(p, uid, gid)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if changed {
		ret.Changes.Set("updated ownership", true)
	}
	return nil
}

// statOwner is a file's uid and gid.
func statOwner(st os.FileInfo) (int, int) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid), int(sys.Gid)
	}
	return -1, -1
}

// listFailed is archive.extracted's comment when the archive cannot be
// listed: the error, where the archive is, and what would let the state
// go on without the list.
func listFailed(s archiveSpec, cached string, err error) string {
	msg := err.Error() + " Additional info follows:\n\narchive location:\n    " + cached
	var workarounds []string
	if s.ifMissing == "" {
		workarounds = append(workarounds, "'if_missing' must be set")
	}
	if s.user != "" || s.group != "" {
		workarounds = append(workarounds, "Ownership cannot be managed without setting 'enforce_ownership_on'.")
	}
	if len(workarounds) == 0 {
		return msg
	}
	msg += "\n\n"
	if s.format == "tar" {
		msg += "If the source archive is a tar archive compressed using a compression type not natively supported by the tar command, then setting the 'list_options' argument may allow the contents to be listed. Otherwise, if Salt is unable to determine the files/directories in the archive, the following workaround(s) would need to be used for this state to proceed"
	} else {
		msg += "The following workarounds must be used for this state to proceed"
	}
	msg += fmt.Sprintf(" (assuming the source file is a valid %s archive):\n", s.format)
	for _, w := range workarounds {
		msg += "\n- " + w
	}
	return msg
}
