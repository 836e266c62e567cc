package modules

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// statusFuncs is Salt's status module (salt/modules/status.py) for Linux:
// the kernel's /proc files parsed as Salt parses them, keys in the order
// Salt inserts them.
func statusFuncs() []Func {
	procFile := func(name, doc string, parse func(string) any) Func {
		return Func{Name: "status." + name, Doc: doc, Call: func(c *Call) (any, error) {
			return parse(readProc(statusProcPaths[name])), nil
		}}
	}
	return []Func{
		{Name: "status.uptime", Doc: "Return the uptime of this minion: seconds, since_iso, since_t, days, time and users.\n\nCLI Example: salt '*' status.uptime", Call: statusUptime},
		{Name: "status.loadavg", Doc: "Return the load averages for this minion.\n\nCLI Example: salt '*' status.loadavg", Call: statusLoadavg},
		procFile("meminfo", "Return the memory info for this minion (/proc/meminfo).\n\nCLI Example: salt '*' status.meminfo", parseMeminfo),
		procFile("cpuinfo", "Return the CPU info for this minion (/proc/cpuinfo).\n\nCLI Example: salt '*' status.cpuinfo", parseCpuinfo),
		procFile("cpustats", "Return the CPU stats for this minion (/proc/stat).\n\nCLI Example: salt '*' status.cpustats", parseCpustats),
		procFile("diskstats", "Return the disk stats for this minion (/proc/diskstats).\n\nCLI Example: salt '*' status.diskstats", parseDiskstats),
		procFile("vmstats", "Return the virtual memory stats for this minion (/proc/vmstat).\n\nCLI Example: salt '*' status.vmstats", parseVmstats),
		procFile("netstats", "Return the network stats for this minion (/proc/net/netstat).\n\nCLI Example: salt '*' status.netstats", parseNetstats),
		procFile("netdev", "Return the network device stats for this minion (/proc/net/dev).\n\nCLI Example: salt '*' status.netdev", parseNetdev),
		{Name: "status.diskusage", VarArgs: true, Doc: "Return the disk usage for this minion: mount points or file system types (globs) given, else all.\n\nCLI Example: salt '*' status.diskusage [paths and/or filesystem types]", Call: func(c *Call) (any, error) {
			return statusDiskusage(c.Args), nil
		}},
		{Name: "status.procs", Doc: "Return the process data: {pid: {user, cmd}}, from the ps grain's command.\n\nCLI Example: salt '*' status.procs", Call: statusProcs},
		{Name: "status.pid", Params: []Param{{Name: "sig", Required: true}}, Doc: "Return the PIDs of the processes whose ps line matches the regular expression sig, one a line.\n\nCLI Example: salt '*' status.pid <sig>", Call: statusPid},
		{Name: "status.w", Doc: "Return a list of logged in users for this minion, using the w command.\n\nCLI Example: salt '*' status.w", Call: func(c *Call) (any, error) {
			return statusW(c), nil
		}},
		{Name: "status.all_status", Doc: "Return a composite of all status data and info for this minion.\n\nCLI Example: salt '*' status.all_status", Call: statusAll},
	}
}

// statusProcPaths are the files the /proc parsers read; tests do not
// change them, they read this machine's.
var statusProcPaths = map[string]string{
	"meminfo": "/proc/meminfo", "cpuinfo": "/proc/cpuinfo", "cpustats": "/proc/stat",
	"diskstats": "/proc/diskstats", "vmstats": "/proc/vmstat", "netstats": "/proc/net/netstat",
	"netdev": "/proc/net/dev",
}

