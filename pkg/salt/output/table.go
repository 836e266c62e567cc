package output

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The colours of the table outputter (salt.utils.color.get_colors).
const (
	colorDarkGray  = "\x1b[0;1;30m"
	colorLightGray = "\x1b[0;37m"
	colorWhite     = "\x1b[0;1;37m"
)

// tableWidth is TableDisplay's column width, past which a cell is
// wrapped at its spaces.
const tableWidth = 50

// Table is the table outputter (salt/output/table_out.py) with its
// defaults: a dict prints each key in sorted order as "key:" and
// "----------", then its value 4 columns further in: a list as a table,
// a dict the same way again, anything else not at all. A table's rows
// are all dicts (columns their sorted keys, the header their names title
// cased), all strings (one column) or all lists; cells are centred and
// framed in "| ", " | " and " |", with a line of "-" around each row.
// Rows of mixed types print nothing, as in Salt; rows of numbers, which
// Salt fails on, are an error.
func Table(data any, color bool) (string, error) {
	t := tableDisplay{}
	if color {
		t.darkGray, t.lightGray, t.white, t.endc = colorDarkGray, colorLightGray, colorWhite, colorEnd
	}
	var out []string
	if err := t.display(data, 0, &out); err != nil {
		return "", err
	}
	return strings.Join(out, "\n"), nil
}

type tableDisplay struct {
	darkGray, lightGray, white, endc string
}

func (t tableDisplay) ustring(indent int, color, msg, suffix string) string {
	return strings.Repeat(" ", indent) + color + msg + t.endc + suffix
}

// display is TableDisplay.display without rows_key and labels_key.
func (t tableDisplay) display(ret any, indent int, out *[]string) error {
	if _, isBytes := ret.([]byte); isBytes {
		return nil
	}
	if items, ok := py.DictItems(ret); ok {
		for _, it := range sortedItems(items) {
			*out = append(*out, t.ustring(indent, t.darkGray, it.Key, ":"), t.ustring(indent, t.darkGray, "----------", ""))
			if rows, ok := tableList(it.Value); ok {
				if err := t.displayRows(rows, indent, out); err != nil {
					return err
				}
				continue
			}
			if err := t.display(it.Value, indent+4, out); err != nil {
				return err
			}
		}
		return nil
	}
	if rows, ok := tableList(ret); ok {
		return t.displayRows(rows, indent, out)
	}
	return nil
}

func tableList(v any) ([]any, bool) {
	if _, isBytes := v.([]byte); isBytes {
		return nil, false
	}
	if _, isDict := py.DictItems(v); isDict {
		return nil, false
	}
	return py.ListItems(v)
}

// displayRows is TableDisplay.display_rows: the cells of each row as
// text, and a header when the rows are dicts.
func (t tableDisplay) displayRows(rows []any, indent int, out *[]string) error {
	if len(rows) == 0 {
		return nil
	}
	kind := tableKind(rows[0])
	for _, r := range rows[1:] {
		if tableKind(r) != kind {
			return nil // Salt prints nothing for rows of mixed types
		}
	}
	var cells [][]string
	switch kind {
	case "dict":
		first, _ := py.DictItems(rows[0])
		var labels []string
		for _, it := range sortedItems(first) {
			labels = append(labels, pyTitle(strings.ReplaceAll(it.Key, "_", " ")))
		}
		cells = append(cells, labels)
		for _, r := range rows {
			items, _ := py.DictItems(r)
			var row []string
			for _, it := range sortedItems(items) {
				row = append(row, py.Str(it.Value))
			}
			cells = append(cells, row)
		}
	case "str":
		for _, r := range rows {
			cells = append(cells, []string{r.(string)})
		}
	case "list":
		for _, r := range rows {
			list, _ := py.ListItems(r)
			row := make([]string, len(list))
			for i, x := range list {
				row[i] = py.Str(x)
			}
			cells = append(cells, row)
		}
	default:
		return fmt.Errorf("output: table: a row that is %s, not a dict, a string or a list", py.Repr(rows[0]))
	}
	*out = append(*out, t.prepareRows(cells, indent+4)...)
	return nil
}

func tableKind(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case []byte:
		return "bytes"
	}
	if _, ok := py.DictItems(v); ok {
		return "dict"
	}
	if _, ok := py.ListItems(v); ok {
		return "list"
	}
	return reflect.TypeOf(v).String()
}

// prepareRows is TableDisplay.prepare_rows: each logical row wrapped into
// physical rows (as Python's map over the wrapped cells, as many as the
// cell with the fewest lines), columns as wide as their widest cell,
// cells centred, a line of "-" above and below each row (separate_rows,
// which makes has_header's line under the header the same).
func (t tableDisplay) prepareRows(rows [][]string, indent int) []string {
	var logical [][][]string
	var widths []int
	for _, row := range rows {
		wrapped := make([][]string, len(row))
		n := -1
		for i, cell := range row {
			wrapped[i] = strings.Split(wrapOnSpace(cell), "\n")
			if n < 0 || len(wrapped[i]) < n {
				n = len(wrapped[i])
			}
		}
		var physical [][]string
		for j := 0; j < n; j++ {
			line := make([]string, len(row))
			for i := range row {
				line[i] = wrapped[i][j]
			}
			physical = append(physical, line)
		}
		logical = append(logical, physical)
	}
	// zip(*all physical rows): as many columns as the shortest row has.
	cols := -1
	for _, physical := range logical {
		for _, line := range physical {
			if cols < 0 || len(line) < cols {
				cols = len(line)
			}
		}
	}
	widths = make([]int, max(cols, 0))
	for _, physical := range logical {
		for _, line := range physical {
			for i := range widths {
				widths[i] = max(widths[i], utf8.RuneCountInString(line[i]))
			}
		}
	}
	total := len("| ") + len(" |") + len(" | ")*(len(widths)-1)
	for _, w := range widths {
		total += w
	}
	sep := strings.Repeat("-", max(total, 0))
	out := []string{t.ustring(indent, t.lightGray, sep, "")}
	for _, physical := range logical {
		for _, line := range physical {
			cells := make([]string, len(widths))
			for i, w := range widths {
				cells[i] = pyCenter(line[i], w)
			}
			out = append(out, t.ustring(indent, t.white, "| "+strings.Join(cells, " | ")+" |", ""))
		}
		out = append(out, t.ustring(indent, t.lightGray, sep, ""))
	}
	return out
}

// wrapOnSpace is TableDisplay.wrap_onspace: the words joined by a space,
// or by a newline where the line would reach the width.
func wrapOnSpace(text string) string {
	words := strings.Split(text, " ")
	line := words[0]
	for _, word := range words[1:] {
		last := line[strings.LastIndex(line, "\n")+1:]
		first, _, _ := strings.Cut(word, "\n")
		sep := " "
		if utf8.RuneCountInString(last)+utf8.RuneCountInString(first) >= tableWidth {
			sep = "\n"
		}
		line += sep + word
	}
	return line
}

// pyCenter is Python's str.center, which puts the odd space on the left
// when the width is odd.
func pyCenter(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n >= w {
		return s
	}
	marg := w - n
	left := marg/2 + (marg & w & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", marg-left)
}

// pyTitle is Python's str.title: a letter after a letter is lower case,
// any other letter upper case.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
	}
	return b.String()
}

func sortedItems(items Map) Map {
	s := append(Map(nil), items...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Key < s[j-1].Key; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
