package modules

import (
	"fmt"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The file functions that write lines and search and replace text.

func fileTextFuncs() []Func {
	lines := func(name string, call func(c *Call, path string, lines []any) (any, error)) Func {
		f := fileFunc(name, []Param{fileReq("path")}, func(c *Call) (any, error) {
			return call(c, c.pathArg("path"), linesArg(c))
		})
		f.VarArgs, f.VarKwargs = true, true
		return f
	}
	return []Func{
		lines("write", fileWrite),
		lines("append", fileAppend),
		lines("prepend", filePrepend),
		fileFunc("contains", []Param{fileReq("path"), fileReq("text")}, fileContains),
		fileFunc("contains_regex", []Param{fileReq("path"), fileReq("regex"), fileOpt("lchar", "")}, fileContainsRegex),
		fileFunc("search", []Param{fileReq("path"), fileReq("pattern"), fileOpt("flags", int64(8)), fileOpt("bufsize", int64(1)),
			fileOpt("ignore_if_missing", false), fileOpt("multiline", false)}, fileSearch),
		fileFunc("replace", []Param{fileReq("path"), fileReq("pattern"), fileReq("repl"), fileOpt("count", int64(0)), fileOpt("flags", int64(8)),
			fileOpt("bufsize", int64(1)), fileOpt("append_if_not_found", false), fileOpt("prepend_if_not_found", false),
			fileOpt("not_found_content", nil), fileOpt("backup", ".bak"), fileOpt("dry_run", false), fileOpt("search_only", false),
			fileOpt("show_changes", true), fileOpt("ignore_if_missing", false), fileOpt("preserve_inode", true),
			fileOpt("backslash_literal", false)}, fileReplace),
	}
}

// linesArg is the lines of write, append and prepend: *args, or the args
// keyword (a list, or one line) when given.
func linesArg(c *Call) []any {
	if v, ok := c.Kwargs.Get("args"); ok {
		if l, ok := v.([]any); ok {
			return l
		}
		return []any{v}
	}
	return c.Args
}

func joinLines(lines []any) string {
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(py.Str(l) + "\n")
	}
	return sb.String()
}

func fileWrite(_ *Call, path string, lines []any) (any, error) {
	if err := os.WriteFile(path, []byte(joinLines(lines)), 0o666); err != nil {
		return nil, pyOSError(err, path)
	}
	return fmt.Sprintf(`Wrote %d lines to "%s"`, len(lines), path), nil
}

// fileAppend is file.append (filemod.AppendLines, as the file.append
// state writes): a newline first when the file does not end with one.
func fileAppend(_ *Call, path string, lines []any) (any, error) {
	strs := make([]string, len(lines))
	for i, l := range lines {
		strs[i] = py.Str(l)
	}
	if err := filemod.AppendLines(path, strs); err != nil {
		return nil, pyOSError(err, path)
	}
	return fmt.Sprintf(`Wrote %d lines to "%s"`, len(lines), path), nil
}

// filePrepend is file.prepend: a missing file is made.
func filePrepend(_ *Call, path string, lines []any) (any, error) {
	old, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append([]byte(joinLines(lines)), old...), 0o666); err != nil {
		return nil, pyOSError(err, path)
	}
	return fmt.Sprintf(`Prepended %d lines to "%s"`, len(lines), path), nil
}

// fileContains is file.contains: the text, stripped, is in the file.
func fileContains(c *Call) (any, error) {
	data, err := os.ReadFile(c.pathArg("path"))
	if err != nil {
		return false, nil
	}
	return strings.Contains(string(data), strings.TrimSpace(py.Str(c.Arg("text")))), nil
}

