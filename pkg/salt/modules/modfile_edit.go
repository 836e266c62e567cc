package modules

import (
	"fmt"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The file functions that edit lines and blocks: line, blockreplace,
// comment_line, uncomment, sed and psed.

func fileEditFuncs() []Func {
	return []Func{
		fileFunc("line", []Param{fileReq("path"), fileOpt("content", nil), fileOpt("match", nil), fileOpt("mode", nil), fileOpt("location", nil),
			fileOpt("before", nil), fileOpt("after", nil), fileOpt("show_changes", true), fileOpt("backup", false), fileOpt("quiet", false),
			fileOpt("indent", true)}, fileLine),
		fileFunc("blockreplace", []Param{fileReq("path"), fileOpt("marker_start", "#-- start managed zone --"),
			fileOpt("marker_end", "#-- end managed zone --"), fileOpt("content", ""), fileOpt("append_if_not_found", false),
			fileOpt("prepend_if_not_found", false), fileOpt("backup", ".bak"), fileOpt("dry_run", false), fileOpt("show_changes", true),
			fileOpt("append_newline", false), fileOpt("insert_before_match", nil), fileOpt("insert_after_match", nil)}, fileBlockreplace),
		fileFunc("comment_line", []Param{fileReq("path"), fileReq("regex"), fileOpt("char", "#"), fileOpt("cmnt", true), fileOpt("backup", ".bak")},
			func(c *Call) (any, error) {
				return commentLine(c.pathArg("path"), c.strArg("regex"), c.strArg("char"), pyTruthy(c.Arg("cmnt")), c.Arg("backup"))
			}),
		fileFunc("uncomment", []Param{fileReq("path"), fileReq("regex"), fileOpt("char", "#"), fileOpt("backup", ".bak")},
			func(c *Call) (any, error) {
				return commentLine(c.pathArg("path"), c.strArg("regex"), c.strArg("char"), false, c.Arg("backup"))
			}),
		fileFunc("sed", []Param{fileReq("path"), fileReq("before"), fileReq("after"), fileOpt("limit", ""), fileOpt("backup", ".bak"),
			fileOpt("options", "-r -e"), fileOpt("flags", "g"), fileOpt("escape_all", false), fileOpt("negate_match", false)}, fileSed),
		fileFunc("psed", []Param{fileReq("path"), fileReq("before"), fileReq("after"), fileOpt("limit", ""), fileOpt("backup", ".bak"),
			fileOpt("flags", "gMS"), fileOpt("escape_all", false), fileOpt("multi", false)}, filePsed),
	}
}

// optArg is an argument that may be None: nil for None.
func optArg(c *Call, name string) *string {
	v := c.Arg(name)
	if v == nil {
		return nil
	}
	s := py.Str(v)
	return &s
}

func fileLine(c *Call) (any, error) {
	path := pyRealpath(c.pathArg("path"))
	if !filemod.IsFile(path) {
		if !pyTruthy(c.Arg("quiet")) {
			return nil, cmdErr(`File "%s" does not exists or is not a file.`, path)
		}
		return false, nil
	}
	mode := optArg(c, "mode")
	switch {
	case mode == nil || *mode == "":
		return nil, cmdErr("Mode was not defined. How to process the file?")
	case !strings.Contains(" insert ensure delete replace ", " "+strings.ToLower(*mode)+" "):
		return nil, cmdErr(`Unknown mode: "%s"`, *mode)
	}
	o := filemod.LineOpts{Content: optArg(c, "content"), Match: optArg(c, "match"), Before: optArg(c, "before"),
		After: optArg(c, "after"), Mode: strings.ToLower(*mode), Indent: pyTruthy(c.Arg("indent"))}
	if l := optArg(c, "location"); l != nil {
		o.Location = *l
	}
	if o.Mode != "delete" && o.Content == nil {
		return nil, cmdErr(`Content can only be empty if mode is "delete"`)
	}
	showChanges := pyTruthy(c.Arg("show_changes"))
	diff, changed, err := filemod.Line(path, o, showChanges, pyTruthy(c.Arg("backup")), false)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if showChanges && diff != "" {
		return diff, nil
	}
	return changed, nil
}

func fileBlockreplace(c *Call) (any, error) {
	before, after := c.Arg("insert_before_match"), c.Arg("insert_after_match")
	n := 0
	for _, b := range []bool{pyTruthy(c.Arg("append_if_not_found")), pyTruthy(c.Arg("prepend_if_not_found")), pyTruthy(before), pyTruthy(after)} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, invocationErr("Only one of append_if_not_found, prepend_if_not_found, insert_before_match, and insert_after_match is permitted")
	}
	path := c.pathArg("path")
	if !pathExists(path) {
		return nil, invocationErr("File not found: %s", path)
	}
	for _, m := range []struct {
		v    any
		name string
	}{{before, "insert_before_match"}, {after, "insert_after_match"}} {
		if _, ok := m.v.(string); pyTruthy(m.v) && !ok {
			return nil, cmdErr("RegEx expected in %s parameter.", m.name)
		}
	}
	o := filemod.BlockOpts{Start: c.strArg("marker_start"), End: c.strArg("marker_end"), Content: c.strArg("content"),
		AppendIf: pyTruthy(c.Arg("append_if_not_found")), PrependIf: pyTruthy(c.Arg("prepend_if_not_found")),
		Before: c.strArg("insert_before_match"), After: c.strArg("insert_after_match"), DryRun: pyTruthy(c.Arg("dry_run"))}
	if nl := c.Arg("append_newline"); nl != nil {
		b := pyTruthy(nl)
		o.AppendNewline = &b
	}
	if b := c.Arg("backup"); b != false {
		o.Backup = py.Str(b)
	}
	diff, err := filemod.BlockReplace(path, o)
	if err != nil {
		if strings.HasPrefix(err.Error(), "Cannot perform string replacements") || strings.HasPrefix(err.Error(), "File not found") {
			return nil, invocationErr("%v", err)
		}
		return nil, cmdErr("%v", err)
	}
	if pyTruthy(c.Arg("show_changes")) {
		return diff, nil
	}
	return diff != "", nil
}

