package output

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// hostRun formats one minion's state results, counting them for the
// summary as _format_host does.
type hostRun struct {
	o           HighstateOptions
	c           hsColors
	hcolor      string
	indentLevel int
	lines       []string
	rcounts     map[string]int // "True", "False", "None", other results' str, "warnings"
	rdurations  []float64
	pdurations  []float64 // of the states run in parallel: only the longest counts
	nchanges    int
}

// stateEntry is one state's return with its tag.
type stateEntry struct {
	tag string
	ret Map
}

// states formats every state that has a result, in run order, then the
// summary.
func (h *hostRun) states(host string, data Map) {
	h.rcounts = map[string]int{}
	var entries []stateEntry
	for _, it := range data {
		info, ok := py.DictItems(it.Value)
		if !ok {
			continue
		}
		if it.Key != "changes" && len(info) > 0 && !has(info, "__run_num__") {
			h.lines = append([]string{"The State execution failed to record the order in which all states were executed. The state return missing data is:",
				py.ReprSorted(info)}, h.lines...)
		}
		if has(info, "result") {
			entries = append(entries, stateEntry{it.Key, slices.Clone(info)})
		}
	}
	slices.SortStableFunc(entries, func(a, b stateEntry) int {
		return cmp.Compare(runNum(a.ret), runNum(b.ret))
	})
	for _, e := range entries {
		h.state(e.tag, e.ret)
	}
	h.summary(host)
}

func has(m Map, key string) bool { _, ok := m.Get(key); return ok }

func runNum(m Map) float64 {
	v, _ := m.Get("__run_num__")
	f, err := py.Float(v)
	if err != nil {
		return 0
	}
	return f
}

// duration reads a state's duration as a float, "12.5" and "12.5 ms"
// alike; ok is false when it is neither.
func duration(v any) (float64, bool) {
	if v == nil {
		return 0, true
	}
	if f, err := py.Float(v); err == nil {
		return f, true
	}
	s, _, _ := strings.Cut(py.Str(v), " ms")
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// state counts one state and formats it as a block or a terse line,
// unless state_verbose leaves it out.
func (h *hostRun) state(tag string, ret Map) {
	result, _ := ret.Get("result")
	h.rcounts[resultKey(result)]++
	d, _ := ret.Get("duration")
	if f, ok := duration(d); ok {
		if has(ret, "__parallel__") {
			h.pdurations = append(h.pdurations, f)
		} else {
			h.rdurations = append(h.rdurations, f)
		}
	}
	changes, _ := ret.Get("changes")
	schanged, ctext := h.changes(ret, changes)
	if h.o.Quiet && py.Truthy(result) && !schanged {
		return
	}
	c := h.c
	tcolor := c.green
	if schanged {
		tcolor = c.cyan
	}
	switch result {
	case false:
		h.hcolor, tcolor = c.red, c.red
	case nil:
		h.hcolor, tcolor = c.lightYellow, c.lightYellow
	}
	mode := strings.ToLower(h.o.StateOutput)
	comps := strings.Split(tag, "_|-")
	for len(comps) < 4 {
		comps = append(comps, "")
	}
	if strings.HasSuffix(mode, "_id") {
		comps[2] = comps[1]
	}
	if h.terse(mode, result, schanged) {
		h.lines = append(h.lines, h.terseLine(tcolor, comps, ret))
		return
	}
	if strings.HasPrefix(mode, "filter") && slices.Contains(h.o.Exclude, resultKey(result)) {
		return
	}
	h.block(tcolor, comps, ret, ctext)
}

// terse decides whether a state is shown on one line: always with
// terse, when it did not fail with mixed, when it succeeded without
// changes with changes, and for the listed results with filter.
func (h *hostRun) terse(mode string, result any, schanged bool) bool {
	switch {
	case strings.HasPrefix(mode, "filter"):
		return slices.Contains(h.o.Terse, resultKey(result))
	case strings.HasPrefix(mode, "terse"):
		return true
	case strings.HasPrefix(mode, "mixed"):
		return result != false
	case strings.HasPrefix(mode, "changes"):
		return py.Truthy(result) && !schanged
	}
	return false
}

// changes is the Changes text of a state: a nested highstate for
// state.orch, state.orchestrate and state.sls, else _format_changes.
func (h *hostRun) changes(ret Map, changes any) (bool, string) {
	name, _ := ret.Get("name")
	if n, ok := name.(string); ok && (n == "state.orch" || n == "state.orchestrate" || n == "state.sls") {
		h.nchanges++
		nested := highstateOutput(changes, h.o, h.indentLevel+1)
		pad := strings.Repeat(" ", 14*h.indentLevel)
		lines := strings.Split("\n"+nested, "\n")
		for i := range lines {
			lines[i] = pad + lines[i]
		}
		return true, strings.Join(lines, "\n")
	}
	changed, ctext := formatChanges(changes, h.o)
	if changed {
		h.nchanges++
	}
	return changed, ctext
}

// formatChanges is _format_changes: nothing for no changes, the nested
// outputter indented by 14 for a dict, and a highstate of its own for a
// return that carries one ({"ret": ..., "out": "highstate"}).
func formatChanges(changes any, o HighstateOptions) (bool, string) {
	if !py.Truthy(changes) {
		return false, ""
	}
	m, ok := py.DictItems(changes)
	if !ok {
		return true, "Invalid Changes data: " + py.Str(changes)
	}
	ret, _ := m.Get("ret")
	out, _ := m.Get("out")
	if hosts, ok := py.DictItems(ret); ok && ret != nil && out == "highstate" {
		var b strings.Builder
		changed := false
		for _, it := range hosts {
			s, c := formatHost(it.Key, it.Value, o, 1)
			b.WriteString("\n")
			lines := py.SplitLines(s)
			for i := range lines {
				lines[i] = strings.Repeat(" ", 14) + lines[i]
			}
			b.WriteString(strings.Join(lines, "\n"))
			changed = changed || c
		}
		return changed, b.String()
	}
	nested := Nested(changes, NestedOptions{Color: o.Color, Indent: 14})
	return true, "\n" + strings.TrimRightFunc(nested, py.IsSpace)
}