// fileContainsRegex is file.contains_regex: a line, lchar stripped from
// its start, that re.search finds the regex in.
func fileContainsRegex(c *Call) (any, error) {
	data, err := os.ReadFile(c.pathArg("path"))
	if err != nil {
		return false, nil
	}
	re, err := py.CompileFlags(c.strArg("regex"), 0)
	if err != nil {
		return nil, reError(err)
	}
	lchar := c.strArg("lchar")
	for _, line := range filemod.SplitLines(string(data)) {
		if lchar != "" {
			line = strings.TrimLeft(line, lchar)
		}
		if re.MatchString(line) {
			return true, nil
		}
	}
	return false, nil
}

// reError is a pattern Python's re rejects (or that has no Go
// equivalent), reported as the re.error Salt would raise.
func reError(err error) error { return &Exception{Type: "re.error", Msg: err.Error()} }

func fileSearch(c *Call) (any, error) {
	flags, err := filemod.ReFlags(c.Arg("flags"))
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if pyTruthy(c.Arg("multiline")) {
		flags |= py.ReMultiline
	}
	return replaceSearch(c.pathArg("path"), c.strArg("pattern"), flags, pyTruthy(c.Arg("ignore_if_missing")))
}

// replaceSearch is file.replace(search_only=True).
func replaceSearch(path, pattern string, flags int, ignoreMissing bool) (any, error) {
	path, data, err := replaceTarget(path)
	if data == nil {
		if err == nil && ignoreMissing {
			return false, nil
		}
		if err == nil {
			err = invocationErr("File not found: %s", path)
		}
		return nil, err
	}
	re, err := py.CompileFlags(pattern, flags)
	if err != nil {
		return nil, reError(err)
	}
	return re.Match(data), nil
}

// replaceTarget is the file file.replace works on: symlinks resolved; no
// data and no error when it is missing, an error when it is binary.
func replaceTarget(path string) (string, []byte, error) {
	path = pyRealpath(path)
	data, err := os.ReadFile(path)
	if err != nil {
		if pathExists(path) {
			return path, nil, cmdErr("Unable to open file '%s'. Exception: %s", path, osErrorText(err, path))
		}
		return path, nil, nil
	}
	if !filemod.IsText(data) {
		return path, nil, invocationErr("Cannot perform string replacements on a binary file: %s", path)
	}
	return path, data, nil
}

func fileReplace(c *Call) (any, error) {
	flags, err := filemod.ReFlags(c.Arg("flags"))
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	appendIf, prependIf := pyTruthy(c.Arg("append_if_not_found")), pyTruthy(c.Arg("prepend_if_not_found"))
	if pyTruthy(c.Arg("search_only")) {
		if appendIf || prependIf {
			return nil, invocationErr("search_only cannot be used with append/prepend_if_not_found")
		}
		return replaceSearch(c.pathArg("path"), c.strArg("pattern"), flags, pyTruthy(c.Arg("ignore_if_missing")))
	}
	path, data, err := replaceTarget(c.pathArg("path"))
	if data == nil {
		if err == nil && pyTruthy(c.Arg("ignore_if_missing")) {
			return false, nil
		}
		if err == nil {
			err = invocationErr("File not found: %s", path)
		}
		return nil, err
	}
	if appendIf && prependIf {
		return nil, invocationErr("Only one of append and prepend_if_not_found is permitted")
	}
	count, _ := intArg(c.Arg("count"))
	o := filemod.ReplaceOpts{Pattern: c.strArg("pattern"), Repl: c.strArg("repl"), Count: count, Flags: flags,
		AppendIfNotFound: appendIf, PrependIf: prependIf, DryRun: pyTruthy(c.Arg("dry_run")),
		ShowChanges: pyTruthy(c.Arg("show_changes")), Backslash: pyTruthy(c.Arg("backslash_literal"))}
	if pyTruthy(c.Arg("backup")) {
		o.Backup = c.strArg("backup")
	}
	if v := c.Arg("not_found_content"); pyTruthy(v) {
		s := py.Str(v)
		o.NotFound = &s
	}
	res, err := filemod.Replace(path, o)
	if err != nil {
		return nil, reError(err)
	}
	if o.ShowChanges {
		return res.Diff, nil
	}
	return res.Changed, nil
}
