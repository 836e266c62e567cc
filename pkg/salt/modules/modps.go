package modules

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// psFuncs is Salt's ps module (salt/modules/ps.py) without psutil: the
// processes read from /proc as psutil reads them on Linux.
func psFuncs() []Func {
	return []Func{
		{Name: "ps.top", Params: []Param{{Name: "num_processes", Default: int64(5)}, {Name: "interval", Default: int64(3)}},
			Doc:  "Return a list of top CPU consuming processes during the interval (seconds).\n\nCLI Example: salt '*' ps.top num_processes=5 interval=3",
			Call: psTop},
		{Name: "ps.pgrep", Params: []Param{{Name: "pattern", Required: true}, {Name: "user", Default: nil}, {Name: "full", Default: false}, {Name: "pattern_is_regex", Default: false}},
			Doc:  "Return the pids for processes matching a pattern (in the name, or the whole command line with full=True); None when none match.\n\nCLI Example: salt '*' ps.pgrep salt-minion",
			Call: psPgrep},
		{Name: "ps.kill_pid", Params: []Param{{Name: "pid", Required: true}, {Name: "signal", Default: int64(15)}},
			Doc:  "Kill a process by PID; False when there is no such process.\n\nCLI Example: salt 'minion' ps.kill_pid 2000 signal=9",
			Call: psKillPid},
		{Name: "ps.proc_info", Params: []Param{{Name: "pid", Required: true}, {Name: "attrs", Default: nil}},
			Doc:  "Return a dictionary of information for a process id (PID); attrs restricts it to those attributes.\n\nCLI Example: salt '*' ps.proc_info 2000 attrs='[\"cmdline\", \"create_time\"]'",
			Call: psProcInfo},
	}
}

func psTop(c *Call) (any, error) {
	num, err := pyInt(c.Arg("num_processes"))
	if err != nil {
		return nil, err
	}
	interval, err := pyFloat(c.Arg("interval"))
	if err != nil {
		return nil, err
	}
	start := map[int]float64{}
	for _, pid := range pids() {
		if p, ok := readProcess(pid); ok {
			start[pid] = p.ticks(14) + p.ticks(15)
		}
	}
	select {
	case <-c.Ctx.Done():
		return nil, c.Ctx.Err()
	case <-time.After(time.Duration(interval * float64(time.Second))):
	}
	type usage struct {
		diff float64
		p    *proc
	}
	var us []usage
	for pid, s := range start {
		if p, ok := readProcess(pid); ok {
			us = append(us, usage{p.ticks(14) + p.ticks(15) - s, p})
		}
	}
	slices.SortStableFunc(us, func(a, b usage) int {
		if a.diff != b.diff {
			return map[bool]int{true: -1, false: 1}[a.diff > b.diff]
		}
		return a.p.pid - b.p.pid
	})
	result := []any{}
	for _, u := range us[:min(len(us), max(int(num), 1))] {
		result = append(result, topInfo(u.p))
	}
	return result, nil
}

func topInfo(p *proc) body.Map {
	var cmd any = p.cmdline()
	if len(cmd.([]any)) == 0 {
		cmd = p.name()
	}
	cpu, mem := body.Map{}, body.Map{}
	for i, v := range p.cpuTimes() {
		cpu.Set(cpuTimeNames[i], v)
	}
	for i, v := range p.memoryInfo() {
		mem.Set(memoryInfoNames[i], v)
	}
	return body.Map{{Key: "cmd", Value: cmd}, {Key: "user", Value: p.username()}, {Key: "status", Value: p.status()},
		{Key: "pid", Value: int64(p.pid)}, {Key: "create_time", Value: p.createTime()}, {Key: "cpu", Value: cpu}, {Key: "mem", Value: mem}}
}

