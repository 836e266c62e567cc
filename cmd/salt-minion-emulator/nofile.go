package main

import "syscall"

// raiseNoFile raises the soft limit of open files to the hard one: every
// emulated minion holds a UDP socket and, while it works, a few files, and
// the usual soft limit (1,024) stops a few hundred minions short of it.
func raiseNoFile() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return l.Cur, nil
}
