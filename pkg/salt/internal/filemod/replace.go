package filemod

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

// ReplaceOpts are file.replace's arguments.
type ReplaceOpts struct {
	Pattern, Repl               string
	Count, Flags                int
	AppendIfNotFound, PrependIf bool
	NotFound                    *string
	Backup                      string // suffix; "" for none
	DryRun, ShowChanges         bool
	IgnoreIfMissing, Backslash  bool
}

// ReplaceResult is what file.replace returns: the diff (show_changes) or
// whether it changed anything.
type ReplaceResult struct {
	Diff    string
	Changed bool
}

// Replace is file.replace.
func Replace(path string, o ReplaceOpts) (ReplaceResult, error) {
	if real, err := filepath.EvalSymlinks(ExpandUser(path)); err == nil {
		path = real
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if o.IgnoreIfMissing {
			return ReplaceResult{}, nil
		}
		return ReplaceResult{}, fmt.Errorf("File not found: %s", path)
	}
	if !IsText(data) {
		return ReplaceResult{}, fmt.Errorf("Cannot perform string replacements on a binary file: %s", path)
	}
	if o.AppendIfNotFound && o.PrependIf {
		return ReplaceResult{}, fmt.Errorf("Only one of append and prepend_if_not_found is permitted")
	}
	re, err := py.CompileFlags(o.Pattern, o.Flags)
	if err != nil {
		return ReplaceResult{}, err
	}
	repl := o.Repl
	if o.Backslash {
		repl = strings.ReplaceAll(repl, `\`, `\\`)
	}
	result, nrepl, err := py.Subn(re, repl, string(data), o.Count)
	if err != nil {
		return ReplaceResult{}, err
	}
	found, changed := nrepl > 0, nrepl > 0 && o.Pattern != o.Repl
	content := o.Repl
	if o.NotFound != nil && *o.NotFound != "" && (o.AppendIfNotFound || o.PrependIf) {
		content = *o.NotFound
	}
	if o.AppendIfNotFound || o.PrependIf {
		if cre, err := py.CompileFlags("^"+regexp.QuoteMeta(content)+`($|\r\n)`, o.Flags); err == nil && cre.MatchString(string(data)) {
			found = true
		}
	}
	orig, neu := SplitLines(string(data)), SplitLines(result)
	if equalLines(orig, neu) {
		changed = false
	}
	if !found && (o.AppendIfNotFound || o.PrependIf) {
		neu = notFoundLines(neu, content, o.PrependIf)
		changed = true
	}
	if changed && !o.DryRun {
		if err := RewriteInPlace(path, data, []byte(strings.Join(neu, "")), o.Backup); err != nil {
			return ReplaceResult{}, err
		}
	}
	diff := py.UnifiedDiff(orig, neu)
	if o.ShowChanges {
		return ReplaceResult{Diff: diff, Changed: diff != ""}, nil
	}
	return ReplaceResult{Changed: changed && diff != ""}, nil
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

// RewriteInPlace writes the new content into the same file (its inode,
// owner and mode kept), first saving the old content as path+backup
// when backup is set.
func RewriteInPlace(path string, old, neu []byte, backup string) error {
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

// SearchFile is file.search(path, pattern, multiline=True).
func SearchFile(path, pattern string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	re, err := py.CompileFlags(pattern, py.ReMultiline)
	return err == nil && re.Match(data)
}

// AppendLines is file.append: a newline first if the file does not end
// with one, then each line with its own.
func AppendLines(path string, lines []string) error {
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

// ReFlags is file._get_flags: an int, a flag name, or a list of names.
func ReFlags(v any) (int, error) {
	switch v.(type) {
	case bool, string, nil:
	default:
		if n, err := py.Int(v); err == nil {
			return int(n), nil
		}
	}
	names := []any{v}
	if l, ok := v.([]any); ok {
		names = l
	}
	flags := 0
	for _, n := range names {
		switch strings.ToUpper(py.Str(n)) {
		case "IGNORECASE", "I":
			flags |= py.ReIgnoreCase
		case "MULTILINE", "M":
			flags |= py.ReMultiline
		case "DOTALL", "S":
			flags |= py.ReDotAll
		default:
			return 0, fmt.Errorf("Invalid re flag given: %s", py.Str(n))
		}
	}
	return flags, nil
}
