package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// saltutil.kill_job with the real daemons: the job runs in a process of
// its own (a child of the minion, not the minion), find_job shows that
// pid, kill_job ends it well before its 60 s with Salt's sentence, and the
// minion goes on answering.
func TestKillJob(t *testing.T) {
	c := newCluster(t, true)
	md := c.addMinion("m1")
	c.waitReady("m1")

	r := c.salt("--async", "m1", "test.sleep", "60")
	m := regexp.MustCompile(`job ID: (\d+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("--async test.sleep: %q %q", r.stdout, r.stderr)
	}
	jid := m[1]
	var pid float64
	eventually(t, "find_job to show the job", func() (bool, string) {
		r := c.salt("m1", "saltutil.find_job", jid, "--out", "json", "--static")
		var got map[string]map[string]any
		if json.Unmarshal([]byte(r.stdout), &got) != nil {
			return false, r.stdout + r.stderr
		}
		pid, _ = got["m1"]["pid"].(float64)
		return pid > 0, r.stdout
	})
	if int(pid) == md.cmd.Process.Pid {
		t.Fatalf("the job runs in the minion's own process %d", int(pid))
	}
	if ppid := parentOf(t, int(pid)); ppid != md.cmd.Process.Pid {
		t.Fatalf("the job's process %d is a child of %d, not of the minion %d", int(pid), ppid, md.cmd.Process.Pid)
	}

	began := time.Now()
	r = c.salt("m1", "saltutil.kill_job", jid, "--out", "json", "--static")
	want := fmt.Sprintf("Signal 9 sent to job %s at pid %d", jid, int(pid))
	if !strings.Contains(r.stdout, want) {
		t.Fatalf("kill_job: %q %q; want %q", r.stdout, r.stderr, want)
	}
	eventually(t, "the job's process to end", func() (bool, string) {
		_, err := os.Stat(fmt.Sprintf("/proc/%d", int(pid)))
		return err != nil, fmt.Sprint(err)
	})
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("the job ended %v after kill_job", d)
	}
	t.Logf("kill_job to the end of the job's process: %v", time.Since(began))
	if r := c.salt("m1", "test.ping"); r.code != 0 || !strings.Contains(r.stdout, "m1:\n    True") {
		t.Errorf("test.ping after kill_job: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	if md.cmd.ProcessState != nil {
		t.Errorf("the minion ended: %v", md.cmd.ProcessState)
	}
	if !strings.Contains(md.logText(), "was killed by signal 9") {
		t.Errorf("the minion's log does not report the killed job:\n%s", md.logText())
	}
}

// parentOf is the parent of a process, from /proc.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("process %d: %v", pid, err)
	}
	s := string(data)
	var ppid int
	fmt.Sscan(strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[1], &ppid)
	return ppid
}
