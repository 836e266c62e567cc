package modules

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func mapOf(t *testing.T, v any) body.Map {
	t.Helper()
	m, ok := v.(body.Map)
	if !ok {
		t.Fatalf("return %#v is not a mapping", v)
	}
	return m
}

func TestStatusParsers(t *testing.T) {
	mem := parseMeminfo("MemTotal:       24683784 kB\nHugePages_Total:       0\n")
	want := body.Map{{Key: "MemTotal", Value: body.Map{{Key: "value", Value: "24683784"}, {Key: "unit", Value: "kB"}}},
		{Key: "HugePages_Total", Value: body.Map{{Key: "value", Value: "0"}}}}
	if !reflect.DeepEqual(mem, want) {
		t.Errorf("meminfo = %#v", mem)
	}
	cpu := mapOf(t, parseCpuinfo("processor\t: 0\nflags\t\t: fpu vme\n\nprocessor\t: 1\nmodel name\t: Xeon: fast\n"))
	if v, _ := cpu.Get("processor"); v != "1" {
		t.Errorf("cpuinfo keeps the last processor, got %v", v)
	}
	if v, _ := cpu.Get("flags"); !reflect.DeepEqual(v, []any{"fpu", "vme"}) {
		t.Errorf("cpuinfo flags = %#v", v)
	}
	if v, _ := cpu.Get("model name"); v != "Xeon" { // Salt's split(":")[1]
		t.Errorf("cpuinfo model name = %#v", v)
	}
	st := mapOf(t, parseCpustats("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 11 0\nintr 100 1 2\nbtime 17\n"))
	if c, _ := st.Get("cpu"); !reflect.DeepEqual(c.(body.Map).Keys(), []string{"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}) {
		t.Errorf("cpustats cpu = %#v", c)
	}
	if v, _ := st.Get("cpu0"); v != int64(11) {
		t.Errorf("cpustats cpu0 = %#v", v)
	}
	if v, _ := st.Get("intr"); !reflect.DeepEqual(v, body.Map{{Key: "total", Value: int64(100)}, {Key: "irqs", Value: []any{int64(1), int64(2)}}}) {
		t.Errorf("cpustats intr = %#v", v)
	}
	ns := mapOf(t, parseNetstats("TcpExt: A B C\nTcpExt: 1 2 3\nIpExt: X Y\nIpExt: 7 8\n"))
	if !reflect.DeepEqual(ns, body.Map{{Key: "TcpExt", Value: body.Map{{Key: "A", Value: int64(1)}, {Key: "B", Value: int64(2)}}}, {Key: "IpExt", Value: body.Map{{Key: "X", Value: int64(7)}}}}) {
		t.Errorf("netstats = %#v (Salt leaves out the last column)", ns)
	}
	nd := mapOf(t, parseNetdev("Inter-|   Receive\n face |bytes\n  eth0: 10 2 0 0 0 0 0 0 20 3 0 0 0 0 0 0\n"))
	e0, _ := nd.Get("eth0")
	if rx, _ := e0.(body.Map).Get("rx_bytes"); rx != int64(10) {
		t.Errorf("netdev eth0 = %#v", e0)
	}
	if tx, _ := e0.(body.Map).Get("tx_packets"); tx != int64(3) {
		t.Errorf("netdev eth0 = %#v", e0)
	}
	for in, want := range map[string]any{"12": int64(12), "1.5": 1.5, "abc": "abc", "-3": float64(-3)} {
		if got := statNumber(in); got != want {
			t.Errorf("statNumber(%q) = %#v, want %#v", in, got, want)
		}
	}
}

func TestStatusLive(t *testing.T) {
	e := New(Options{})
	up := mapOf(t, run(e, "status.uptime").Return)
	data, _ := os.ReadFile("/proc/uptime")
	f, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	if s, _ := up.Get("seconds"); s.(int64) > int64(f)+1 || s.(int64) < int64(f)-60 {
		t.Errorf("uptime seconds %v, /proc/uptime says %v", s, f)
	}
	if !reflect.DeepEqual(up.Keys()[:5], []string{"seconds", "since_iso", "since_t", "days", "time"}) {
		t.Errorf("uptime keys %v", up.Keys())
	}
	load := mapOf(t, run(e, "status.loadavg").Return)
	if !reflect.DeepEqual(load.Keys(), []string{"1-min", "5-min", "15-min"}) {
		t.Errorf("loadavg = %#v", load)
	}
	du := mapOf(t, run(e, "status.diskusage", "/").Return)
	root, _ := du.Get("/")
	if tot, _ := root.(body.Map).Get("total"); tot.(int64) <= 0 {
		t.Errorf("diskusage / = %#v", du)
	}
	all := mapOf(t, run(e, "status.all_status").Return)
	if !reflect.DeepEqual(all.Keys(), []string{"cpuinfo", "cpustats", "diskstats", "diskusage", "loadavg", "meminfo", "netdev", "netstats", "uptime", "vmstats", "w"}) {
		t.Errorf("all_status keys %v", all.Keys())
	}
}

// TestStatusProcsAndPid: a process this test starts shows in status.procs
// and status.pid finds it by a regular expression of its command line. It
// is a grandchild: status.pid skips every ps line that mentions the
// minion's pid, its children's (PPID) too, as Salt does.
func TestStatusProcsAndPid(t *testing.T) {
	if _, err := exec.LookPath("ps"); err != nil {
		t.Skip("no ps(1) here (procps), which the ps grain's command needs")
	}
	cmd := exec.Command("sh", "-c", "sleep 3600.0417 & echo $!; wait")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Fscan(stdout, &n); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(n, syscall.SIGKILL); cmd.Wait() })
	g := map[string]any{"ps": "ps -efHww"}
	e := New(Options{Grains: func() map[string]any { return g }})
	pid := strconv.Itoa(n)
	procs := mapOf(t, run(e, "status.procs").Return)
	p, ok := procs.Get(pid)
	if !ok {
		t.Fatalf("status.procs lacks pid %s", pid)
	}
	if c, _ := p.(body.Map).Get("cmd"); !strings.Contains(c.(string), "sleep 3600.0417") {
		t.Errorf("procs[%s] = %#v", pid, p)
	}
	wantOK(t, run(e, "status.pid", `sleep 360+\.0417`), pid)
	wantOK(t, run(e, "status.pid", "no-such-process-xyzzy"), "")
}
