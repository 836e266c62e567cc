package states

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.line (salt/states/file.py line, salt/modules/file.py line and
// _set_line).

// lineOpts are file.line's arguments; nil pointers are None.
type lineOpts struct {
	content, match, before, after *string
	mode, location                string
	indent                        bool
}

func fileLine(ctx context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.line")
	}
	margs := body.Map{{Key: "create", Value: a.boolean("create", false)}, {Key: "user", Value: a.get("user")},
		{Key: "group", Value: a.get("group")}, {Key: "mode", Value: a.get("file_mode")}, {Key: "replace", Value: false}}
	fileManaged(ctx, &state.Call{Low: &state.Low{State: "file", Fun: "managed", Name: name, Args: margs}, Test: c.Test, Env: c.Env})
	if msg := checkFile(name); msg != "" {
		return errRet(ret, msg)
	}
	o := lineOpts{content: optStr(a, "content"), match: optStr(a, "match"), before: optStr(a, "before"), after: optStr(a, "after"),
		mode: strings.ToLower(a.str("mode", "")), location: a.str("location", ""), indent: a.boolean("indent", true)}
	if o.mode == "" {
		return errRet(ret, "Mode was not defined. How to process the file?")
	}
	if o.mode != "delete" && o.content == nil {
		return errRet(ret, "Content can only be empty if mode is ['delete']")
	}
	diff, changed, err := lineEdit(name, o, a.boolean("show_changes", true), a.boolean("backup", false), c.Test)
	if err != nil {
		return errRet(ret, exception(err))
	}
	if !changed {
		ret.Comment = "No changes needed to be made"
		return ret
	}
	if diff != "" {
		ret.Changes.Set("diff", diff)
	} else {
		ret.Changes.Set("diff", true)
	}
	ret.Comment = "Changes were made"
	if c.Test {
		ret.Result, ret.Comment = nil, "Changes would be made"
	}
	return ret
}

func optStr(a args, key string) *string {
	if !a.has(key) {
		return nil
	}
	s := a.str(key, "")
	return &s
}

// lineEdit is file.line: the diff (show_changes) and whether the file
// changed; the file is written unless test.
func lineEdit(path string, o lineOpts, showChanges, backup, test bool) (string, bool, error) {
	if real, err := filepath.EvalSymlinks(expandUser(path)); err == nil {
		path = real
	}
	data, err := os.ReadFile(path)
	if err != nil || !isFile(path) {
		return "", false, fmt.Errorf(`File "%s" does not exists or is not a file.`, path)
	}
	switch o.mode {
	case "insert", "ensure", "delete", "replace":
	default:
		return "", false, fmt.Errorf(`Unknown mode: "%s"`, o.mode)
	}
	if o.before == nil && o.after == nil && (o.match == nil || *o.match == "") {
		o.match = o.content
	}
	lines := splitLines(string(data))
	if len(lines) > 0 && lineEOL(lines[len(lines)-1]) != "" {
		lines = append(lines, "")
	}
	if len(data) == 0 && (o.mode == "delete" || o.mode == "replace") {
		lines = nil
	}
	lines, err = setLine(lines, o)
	if err != nil {
		return "", false, err
	}
	for i, l := range lines {
		if lineEOL(l) == "" && i+1 < len(lines) {
			prev := 1
			if i > 0 {
				prev = i - 1
			}
			lines[i] = setLineEOL(lines[prev], l)
		}
	}
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	neu := strings.Join(lines, "")
	if neu == string(data) {
		return "", false, nil
	}
	diff := ""
	if showChanges {
		diff = py.UnifiedDiff(splitLines(string(data)), lines)
	}
	if !test {
		if backup {
			if err := os.WriteFile(path+"."+timeStamp(), data, 0o644); err != nil {
				return "", false, err
			}
		}
		if err := rewriteInPlace(path, data, []byte(neu), ""); err != nil {
			return "", false, err
		}
	}
	return diff, true, nil
}

var eolRe = regexp.MustCompile(`(\r\n|\n|\r)$`)

// lineEOL is _get_eol: the line's ending, "" for none.
func lineEOL(line string) string { return eolRe.FindString(line) }

// setLineEOL is _set_line_eol: line, right-stripped, with src's ending.
func setLineEOL(src, line string) string {
	end := lineEOL(src)
	if end == "" {
		end = "\n"
	}
	return strings.TrimRight(line, " \t\r\n\v\f") + end
}

// setLineIndent is _set_line_indent: line with src's leading blanks.
func setLineIndent(src, line string, indent bool) string {
	if !indent {
		return line
	}
	lead := src[:len(src)-len(strings.TrimLeft(src, " \t"))]
	return lead + strings.TrimLeft(line, " \t\r\n\v\f")
}

