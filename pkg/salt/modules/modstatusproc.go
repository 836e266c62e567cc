package modules

import (
	"os"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The parsers of status.py's linux_* helpers, one per /proc file, each
// given the file's text.

func parseMeminfo(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v := body.Map{{Key: "value", Value: f[1]}}
		if len(f) > 2 {
			v.Set("unit", f[2])
		}
		ret.Set(strings.ReplaceAll(f[0], ":", ""), v)
	}
	return ret
}

// parseCpuinfo keeps the last value of each key, so the last processor's
// block wins, as in Salt.
func parseCpuinfo(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		key, val, ok := strings.Cut(line, ":")
		if line == "" || !ok {
			continue
		}
		val, _, _ = strings.Cut(val, ":") // comps[1] of line.split(":")
		key = strings.TrimSpace(key)
		if key == "flags" {
			ret.Set(key, stringsToAny(strings.Fields(val)))
		} else {
			ret.Set(key, strings.TrimSpace(val))
		}
	}
	return ret
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func numbers(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = statNumber(s)
	}
	return out
}

func parseCpustats(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch {
		case f[0] == "cpu" && len(f) > 8:
			ret.Set("cpu", body.Map{
				{Key: "idle", Value: statNumber(f[4])}, {Key: "iowait", Value: statNumber(f[5])},
				{Key: "irq", Value: statNumber(f[6])}, {Key: "nice", Value: statNumber(f[2])},
				{Key: "softirq", Value: statNumber(f[7])}, {Key: "steal", Value: statNumber(f[8])},
				{Key: "system", Value: statNumber(f[3])}, {Key: "user", Value: statNumber(f[1])},
			})
		case f[0] == "intr":
			ret.Set("intr", body.Map{{Key: "total", Value: statNumber(f[1])}, {Key: "irqs", Value: numbers(f[2:])}})
		case f[0] == "softirq":
			ret.Set("softirq", body.Map{{Key: "total", Value: statNumber(f[1])}, {Key: "softirqs", Value: numbers(f[2:])}})
		default:
			ret.Set(f[0], statNumber(f[1]))
		}
	}
	return ret
}

var diskstatFields = []string{"reads_issued", "reads_merged", "sectors_read", "ms_spent_reading",
	"writes_completed", "writes_merged", "sectors_written", "ms_spent_writing", "io_in_progress",
	"ms_spent_in_io", "weighted_ms_spent_in_io"}

func parseDiskstats(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		f := strings.Fields(line)
		if len(f) < 14 {
			continue
		}
		d := body.Map{{Key: "major", Value: statNumber(f[0])}, {Key: "minor", Value: statNumber(f[1])}, {Key: "device", Value: statNumber(f[2])}}
		for i, k := range diskstatFields {
			d.Set(k, statNumber(f[3+i]))
		}
		ret.Set(f[2], d)
	}
	return ret
}

func parseVmstats(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		if f := strings.Fields(line); len(f) >= 2 {
			ret.Set(f[0], statNumber(f[1]))
		}
	}
	return ret
}

// parseNetstats pairs each header line of /proc/net/netstat with the value
// line after it; as in Salt the last column is left out.
func parseNetstats(text string) any {
	ret := body.Map{}
	headers := []string{""}
	for _, line := range py.SplitLines(text) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] != headers[0] {
			headers = f
			continue
		}
		row := body.Map{}
		for i := 1; i < len(headers)-1 && i < len(f); i++ {
			row.Set(headers[i], statNumber(f[i]))
		}
		ret.Set(strings.ReplaceAll(headers[0], ":", ""), row)
	}
	return ret
}

var netdevFields = []struct {
	key string
	col int
}{
	{"rx_bytes", 2}, {"rx_compressed", 8}, {"rx_drop", 5}, {"rx_errs", 4}, {"rx_fifo", 6}, {"rx_frame", 7},
	{"rx_multicast", 9}, {"rx_packets", 3}, {"tx_bytes", 10}, {"tx_carrier", 16}, {"tx_colls", 15},
	{"tx_compressed", 17}, {"tx_drop", 13}, {"tx_errs", 12}, {"tx_fifo", 14}, {"tx_packets", 11},
}

func parseNetdev(text string) any {
	ret := body.Map{}
	for _, line := range py.SplitLines(text) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		cols := append([]string{name}, strings.Fields(rest)...)
		if len(cols) < 17 {
			continue
		}
		cols = append(cols[:1], append([]string{cols[1]}, cols[1:]...)...) // Salt's comps.insert(1, ...)
		d := body.Map{{Key: "iface", Value: name}}
		for _, fld := range netdevFields {
			d.Set(fld.key, statNumber(cols[fld.col]))
		}
		ret.Set(name, d)
	}
	return ret
}

// psGrain is the ps grain's command, Salt's way of listing processes.
func psGrain(c *Call) string {
	if s, ok := c.Grains()["ps"].(string); ok && s != "" {
		return s
	}
	return "ps -efHww"
}

func statusProcs(c *Call) (any, error) {
	lines := py.SplitLines(hostOutput(c.Ctx, "/bin/sh", "-c", psGrain(c)))
	ret := body.Map{}
	if len(lines) == 0 {
		return ret, nil
	}
	guide := strings.Fields(lines[0])
	index := func(names ...string) int {
		for _, n := range names {
			for i, g := range guide {
				if g == n {
					return i
				}
			}
		}
		return 0
	}
	uind, pind, cind := index("USER", "UID"), index("PID"), index("COMMAND", "CMD")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) <= max(uind, pind, cind) {
			continue
		}
		ret.Set(f[pind], body.Map{{Key: "user", Value: f[uind]}, {Key: "cmd", Value: strings.Join(f[cind:], " ")}})
	}
	return ret, nil
}

// statusPid is status.pid: lines mentioning the minion's own pid are
// skipped (as a substring, as Salt does).
func statusPid(c *Call) (any, error) {
	re, err := py.CompileFlags(py.Str(c.Arg("sig")), 0)
	if err != nil {
		return nil, &Exception{Type: "re.error", Msg: err.Error()}
	}
	me := strconv.Itoa(os.Getpid())
	out, _, _, _ := hostRun(c.Ctx, "/bin/sh", "-c", psGrain(c))
	var pids []string
	for _, line := range py.SplitLines(strings.TrimRight(out, " \t\r\n")) {
		if strings.Contains(line, me) || !re.MatchString(line) {
			continue
		}
		if f := strings.Fields(line); len(f) > 1 {
			pids = append(pids, f[1])
		}
	}
	return strings.Join(pids, "\n"), nil
}

func statusW(c *Call) []any {
	users := []any{}
	for _, row := range py.SplitLines(hostOutput(c.Ctx, "w", "-fh")) {
		f := strings.Fields(row)
		if len(f) < 6 {
			continue
		}
		users = append(users, body.Map{
			{Key: "idle", Value: f[3]}, {Key: "jcpu", Value: f[4]}, {Key: "login", Value: f[2]},
			{Key: "pcpu", Value: f[5]}, {Key: "tty", Value: f[1]}, {Key: "user", Value: f[0]},
			{Key: "what", Value: strings.Join(f[6:], " ")},
		})
	}
	return users
}
