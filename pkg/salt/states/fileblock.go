package states

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.blockreplace (salt/states/file.py, salt/modules/file.py).

// blockOpts are file.blockreplace's arguments.
type blockOpts struct {
	start, end, content string
	appendIf, prependIf bool
	before, after       string
	appendNewline       *bool
	backup              string
	dryRun              bool
}

func fileBlockreplace(ctx context.Context, c *state.Call) state.Ret {
	name, _ := pathName(c)
	ret := newRet(name, &no)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.blockreplace")
	}
	if msg := checkFile(name); msg != "" {
		return errRet(ret, msg)
	}
	o := blockOpts{start: a.str("marker_start", "#-- start managed zone --"), end: a.str("marker_end", "#-- end managed zone --"),
		content: a.str("content", ""), appendIf: a.boolean("append_if_not_found", false), prependIf: a.boolean("prepend_if_not_found", false),
		before: a.str("insert_before_match", ""), after: a.str("insert_after_match", ""), backup: a.str("backup", ".bak"), dryRun: c.Test}
	if v, ok := a.m.Get("backup"); ok && v == false {
		o.backup = ""
	}
	if v, ok := a.get("append_newline").(bool); ok {
		o.appendNewline = &v
	}
	texts, msg := sourceTexts(ctx, c, a)
	if msg != "" {
		return errRet(ret, msg)
	}
	o.content += strings.Join(texts, "")
	diff, err := blockReplace(name, o)
	if err != nil {
		ret.Comment = fmt.Sprintf("Encountered error managing block: %v. See the log for details.", err)
		return ret
	}
	ret.Result = &yes
	switch {
	case diff == "":
		ret.Comment = "No changes needed to be made"
	case !a.boolean("show_changes", true):
		ret.Changes.Set("diff", true)
	default:
		ret.Changes.Set("diff", diff)
	}
	if diff != "" {
		ret.Comment = "Changes were made"
		if c.Test {
			ret.Result, ret.Comment = nil, "Changes would be made"
		}
	}
	return ret
}

// blockContent is _add_content: the block's lines, its start marker
// first when startMarker, its end line last.
func blockContent(o blockOpts, sep string, startMarker bool, endLine string) []string {
	if endLine == "" {
		endLine = o.end
	}
	endLine = strings.TrimRight(endLine, "\r\n") + sep
	appendNL := o.appendNewline == nil && !strings.HasSuffix(o.content, "\n") || o.appendNewline != nil && *o.appendNewline
	var lines []string
	if startMarker {
		lines = append(lines, o.start+sep)
	}
	split := strings.Split(strings.ReplaceAll(o.content, "\r\n", "\n"), "\n")
	for i, l := range split {
		switch {
		case i != len(split)-1:
			lines = append(lines, l+sep)
		case appendNL:
			lines = append(lines, l+sep, endLine)
		default:
			lines = append(lines, l+endLine)
		}
	}
	return lines
}

// blockReplace is file.blockreplace: the diff of the change (made unless
// dryRun), "" when there is none.
func blockReplace(path string, o blockOpts) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("File not found: %s", path)
	}
	if !isText(data) {
		return "", fmt.Errorf("Cannot perform string replacements on a binary file: %s", path)
	}
	orig := splitLines(string(data))
	sep := ""
	var neu []string
	inBlock, found := false, false
	for _, line := range orig {
		if sep == "" {
			sep = "\n"
			if strings.HasSuffix(line, "\r\n") {
				sep = "\r\n"
			}
		}
		if strings.Contains(line, o.start) {
			inBlock = true
		} else if inBlock {
			if pos := strings.Index(line, o.end); pos >= 0 {
				inBlock, found = false, true
				neu = append(neu, blockContent(o, sep, false, line[pos:])...)
			}
			continue
		}
		neu = append(neu, line)
	}
	if sep == "" {
		sep = "\n"
	}
	if inBlock {
		return "", errors.New("Unterminated marked block. End of file reached before marker_end.")
	}
	if !found {
		if neu, found = blockNotFound(o, orig, neu, sep); !found {
			return "", errors.New("Cannot edit marked block. Markers were not found in file.")
		}
	}
	diff := py.UnifiedDiff(orig, neu)
	if diff != "" && !o.dryRun {
		if err := rewriteInPlace(path, data, []byte(strings.Join(neu, "")), o.backup); err != nil {
			return "", err
		}
	}
	return diff, nil
}

// blockNotFound places a block that is not in the file yet: at the top,
// the end, or before or after the first line matching a regex.
func blockNotFound(o blockOpts, orig, neu []string, sep string) ([]string, bool) {
	switch {
	case o.prependIf:
		return append(blockContent(o, sep, true, ""), neu...), true
	case o.appendIf:
		if n := len(neu); n > 0 && !strings.HasSuffix(neu[n-1], sep) {
			neu[n-1] += sep
		}
		return append(neu, blockContent(o, sep, true, "")...), true
	case o.before != "" || o.after != "":
		pattern := o.before
		if pattern == "" {
			pattern = o.after
		}
		re, err := py.CompileFlags(pattern, 0)
		if err != nil {
			return neu, false
		}
		return insertAtMatch(re, orig, neu, blockContent(o, sep, true, ""), o.after != "" && o.before == "")
	}
	return neu, false
}

func insertAtMatch(re *regexp.Regexp, orig, neu, block []string, after bool) ([]string, bool) {
	for i, l := range orig {
		if re.MatchString(l) {
			if after {
				i++
			}
			out := append(append(append([]string{}, neu[:i]...), block...), neu[i:]...)
			return out, true
		}
	}
	return neu, false
}
