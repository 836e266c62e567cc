package modules

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// proc is one process read from /proc/<pid> as psutil reads it on Linux,
// for the ps module.
type proc struct {
	pid  int
	stat []string // /proc/<pid>/stat fields after the command, from the state on (stat[0] is field 3)
	comm string
}

// clockTicks is USER_HZ, 100 on every Linux the minion runs on.
const clockTicks = 100

var psStatus = map[string]string{"R": "running", "S": "sleeping", "D": "disk-sleep", "T": "stopped",
	"t": "tracing-stop", "Z": "zombie", "X": "dead", "x": "dead", "K": "wake-kill", "W": "waking",
	"I": "idle", "P": "parked"}

// readProcess reads /proc/<pid>/stat; false when the process is gone.
func readProcess(pid int) (*proc, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return nil, false
	}
	return &proc{pid: pid, comm: s[open+1 : end], stat: strings.Fields(s[end+1:])}, true
}

// pids are the processes there are, in pid order (psutil.pids()).
func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// field is /proc/<pid>/stat field n (1-based, as proc(5) numbers them).
func (p *proc) field(n int) string {
	if i := n - 3; i >= 0 && i < len(p.stat) {
		return p.stat[i]
	}
	return "0"
}

func (p *proc) fieldInt(n int) int64 {
	v, _ := strconv.ParseInt(p.field(n), 10, 64)
	return v
}

func (p *proc) ticks(n int) float64 { return float64(p.fieldInt(n)) / clockTicks }

func (p *proc) path(name string) string { return filepath.Join("/proc", strconv.Itoa(p.pid), name) }

// cmdline is psutil's cmdline(): the arguments, [] for a kernel thread.
func (p *proc) cmdline() []any {
	data, err := os.ReadFile(p.path("cmdline"))
	if err != nil || len(data) == 0 {
		return []any{}
	}
	s := strings.TrimSuffix(string(data), "\x00")
	return stringsToAny(strings.Split(s, "\x00"))
}

// name is psutil's name(): the command, completed from the command line
// when the kernel cut it at 15 characters.
func (p *proc) name() string {
	if len(p.comm) >= 15 {
		if cl := p.cmdline(); len(cl) > 0 {
			if ext := filepath.Base(cl[0].(string)); strings.HasPrefix(ext, p.comm) {
				return ext
			}
		}
	}
	return p.comm
}

func (p *proc) status() string { return psStatus[p.field(3)] }

// ids are the real, effective and saved uids (or gids) of the Uid: or
// Gid: line of /proc/<pid>/status.
func (p *proc) ids(key string) []any {
	data, _ := os.ReadFile(p.path("status"))
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(rest)
			out := []any{}
			for _, x := range f[:min(3, len(f))] {
				n, _ := strconv.ParseInt(x, 10, 64)
				out = append(out, n)
			}
			return out
		}
	}
	return nil
}

// username is psutil's username(): the real uid's name; nil when it has
// none (Salt's KeyError) or the process is gone.
func (p *proc) username() any {
	ids := p.ids("Uid")
	if len(ids) == 0 {
		return nil
	}
	u, err := user.LookupId(strconv.FormatInt(ids[0].(int64), 10))
	if err != nil {
		return nil
	}
	return u.Username
}

// createTime is psutil's create_time(): boot time plus the start ticks.
func (p *proc) createTime() float64 {
	var btime float64
	for _, line := range strings.Split(readProc("/proc/stat"), "\n") {
		if rest, ok := strings.CutPrefix(line, "btime "); ok {
			btime, _ = strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	return btime + p.ticks(22)
}

// cpuTimes is psutil's cpu_times(): user, system, children_user,
// children_system, iowait.
func (p *proc) cpuTimes() []float64 {
	return []float64{p.ticks(14), p.ticks(15), p.ticks(16), p.ticks(17), p.ticks(42)}
}

var cpuTimeNames = []string{"user", "system", "children_user", "children_system", "iowait"}

// memoryInfo is psutil's memory_info(): rss, vms, shared, text, lib, data,
// dirty from statm, in bytes.
func (p *proc) memoryInfo() []int64 {
	data, _ := os.ReadFile(p.path("statm"))
	f := strings.Fields(string(data))
	page := int64(syscall.Getpagesize())
	out := make([]int64, 7)
	// statm: size resident shared text lib data dirty
	order := []int{1, 0, 2, 3, 4, 5, 6}
	for i, j := range order {
		if j < len(f) {
			n, _ := strconv.ParseInt(f[j], 10, 64)
			out[i] = n * page
		}
	}
	return out
}

var memoryInfoNames = []string{"rss", "vms", "shared", "text", "lib", "data", "dirty"}
