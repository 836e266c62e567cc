package output

import (
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// block is a state's full block: ID, Function, Name (when it is not the
// ID), Result, Comment, Started and Duration (state_output_profile),
// Changes, and its Warnings.
func (h *hostRun) block(tcolor string, comps []string, ret Map, ctext string) {
	end := h.c.endc
	line := func(label, value string) string { return "    " + tcolor + label + ": " + value + end }
	result, _ := ret.Get("result")
	lines := []string{
		tcolor + "----------" + end,
		line("      ID", comps[1]),
		line("Function", comps[0]+"."+comps[3]),
	}
	if comps[1] != comps[2] {
		lines = append(lines, line("    Name", comps[2]))
	}
	lines = append(lines, line("  Result", resultKey(result)), line(" Comment", stateComment(ret)))
	if start, ok := ret.Get("start_time"); ok && !h.o.NoProfile {
		dur := ""
		if d, ok := ret.Get("duration"); ok && d != "" {
			dur = py.Str(d) + " ms"
		}
		lines = append(lines, line(" Started", py.Str(start)), line("Duration", dur))
	}
	lines = append(lines, tcolor+"     Changes:   "+ctext+end)
	if w, ok := ret.Get("warnings"); ok {
		h.rcounts["warnings"]++
		text := strings.Join(strList(w), "\n")
		lines = append(lines, "   "+h.c.lightRed+" Warnings: "+strings.TrimLeftFunc(wrapFill(text, 80, 14), py.IsSpace)+end)
	}
	h.lines = append(h.lines, lines...)
}

// stateComment is the comment as the block shows it: str() of it, white
// space stripped, its lines under one another, and the "data" of the
// return appended.
func stateComment(ret Map) string {
	c, _ := ret.Get("comment")
	comment := strings.TrimFunc(py.Str(c), py.IsSpace)
	comment = strings.ReplaceAll(comment, "\n", "\n"+strings.Repeat(" ", 14))
	data, ok := ret.Get("data")
	if !ok {
		return comment
	}
	if list, ok := data.([]any); ok {
		for _, it := range list {
			comment += " " + py.Str(it)
		}
		return comment
	}
	if m, ok := py.DictItems(data); ok {
		for _, it := range m {
			comment += "\n\t\t" + it.Key + ": " + py.Str(it.Value)
		}
		return comment
	}
	return comment + " " + py.Str(data)
}

func strList(v any) []string {
	list, ok := py.ListItems(v)
	if !ok {
		return []string{py.Str(v)}
	}
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = py.Str(x)
	}
	return out
}

// terseLine is _format_terse without state_tabular: " Name: ... -
// Function: ... - Result: Clean|Changed|Failed|Differs", with the start
// time and duration under state_output_profile.
func (h *hostRun) terseLine(tcolor string, comps []string, ret Map) string {
	result, _ := ret.Get("result")
	changes, _ := ret.Get("changes")
	label := "Clean"
	if py.Truthy(changes) {
		label = "Changed"
	}
	switch result {
	case false:
		label = "Failed"
	case nil:
		label = "Differs"
	}
	var b strings.Builder
	if w, ok := ret.Get("warnings"); ok {
		b.WriteString(h.c.lightRed + "Warnings:\n" + strings.Join(strList(w), "\n") + h.c.endc)
	}
	b.WriteString(" " + tcolor + " Name: " + comps[2] + " - Function: " + comps[0] + "." + comps[len(comps)-1] + " - Result: " + label)
	if start, ok := ret.Get("start_time"); ok && !h.o.NoProfile {
		d, _ := ret.Get("duration")
		b.WriteString(" - Started: " + py.Str(start) + " - Duration: " + py.Str(d) + " ms")
	}
	b.WriteString(h.c.endc)
	return b.String()
}

// summary is the block after the states: Succeeded (with how many were
// not run and how many changed), Failed, Warnings, the total of states
// run, and the total run time.
func (h *hostRun) summary(host string) {
	c, end := h.c, h.c.endc
	countMax := 0
	for _, n := range h.rcounts {
		countMax = max(countMax, len(strconv.Itoa(n)))
	}
	width := len("Succeeded") + countMax + 2
	dashes := strings.Repeat("-", width)
	counts := func(label string, n int) string {
		return label + ": " + fmtWidth(strconv.Itoa(n), width-(len(label)+2))
	}
	h.lines = append(h.lines, c.cyan+"\nSummary for "+host+"\n"+dashes+end)
	var stats []string
	if n := h.rcounts["None"]; n > 0 {
		stats = append(stats, c.lightYellow+"unchanged="+strconv.Itoa(n)+end)
	}
	if h.nchanges > 0 {
		stats = append(stats, c.green+"changed="+strconv.Itoa(h.nchanges)+end)
	}
	succeeded := c.green + counts("Succeeded", h.rcounts["True"]+h.rcounts["None"]) + end
	if len(stats) > 0 {
		succeeded += " (" + strings.Join(stats, ", ") + ")"
	}
	failed := h.rcounts["False"]
	fcolor := c.cyan
	if failed > 0 {
		fcolor = c.red
	}
	h.lines = append(h.lines, succeeded, fcolor+counts("Failed", failed)+end)
	warnings := h.rcounts["warnings"]
	if warnings > 0 {
		h.lines = append(h.lines, c.lightRed+counts("Warnings", warnings)+end)
	}
	total := -warnings
	for _, n := range h.rcounts {
		total += n
	}
	h.lines = append(h.lines, c.cyan+dashes+"\nTotal states run: "+fmtWidth(strconv.Itoa(total), width-7)+end)
	if !h.o.NoProfile {
		h.lines = append(h.lines, c.cyan+"Total run time: "+h.runTime(width)+end)
	}
}

// runTime is the states' durations added up, those run in parallel
// counting as the longest of them, in ms or, past 999 ms, in s.
func (h *hostRun) runTime(width int) string {
	sum := 0.0
	for _, d := range h.rdurations {
		sum += d
	}
	if len(h.pdurations) > 0 {
		sum += slices.Max(h.pdurations)
	}
	unit := "ms"
	if sum > 999 {
		sum /= 1000
		unit = "s"
	}
	return fmtWidth(pyFloatFixed3(sum), width-5) + " " + unit
}

// wrapFill is textwrap.fill(text, width) with both indents of indent
// spaces: white space turned into spaces, words filled greedily, words
// longer than a line broken. (Python also breaks after hyphens; this does
// not.)
func wrapFill(text string, width, indent int) string {
	pad := strings.Repeat(" ", indent)
	words := strings.FieldsFunc(text, py.IsSpace)
	var lines []string
	cur := pad
	room := width - indent
	for _, w := range words {
		for len([]rune(w)) > room {
			if cur != pad {
				lines = append(lines, cur)
				cur = pad
			}
			r := []rune(w)
			lines = append(lines, pad+string(r[:room]))
			w = string(r[room:])
		}
		switch {
		case cur == pad:
			cur += w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = pad + w
		}
	}
	if cur != pad || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}