func psPgrep(c *Call) (any, error) {
	pattern := py.Str(c.Arg("pattern"))
	match := func(s string) bool { return strings.Contains(s, pattern) }
	if isTrue(c.Arg("pattern_is_regex")) {
		re, err := py.CompileFlags(pattern, 0)
		if err != nil {
			return nil, &Exception{Type: "re.error", Msg: err.Error()}
		}
		match = re.MatchString
	}
	var out []any
	for _, pid := range pids() {
		p, ok := readProcess(pid)
		if !ok {
			continue
		}
		line := p.name()
		if isTrue(c.Arg("full")) {
			var parts []string
			for _, a := range p.cmdline() {
				parts = append(parts, a.(string))
			}
			line = strings.Join(parts, " ")
		}
		if match(line) && (c.Arg("user") == nil || c.Arg("user") == p.username()) {
			out = append(out, int64(pid))
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func psKillPid(c *Call) (any, error) {
	pid, err := pyInt(c.Arg("pid"))
	if err != nil {
		return nil, err
	}
	sig, err := pyInt(c.Arg("signal"))
	if err != nil {
		return nil, err
	}
	if _, ok := readProcess(int(pid)); !ok || pid <= 0 {
		return false, nil
	}
	err = syscall.Kill(int(pid), syscall.Signal(sig))
	switch {
	case errors.Is(err, syscall.ESRCH):
		return false, nil
	case errors.Is(err, syscall.EPERM):
		return nil, &Exception{Type: "psutil.AccessDenied", Msg: fmt.Sprintf("(pid=%d)", pid)}
	case err != nil:
		return nil, &Exception{Type: "OSError", Msg: err.Error()}
	}
	return true, nil
}

// procAttrs are the psutil attributes proc_info gives, each read from
// /proc; psutil has more (open_files, connections, memory_maps, ...).
var procAttrs = map[string]func(p *proc) any{
	"pid":     func(p *proc) any { return int64(p.pid) },
	"ppid":    func(p *proc) any { return p.fieldInt(4) },
	"name":    func(p *proc) any { return p.name() },
	"cmdline": func(p *proc) any { return p.cmdline() },
	"status":  func(p *proc) any { return p.status() },
	"username": func(p *proc) any {
		if u := p.username(); u != nil {
			return u
		}
		return strconv.FormatInt(p.ids("Uid")[0].(int64), 10)
	},
	"uids":        func(p *proc) any { return p.ids("Uid") },
	"gids":        func(p *proc) any { return p.ids("Gid") },
	"create_time": func(p *proc) any { return p.createTime() },
	"num_threads": func(p *proc) any { return p.fieldInt(20) },
	"nice":        func(p *proc) any { return p.fieldInt(19) },
	"cpu_num":     func(p *proc) any { return p.fieldInt(39) },
	"exe":         func(p *proc) any { return linkOrNone(p.path("exe")) },
	"cwd":         func(p *proc) any { return linkOrNone(p.path("cwd")) },
	"num_fds": func(p *proc) any {
		ents, err := os.ReadDir(p.path("fd"))
		if err != nil {
			return nil
		}
		return int64(len(ents))
	},
	"cpu_times": func(p *proc) any {
		out := []any{}
		for _, v := range p.cpuTimes() {
			out = append(out, v)
		}
		return out
	},
	"memory_info": func(p *proc) any {
		out := []any{}
		for _, v := range p.memoryInfo() {
			out = append(out, v)
		}
		return out
	},
}

func linkOrNone(path string) any {
	if s, err := os.Readlink(path); err == nil {
		return s
	}
	return nil
}

func psProcInfo(c *Call) (any, error) {
	pid, err := pyInt(c.Arg("pid"))
	if err != nil {
		return nil, err
	}
	p, ok := readProcess(int(pid))
	if !ok {
		return nil, cmdErr("process no longer exists (pid=%d)", pid)
	}
	var names []string
	if attrs := c.Arg("attrs"); attrs != nil {
		for _, a := range splitInput(attrs) {
			name := py.Str(a)
			if procAttrs[name] == nil {
				return nil, &Exception{Type: "ValueError", Msg: fmt.Sprintf("invalid attr name '%s'", name)}
			}
			names = append(names, name)
		}
	} else {
		for name := range procAttrs {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	ret := body.Map{}
	for _, name := range names {
		ret.Set(name, procAttrs[name](p))
	}
	return ret, nil
}
