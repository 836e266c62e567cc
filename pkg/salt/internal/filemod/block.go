package filemod

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.blockreplace of salt/modules/file.py.

// BlockOpts are file.blockreplace's arguments.
type BlockOpts struct {
	Start, End, Content string
	AppendIf, PrependIf bool
	Before, After       string
	AppendNewline       *bool
	Backup              string
	DryRun              bool
}

// blockContent is _add_content: the block's lines, its start marker
// first when startMarker, its end line last.
func blockContent(o BlockOpts, sep string, startMarker bool, endLine string) []string {
	if endLine == "" {
		endLine = o.End
	}
	endLine = strings.TrimRight(endLine, "\r\n") + sep
	appendNL := o.AppendNewline == nil && !strings.HasSuffix(o.Content, "\n") || o.AppendNewline != nil && *o.AppendNewline
	var lines []string
	if startMarker {
		lines = append(lines, o.Start+sep)
	}
	split := strings.Split(strings.ReplaceAll(o.Content, "\r\n", "\n"), "\n")
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

// BlockReplace is file.blockreplace: the diff of the change (made unless
// dryRun), "" when there is none.
func BlockReplace(path string, o BlockOpts) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("File not found: %s", path)
	}
	if !IsText(data) {
		return "", fmt.Errorf("Cannot perform string replacements on a binary file: %s", path)
	}
	orig := SplitLines(string(data))
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
		if strings.Contains(line, o.Start) {
			inBlock = true
		} else if inBlock {
			if pos := strings.Index(line, o.End); pos >= 0 {
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
	if diff != "" && !o.DryRun {
		if err := RewriteInPlace(path, data, []byte(strings.Join(neu, "")), o.Backup); err != nil {
			return "", err
		}
	}
	return diff, nil
}

// blockNotFound places a block that is not in the file yet: at the top,
// the end, or before or after the first line matching a regex.
func blockNotFound(o BlockOpts, orig, neu []string, sep string) ([]string, bool) {
	switch {
	case o.PrependIf:
		return append(blockContent(o, sep, true, ""), neu...), true
	case o.AppendIf:
		if n := len(neu); n > 0 && !strings.HasSuffix(neu[n-1], sep) {
			neu[n-1] += sep
		}
		return append(neu, blockContent(o, sep, true, "")...), true
	case o.Before != "" || o.After != "":
		pattern := o.Before
		if pattern == "" {
			pattern = o.After
		}
		re, err := py.CompileFlags(pattern, 0)
		if err != nil {
			return neu, false
		}
		return insertAtMatch(re, orig, neu, blockContent(o, sep, true, ""), o.After != "" && o.Before == "")
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