// regexToStatic is _regex_to_static: the lines the regex (DOTALL) finds,
// or that contain it literally; nil for no lines or no regex.
func regexToStatic(lines []string, regex *string) ([]string, error) {
	if len(lines) == 0 || regex == nil || *regex == "" {
		return nil, nil
	}
	re, err := py.CompileFlags(*regex, py.ReDotAll)
	if err != nil {
		return nil, fmt.Errorf("%v: '%s'", err, *regex)
	}
	var out []string
	for _, l := range lines {
		if re.MatchString(l) || strings.Contains(l, *regex) {
			out = append(out, l)
		}
	}
	return out, nil
}

// assertOccurrence is _assert_occurrence: exactly one line.
func assertOccurrence(probe []string, target string) error {
	switch {
	case len(probe) > 1:
		return fmt.Errorf(`Found more than expected occurrences in "%s" expression`, target)
	case len(probe) < 1:
		return fmt.Errorf(`Found less than expected occurrences in "%s" expression`, target)
	}
	return nil
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

func insertAt(lines []string, i int, s string) []string {
	return append(lines[:i], append([]string{s}, lines[i:]...)...)
}

// setLine is _set_line.
func setLine(lines []string, o lineOpts) ([]string, error) {
	after, err := regexToStatic(lines, o.after)
	if err != nil {
		return nil, err
	}
	before, err := regexToStatic(lines, o.before)
	if err != nil {
		return nil, err
	}
	match, err := regexToStatic(lines, o.match)
	if err != nil {
		return nil, err
	}
	content := ""
	if o.content != nil {
		content = *o.content
	}
	switch {
	case len(lines) == 0 && (o.mode == "delete" || o.mode == "replace"):
		return nil, nil
	case o.mode == "delete" && len(match) > 0:
		var out []string
		for _, l := range lines {
			if l != match[0] {
				out = append(out, l)
			}
		}
		return out, nil
	case o.mode == "replace" && len(match) > 0:
		i := indexOf(lines, match[0])
		lines[i] = setLineIndent(lines[i], content, o.indent)
		return lines, nil
	case o.mode == "insert":
		return lineInsert(lines, o, content, before, after)
	case o.mode == "ensure":
		return lineEnsure(lines, o, content, before, after)
	}
	return lines, nil
}

func lineInsert(lines []string, o lineOpts, content string, before, after []string) ([]string, error) {
	if o.before == nil && o.after == nil && o.location == "" {
		return nil, errors.New(`On insert either "location" or "before/after" conditions are required.`)
	}
	switch {
	case o.location == "end" && len(lines) > 0:
		return append(lines, setLineIndent(lines[len(lines)-1], content, o.indent)), nil
	case o.location == "end":
		return append(lines, content), nil
	case o.location == "start" && len(lines) > 0:
		return insertAt(lines, 0, setLineEOL(lines[0], content)), nil
	case o.location == "start":
		return []string{content + "\n"}, nil
	case o.location != "":
		return lines, nil
	case len(before) > 0 && len(after) > 0:
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		last := indexOf(lines, before[0])
		return insertAt(lines, last, setLineIndent(lines[last], content, o.indent)), nil
	case len(after) > 0:
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		i := indexOf(lines, after[0])
		if i+1 >= len(lines) || strings.TrimRight(lines[i+1], "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, i+1, setLineIndent(lines[i], content, o.indent))
		}
		return lines, nil
	case len(before) > 0:
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		i := indexOf(lines, before[0])
		prev := lines[(i-1+len(lines))%len(lines)]
		if strings.TrimRight(prev, "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, i, setLineIndent(lines[i], content, o.indent))
		}
		return lines, nil
	}
	return nil, errors.New("Neither before or after was found in file")
}

func lineEnsure(lines []string, o lineOpts, content string, before, after []string) ([]string, error) {
	switch {
	case len(before) > 0 && len(after) > 0:
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		ai, bi := indexOf(lines, after[0]), indexOf(lines, before[0])
		for _, l := range lines {
			if strings.TrimLeft(l, " \t\r\n\v\f") == content {
				return lines, nil
			}
		}
		switch {
		case ai+1 == bi:
			return insertAt(lines, ai+1, setLineIndent(lines[ai], content, o.indent)), nil
		case ai+2 == bi:
			lines[ai+1] = setLineIndent(lines[ai], content, o.indent)
			return lines, nil
		}
		return nil, errors.New(`Found more than one line between boundaries "before" and "after".`)
	case len(before) > 0:
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		bi := indexOf(lines, before[0])
		prev := lines[(bi-1+len(lines))%len(lines)]
		if bi == 0 || strings.TrimRight(lines[bi-1], "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, bi, setLineIndent(prev, content, o.indent))
		}
		return lines, nil
	case len(after) > 0:
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		ai := indexOf(lines, after[0])
		if ai+1 >= len(lines) || strings.TrimRight(lines[ai+1], "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, ai+1, setLineIndent(lines[ai], content, o.indent))
		}
		return lines, nil
	}
	return nil, errors.New("Wrong conditions? Unable to ensure line without knowing where to put it before and/or after.")
}
