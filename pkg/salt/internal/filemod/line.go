package filemod

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.line of salt/modules/file.py (line, _set_line and helpers).

// LineOpts are file.line's arguments; nil pointers are None.
type LineOpts struct {
	Content, Match, Before, After *string
	Mode, Location                string
	Indent                        bool
}

// Line is file.line: the diff (show_changes) and whether the file
// changed; the file is written unless test.
func Line(path string, o LineOpts, showChanges, backup, test bool) (string, bool, error) {
	if real, err := filepath.EvalSymlinks(ExpandUser(path)); err == nil {
		path = real
	}
	data, err := os.ReadFile(path)
	if err != nil || !IsFile(path) {
		return "", false, fmt.Errorf(`File "%s" does not exists or is not a file.`, path)
	}
	switch o.Mode {
	case "insert", "ensure", "delete", "replace":
	default:
		return "", false, fmt.Errorf(`Unknown mode: "%s"`, o.Mode)
	}
	if o.Before == nil && o.After == nil && (o.Match == nil || *o.Match == "") {
		o.Match = o.Content
	}
	lines := SplitLines(string(data))
	if len(lines) > 0 && lineEOL(lines[len(lines)-1]) != "" {
		lines = append(lines, "")
	}
	if len(data) == 0 && (o.Mode == "delete" || o.Mode == "replace") {
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
		diff = py.UnifiedDiff(SplitLines(string(data)), lines)
	}
	if !test {
		if backup {
			if err := os.WriteFile(path+"."+TimeStamp(), data, 0o644); err != nil {
				return "", false, err
			}
		}
		if err := RewriteInPlace(path, data, []byte(neu), ""); err != nil {
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
func setLine(lines []string, o LineOpts) ([]string, error) {
	after, err := regexToStatic(lines, o.After)
	if err != nil {
		return nil, err
	}
	before, err := regexToStatic(lines, o.Before)
	if err != nil {
		return nil, err
	}
	match, err := regexToStatic(lines, o.Match)
	if err != nil {
		return nil, err
	}
	content := ""
	if o.Content != nil {
		content = *o.Content
	}
	switch {
	case len(lines) == 0 && (o.Mode == "delete" || o.Mode == "replace"):
		return nil, nil
	case o.Mode == "delete" && len(match) > 0:
		var out []string
		for _, l := range lines {
			if l != match[0] {
				out = append(out, l)
			}
		}
		return out, nil
	case o.Mode == "replace" && len(match) > 0:
		i := indexOf(lines, match[0])
		lines[i] = setLineIndent(lines[i], content, o.Indent)
		return lines, nil
	case o.Mode == "insert":
		return lineInsert(lines, o, content, before, after)
	case o.Mode == "ensure":
		return lineEnsure(lines, o, content, before, after)
	}
	return lines, nil
}

func lineInsert(lines []string, o LineOpts, content string, before, after []string) ([]string, error) {
	if o.Before == nil && o.After == nil && o.Location == "" {
		return nil, errors.New(`On insert either "location" or "before/after" conditions are required.`)
	}
	switch {
	case o.Location == "end" && len(lines) > 0:
		return append(lines, setLineIndent(lines[len(lines)-1], content, o.Indent)), nil
	case o.Location == "end":
		return append(lines, content), nil
	case o.Location == "start" && len(lines) > 0:
		return insertAt(lines, 0, setLineEOL(lines[0], content)), nil
	case o.Location == "start":
		return []string{content + "\n"}, nil
	case o.Location != "":
		return lines, nil
	case len(before) > 0 && len(after) > 0:
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		last := indexOf(lines, before[0])
		return insertAt(lines, last, setLineIndent(lines[last], content, o.Indent)), nil
	case len(after) > 0:
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		i := indexOf(lines, after[0])
		if i+1 >= len(lines) || strings.TrimRight(lines[i+1], "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, i+1, setLineIndent(lines[i], content, o.Indent))
		}
		return lines, nil
	case len(before) > 0:
		if err := assertOccurrence(before, "before"); err != nil {
			return nil, err
		}
		i := indexOf(lines, before[0])
		prev := lines[(i-1+len(lines))%len(lines)]
		if strings.TrimRight(prev, "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, i, setLineIndent(lines[i], content, o.Indent))
		}
		return lines, nil
	}
	return nil, errors.New("Neither before or after was found in file")
}

func lineEnsure(lines []string, o LineOpts, content string, before, after []string) ([]string, error) {
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
			return insertAt(lines, ai+1, setLineIndent(lines[ai], content, o.Indent)), nil
		case ai+2 == bi:
			lines[ai+1] = setLineIndent(lines[ai], content, o.Indent)
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
			lines = insertAt(lines, bi, setLineIndent(prev, content, o.Indent))
		}
		return lines, nil
	case len(after) > 0:
		if err := assertOccurrence(after, "after"); err != nil {
			return nil, err
		}
		ai := indexOf(lines, after[0])
		if ai+1 >= len(lines) || strings.TrimRight(lines[ai+1], "\r\n") != strings.TrimRight(content, "\r\n") {
			lines = insertAt(lines, ai+1, setLineIndent(lines[ai], content, o.Indent))
		}
		return lines, nil
	}
	return nil, errors.New("Wrong conditions? Unable to ensure line without knowing where to put it before and/or after.")
}