// commentLine is file.comment_line (and, with cmnt false, uncomment):
// the lines re.match finds the regex at the start of get char added (or
// stripped); the diff of those lines, or False when there are none.
func commentLine(path, regex, char string, cmnt bool, backup any) (any, error) {
	inner := strings.TrimRight(strings.TrimLeft(regex, "^"), "$")
	var pattern string
	switch {
	case cmnt:
		pattern = "(" + inner + ")"
		if strings.HasPrefix(regex, "^") {
			pattern = "^" + pattern
		}
	default:
		pattern = "^" + char + `\s*(` + inner + ")"
	}
	if strings.HasSuffix(regex, "$") {
		pattern += "$"
	}
	path = pyRealpath(path)
	if !filemod.IsFile(path) {
		return nil, invocationErr("File not found: %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, cmdErr("Unable to open file '%s'. Exception: %s", path, osErrorText(err, path))
	}
	if !filemod.IsText(data) {
		return nil, invocationErr("Cannot perform string replacements on a binary file: %s", path)
	}
	re, err := py.CompileFlags(`\A(?:`+pattern+")", 0)
	if err != nil {
		return nil, reError(err)
	}
	var orig, changed, out []string
	for _, line := range filemod.SplitLines(string(data)) {
		if re.MatchString(line) {
			neu := char + line
			if !cmnt {
				neu = strings.TrimLeft(line, char)
			}
			orig, changed = append(orig, line), append(changed, neu)
			line = neu
		}
		out = append(out, line)
	}
	if len(orig) == 0 {
		return false, nil
	}
	suffix := ""
	if pyTruthy(backup) {
		suffix = py.Str(backup)
	}
	if err := filemod.RewriteInPlace(path, data, []byte(strings.Join(out, "")), suffix); err != nil {
		return nil, cmdErr("Exception: %s", osErrorText(err, path))
	}
	return py.UnifiedDiff(orig, changed), nil
}

// sedEsc is file._sed_esc: quotes and slashes escaped for a sed script,
// and with escapeAll the regex specials too.
func sedEsc(s string, escapeAll bool) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "'", `'"'"'`), "/", `\/`)
	if escapeAll {
		for _, ch := range "^.[$()|*+?{" {
			s = strings.ReplaceAll(s, string(ch), `\`+string(ch))
		}
	}
	return s
}

// fileSed is file.sed: sed -i run through cmd.run_all, whose return it is;
// False when the file does not exist.
func fileSed(c *Call) (any, error) {
	path := c.pathArg("path")
	if !pathExists(path) {
		return false, nil
	}
	esc := c.Arg("escape_all") == true
	before, after, limit := sedEsc(c.strArg("before"), esc), sedEsc(c.strArg("after"), esc), sedEsc(c.strArg("limit"), esc)
	argv := []any{"sed", "-i"}
	if b := c.strArg("backup"); pyTruthy(c.Arg("backup")) {
		argv[1] = "-i" + b
	}
	opts, err := py.ShlexSplit(c.strArg("options"))
	if err != nil {
		return nil, &Exception{Type: "ValueError", Msg: err.Error()}
	}
	for _, o := range opts {
		argv = append(argv, o)
	}
	script := ""
	if limit != "" {
		script = "/" + limit + "/ "
	}
	if pyTruthy(c.Arg("negate_match")) {
		script += "!"
	}
	script += fmt.Sprintf("s/%s/%s/%s", before, after, c.strArg("flags"))
	argv = append(argv, script, path)
	return c.callFunc("cmd.run_all", argv, body.Map{{Key: "python_shell", Value: false}})
}

// callFunc runs another built-in function as __salt__[fun] would, within
// this job; the retcode it sets is this job's.
func (c *Call) callFunc(fun string, args ...any) (any, error) {
	c.exec.mu.RLock()
	f, ok := c.exec.funcs[fun]
	c.exec.mu.RUnlock()
	if !ok {
		return nil, &Exception{Type: "KeyError", Msg: py.Quote(fun)}
	}
	var pos []any
	for _, a := range args {
		if m, ok := a.(body.Map); ok {
			pos = append(pos, append(body.Map{{Key: "__kwarg__", Value: true}}, m...))
			continue
		}
		pos = append(pos, a)
	}
	sub := &Call{Ctx: c.Ctx, Fun: fun, exec: c.exec}
	ret, err := c.exec.invoke(f, sub, pos)
	c.retcode = sub.retcode
	return ret, err
}

// filePsed is file.psed: sed's substitution with Python's re on the whole
// file, the original kept as path+backup; None.
func filePsed(c *Call) (any, error) {
	path := c.pathArg("path")
	esc := c.Arg("escape_all") == true
	before, after, limit := sedEsc(c.strArg("before"), esc), c.strArg("after"), sedEsc(c.strArg("limit"), esc)
	bk := path + c.strArg("backup")
	if bk == path {
		return nil, &Exception{Type: "shutil.SameFileError", Msg: py.Quote(path) + " and " + py.Quote(bk) + " are the same file"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, pyOSError(err, path)
	}
	text := string(data)
	if pyTruthy(c.Arg("multi")) {
		// Salt iterates over ifile.readline(): the first line's characters.
		var sb strings.Builder
		first, _, _ := strings.Cut(text, "\n")
		if len(first) < len(text) {
			first += "\n"
		}
		for _, ch := range first {
			out, err := psedText(string(ch), before, after, limit, c.strArg("flags"))
			if err != nil {
				return nil, err
			}
			sb.WriteString(out)
		}
		text = sb.String()
	} else if text, err = psedText(text, before, after, limit, c.strArg("flags")); err != nil {
		return nil, err
	}
	if err := filemod.CopyPath(path, bk); err != nil {
		return nil, pyOSError(err, bk)
	}
	if st, err := os.Stat(path); err == nil {
		_ = os.Chmod(bk, st.Mode())
	}
	if err := os.WriteFile(path, []byte(text), 0o666); err != nil {
		return nil, pyOSError(err, path)
	}
	return nil, nil
}

// psedText is file._psed: re.sub with the flags' letters (g for every
// match, else the first).
func psedText(text, before, after, limit, flags string) (string, error) {
	if limit != "" {
		// text.split(re.compile(limit)) in Salt.
		return "", &Exception{Type: "TypeError", Msg: "must be str or None, not re.Pattern"}
	}
	count := 1
	if strings.Contains(flags, "g") {
		count, flags = 0, strings.ReplaceAll(flags, "g", "")
	}
	reFlags := 0
	for _, f := range flags {
		switch f {
		case 'I':
			reFlags |= py.ReIgnoreCase
		case 'M':
			reFlags |= py.ReMultiline
		case 'S':
			reFlags |= py.ReDotAll
		case 'U':
		case 'L':
			return "", &Exception{Type: "ValueError", Msg: "cannot use LOCALE flag with a str pattern"}
		default:
			return "", &Exception{Type: "KeyError", Msg: py.Quote(string(f))}
		}
	}
	re, err := py.CompileFlags(before, reFlags)
	if err != nil {
		return "", reError(err)
	}
	out, _, err := py.Subn(re, after, text, count)
	if err != nil {
		return "", reError(err)
	}
	return out, nil
}
