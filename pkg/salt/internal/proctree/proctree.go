// Package proctree finds the descendants of a process on Linux, from
// /proc, as psutil's Process.children(recursive=True) does for Salt: a
// minion kills a job with every process the job started.
package proctree

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// Descendants returns the pids of pid's descendants, children first, read
// from <procDir>/*/stat ("" is /proc). A process that ends while it is read
// is left out.
func Descendants(procDir string, pid int) []int {
	if procDir == "" {
		procDir = "/proc"
	}
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(procDir + "/" + e.Name() + "/stat"); ok {
			children[ppid] = append(children[ppid], child)
		}
	}
	var out []int
	queue := []int{pid}
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// Parent returns the pid of pid's parent; false when pid is gone.
func Parent(pid int) (int, bool) {
	return parentOf("/proc/" + strconv.Itoa(pid) + "/stat")
}

// parentOf reads the ppid of a /proc/<pid>/stat: the fourth field, counted
// after the command's closing parenthesis (the command may hold spaces
// and parentheses itself).
func parentOf(statPath string) (int, bool) {
	data, err := os.ReadFile(statPath)
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(data[i+1:])
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(fields[1]))
	return ppid, err == nil
}

// Signal sends sig to pid and to the descendants it has now, as Salt's
// signal_job with psutil's children(recursive=True). The descendants are
// listed first and signalled after pid: pid cannot see one of them end
// and go on (return, for a job) before its own signal comes, and the
// listed ones are signalled even once init has inherited them. The error
// says pid was not there to signal.
func Signal(pid int, sig syscall.Signal) error {
	below := Descendants("", pid)
	if err := syscall.Kill(pid, sig); err != nil {
		return err
	}
	for _, d := range below {
		_ = syscall.Kill(d, sig) // one that has ended since is no matter
	}
	return nil
}