// readProc is the file's text, "" when it cannot be read (Salt returns {}
// then).
func readProc(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func statusAll(c *Call) (any, error) {
	up, err := statusUptime(c)
	if err != nil {
		return nil, err
	}
	load, err := statusLoadavg(c)
	if err != nil {
		return nil, err
	}
	proc := func(name string, parse func(string) any) any { return parse(readProc(statusProcPaths[name])) }
	return body.Map{
		{Key: "cpuinfo", Value: proc("cpuinfo", parseCpuinfo)},
		{Key: "cpustats", Value: proc("cpustats", parseCpustats)},
		{Key: "diskstats", Value: proc("diskstats", parseDiskstats)},
		{Key: "diskusage", Value: statusDiskusage(nil)},
		{Key: "loadavg", Value: load},
		{Key: "meminfo", Value: proc("meminfo", parseMeminfo)},
		{Key: "netdev", Value: proc("netdev", parseNetdev)},
		{Key: "netstats", Value: proc("netstats", parseNetstats)},
		{Key: "uptime", Value: up},
		{Key: "vmstats", Value: proc("vmstats", parseVmstats)},
		{Key: "w", Value: statusW(c)},
	}, nil
}

// statusUptime is status.uptime on Linux. users counts the lines of
// `who -s` as Salt does, so a host nobody is logged in to says 1.
func statusUptime(c *Call) (any, error) {
	now := time.Now()
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return nil, cmdErr("File /proc/uptime was not found.")
	}
	f := strings.Fields(string(data))
	up, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return nil, cmdErr("File /proc/uptime was not found.")
	}
	secs := int64(up)
	nowF := float64(now.UnixNano()) / 1e9
	boot := time.Unix(0, int64((nowF-float64(secs))*1e9)).UTC()
	ut := now.UTC().Sub(boot)
	days := int64(ut / (24 * time.Hour))
	rest := int64((ut % (24 * time.Hour)) / time.Second)
	ret := body.Map{
		{Key: "seconds", Value: secs},
		{Key: "since_iso", Value: pyIsoformat(boot)},
		{Key: "since_t", Value: int64(nowF - float64(secs))},
		{Key: "days", Value: days},
		{Key: "time", Value: fmt.Sprintf("%d:%d", rest/3600, rest%3600/60)},
	}
	if lookPath("who", os.Getenv("PATH")) != "" {
		ret.Set("users", int64(len(strings.Split(hostOutput(c.Ctx, "who", "-s"), "\n"))))
	}
	return ret, nil
}

// pyIsoformat is datetime.isoformat of a naive UTC time: microseconds
// only when there are any.
func pyIsoformat(t time.Time) string {
	if us := t.Nanosecond() / 1000; us != 0 {
		return t.Format("2006-01-02T15:04:05") + fmt.Sprintf(".%06d", us)
	}
	return t.Format("2006-01-02T15:04:05")
}

// statusLoadavg is os.getloadavg: the kernel's figures unrounded
// (sysinfo's, scaled by 1<<16), where /proc/loadavg rounds to hundredths.
func statusLoadavg(*Call) (any, error) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return nil, cmdErr("status.loadavag is not available on your platform")
	}
	ret := body.Map{}
	for i, k := range []string{"1-min", "5-min", "15-min"} {
		ret.Set(k, float64(si.Loads[i])/65536)
	}
	return ret, nil
}

// statusDiskusage is status.diskusage: args starting with / are mount
// points, others fstype globs matched against /proc/mounts; none means
// every file system. Salt lists them in set order; here they are sorted.
func statusDiskusage(args []any) any {
	selected := map[string]bool{}
	var fstypes []string
	if len(args) == 0 {
		fstypes = []string{"*"}
	}
	for _, a := range args {
		s := py.Str(a)
		if strings.HasPrefix(s, "/") {
			selected[s] = true
		} else {
			fstypes = append(fstypes, s)
		}
	}
	if len(fstypes) > 0 {
		data, err := os.ReadFile("/proc/mounts")
		if err != nil {
			return body.Map{}
		}
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && slices.ContainsFunc(fstypes, func(p string) bool { return py.Fnmatch(f[2], p) }) {
				selected[f[1]] = true
			}
		}
	}
	ret := body.Map{}
	for _, path := range slices.Sorted(maps.Keys(selected)) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(path, &st); err != nil {
			continue
		}
		ret.Set(path, body.Map{{Key: "available", Value: int64(st.Bavail) * st.Bsize}, {Key: "total", Value: int64(st.Blocks) * st.Bsize}})
	}
	return ret
}
