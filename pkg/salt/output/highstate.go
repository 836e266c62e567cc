package output

import (
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// HighstateOptions are the opts Salt 3006's highstate outputter reads.
type HighstateOptions struct {
	// Color turns on the ANSI colours, as for the other outputters.
	Color bool
	// StateOutput is state_output: full (the default, also for "" and any
	// value Salt does not know), terse, mixed, changes, filter, and their
	// _id forms, which show the ID where the name would be.
	StateOutput string
	// Quiet is the inverse of state_verbose (default True): with it, the
	// states that succeeded without changes are left out.
	Quiet bool
	// NoProfile is the inverse of state_output_profile (default True):
	// with it, Started, Duration and the total run time are not shown.
	NoProfile bool
	// Terse and Exclude are state_output_terse and state_output_exclude,
	// the results ("True", "False", "None") state_output: filter shows
	// tersely or not at all.
	Terse, Exclude []string
}

// HighstateConfig reads the highstate outputter's opts from a config:
// state_output, state_verbose, state_output_profile, and
// state_output_terse and state_output_exclude (a list or a
// comma-separated string).
func HighstateConfig(raw map[string]any) HighstateOptions {
	var hs HighstateOptions
	if v, ok := raw["state_output"].(string); ok {
		hs.StateOutput = v
	}
	if v, ok := raw["state_verbose"]; ok {
		hs.Quiet = !py.Truthy(v)
	}
	if v, ok := raw["state_output_profile"]; ok {
		hs.NoProfile = !py.Truthy(v)
	}
	hs.Terse = configList(raw["state_output_terse"])
	hs.Exclude = configList(raw["state_output_exclude"])
	return hs
}

// configList is a config value that is a list, or a comma-separated
// string, each item as str() of it.
func configList(v any) []string {
	if s, ok := v.(string); ok {
		return strings.Split(s, ",")
	}
	list, _ := py.ListItems(v)
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = py.Str(x)
	}
	return out
}

// Highstate is the highstate outputter (salt/output/highstate.py of Salt
// 3006), the default outputter of state.* returns: for each minion its
// states in run order as blocks of ID, Function, Name, Result, Comment,
// Started, Duration and Changes (or one line each, tersely), then a
// Summary. A return that is a list is compile errors ("Data failed to
// compile"), a string or an integer is shown as it is. The text is
// try_printout's, trailing white space removed.
func Highstate(data any, o HighstateOptions) string {
	return strings.TrimRightFunc(highstateOutput(data, o, 1), py.IsSpace)
}

// highstateOutput is highstate.output: data unwrapped from a runner's or
// an orchestration's envelope, then each host formatted.
func highstateOutput(data any, o HighstateOptions, indentLevel int) string {
	data = unwrapHighstate(data)
	switch data.(type) {
	case string:
		return data.(string)
	case nil:
		return "None"
	}
	if s, isInt := intValue(data); isInt {
		return s
	}
	hosts, ok := py.DictItems(data)
	if !ok {
		return ""
	}
	if _, ok := hosts.Get("retcode"); ok && countMasters(hosts) == 1 {
		hosts = slices.DeleteFunc(slices.Clone(hosts), func(it Item) bool { return it.Key == "retcode" })
	}
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		s, _ := formatHost(h.Key, h.Value, o, indentLevel)
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// unwrapHighstate takes the state data out of {"return": ...},
// {"data": ...} and a single job's {"jid", "fun", "return": {"data"}}.
func unwrapHighstate(data any) any {
	for _, key := range []string{"return", "data"} {
		if m, ok := py.DictItems(data); ok {
			if v, ok := m.Get(key); ok {
				data = v
			}
		}
	}
	m, ok := py.DictItems(data)
	if !ok || len(m) != 1 {
		return data
	}
	inner, ok := py.DictItems(m[0].Value)
	if !ok {
		return data
	}
	_, jid := inner.Get("jid")
	_, fun := inner.Get("fun")
	if !jid || !fun {
		return data
	}
	if r, ok := inner.Get("return"); ok {
		if rm, ok := py.DictItems(r); ok {
			if d, ok := rm.Get("data"); ok {
				return d
			}
		}
	}
	return data
}

func countMasters(m Map) int {
	n := 0
	for _, it := range m {
		if strings.HasSuffix(it.Key, "_master") {
			n++
		}
	}
	return n
}

// intValue reports an integer, which the outputter shows as it is; a bool
// is one too, as in Python.
func intValue(v any) (string, bool) {
	if b, ok := v.(bool); ok {
		return resultKey(b), true
	}
	if _, ok := v.(float64); ok {
		return "", false
	}
	if _, ok := v.(float32); ok {
		return "", false
	}
	s, ok := py.ScalarRepr(v)
	if !ok {
		return "", false
	}
	if _, err := py.Int(v); err != nil {
		return "", false
	}
	return s, true
}

// hsColors are the colours get_colors gives, all empty when colour is off.
type hsColors struct {
	green, cyan, red, lightRed, lightYellow, endc string
}

func newHSColors(on bool) hsColors {
	if !on {
		return hsColors{}
	}
	return hsColors{colorGreen, colorCyan, colorRed, colorLightRed, colorLightYellow, colorEnd}
}

// formatHost is _format_host: one minion's return, and whether it changed
// anything.
func formatHost(host string, data any, o HighstateOptions, indentLevel int) (string, bool) {
	c := newHSColors(o.Color)
	hcolor := c.green
	var lines []string
	changed := false
	if s, ok := intValue(data); ok {
		changed = true
		lines = append(lines, hcolor+"    "+s+c.endc)
		hcolor = c.cyan
	} else if s, ok := data.(string); ok {
		changed = true
		for _, l := range py.SplitLines(s) {
			lines = append(lines, hcolor+"    "+l+c.endc)
		}
		hcolor = c.cyan
	} else if errs, ok := py.ListItems(data); ok {
		hcolor = c.lightRed
		lines = append(lines, "    "+hcolor+"Data failed to compile:"+c.endc)
		for _, e := range errs {
			lines = append(lines, hcolor+"----------\n    "+stripEsc(py.Str(e))+c.endc)
		}
	} else if states, ok := py.DictItems(data); ok {
		hr := hostRun{o: o, c: c, hcolor: hcolor, indentLevel: indentLevel}
		hr.states(host, states)
		lines, hcolor, changed = hr.lines, hr.hcolor, hr.nchanges > 0
	}
	head := hcolor + stripEsc(host) + ":" + c.endc
	return strings.Join(append([]string{head}, lines...), "\n"), changed
}

// resultKey is a state's result as the summary counts it: "True",
// "False", "None", or another value's str.
func resultKey(v any) string {
	switch v {
	case true:
		return "True"
	case false:
		return "False"
	case nil:
		return "None"
	}
	return py.Str(v)
}

// fmtWidth right-aligns s in width, as format's {:>N}.
func fmtWidth(s string, width int) string {
	if n := width - len([]rune(s)); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// pyFloatFixed3 is "{:.3f}".format(f).
func pyFloatFixed3(f float64) string { return fmt.Sprintf("%.3f", f) }
