package states

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.replace of salt/modules/file.py, which the file.replace,
// file.append and file.prepend states call (search is a dry run of it).

// replaceOpts are file.replace's arguments.
type replaceOpts struct {
	pattern, repl               string
	count, flags                int
	appendIfNotFound, prependIf bool
	notFound                    *string
	backup                      string // suffix; "" for none
	dryRun, showChanges         bool
	ignoreIfMissing, backslash  bool
}

// replaceResult is what file.replace returns: the diff (show_changes) or
// whether it changed anything.
type replaceResult struct {
	diff    string
	changed bool
}

// replaceInFile is file.replace.
func replaceInFile(path string, o replaceOpts) (replaceResult, error) {
	if real, err := filepath.EvalSymlinks(expandUser(path)); err == nil {
		path = real
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if o.ignoreIfMissing {
			return replaceResult{}, nil
		}
		return replaceResult{}, fmt.Errorf("File not found: %s", path)
	}
	if !isText(data) {
		return replaceResult{}, fmt.Errorf("Cannot perform string replacements on a binary file: %s", path)
	}
	if o.appendIfNotFound && o.prependIf {
		return replaceResult{}, fmt.Errorf("Only one of append and prepend_if_not_found is permitted")
	}
	re, err := py.CompileFlags(o.pattern, o.flags)
	if err != nil {
		return replaceResult{}, err
	}
	repl := o.repl
	if o.backslash {
		repl = strings.ReplaceAll(repl, `\`, `\\`)
	}
	result, nrepl, err := py.Subn(re, repl, string(data), o.count)
	if err != nil {
		return replaceResult{}, err
	}
	found, changed := nrepl > 0, nrepl > 0 && o.pattern != o.repl
	content := o.repl
	if o.notFound != nil && *o.notFound != "" && (o.appendIfNotFound || o.prependIf) {
		content = *o.notFound
	}
	if o.appendIfNotFound || o.prependIf {
		if cre, err := py.CompileFlags("^"+regexp.QuoteMeta(content)+`($|\r\n)`, o.flags); err == nil && cre.MatchString(string(data)) {
			found = true
		}
	}
	orig, neu := splitLines(string(data)), splitLines(result)
	if equalLines(orig, neu) {
		changed = false
	}
	if !found && (o.appendIfNotFound || o.prependIf) {
		neu = notFoundLines(neu, content, o.prependIf)
		changed = true
	}
	if changed && !o.dryRun {
		if err := rewriteInPlace(path, data, []byte(strings.Join(neu, "")), o.backup); err != nil {
			return replaceResult{}, err
		}
	}
	diff := py.UnifiedDiff(orig, neu)
	if o.showChanges {
		return replaceResult{diff: diff, changed: diff != ""}, nil
	}
	return replaceResult{changed: changed && diff != ""}, nil
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// notFoundLines adds the not-found content at the top or the end.
func notFoundLines(lines []string, content string, prepend bool) []string {
	if prepend {
		return append([]string{content + "\n"}, lines...)
	}
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n"
	}
	return append(lines, content+"\n")
}

// rewriteInPlace writes the new content into the same file (its inode,
// owner and mode kept), first saving the old content as path+backup
// when backup is set.
func rewriteInPlace(path string, old, neu []byte, backup string) error {
	if backup != "" {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path+backup, old, st.Mode().Perm()); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(neu); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// searchFile is file.search(path, pattern, multiline=True).
func searchFile(path, pattern string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	re, err := py.CompileFlags(pattern, py.ReMultiline)
	return err == nil && re.Match(data)
}

// appendLines is file.append: a newline first if the file does not end
// with one, then each line with its own.
func appendLines(path string, lines []string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var add bytes.Buffer
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		add.WriteByte('\n')
	}
	for _, l := range lines {
		add.WriteString(l + "\n")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(add.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
