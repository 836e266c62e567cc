//go:build unix

package cli

import "syscall"

// detachedAttr starts a process in a session of its own, without a
// controlling terminal.
func detachedAttr() (*syscall.SysProcAttr, error) {
	return &syscall.SysProcAttr{Setsid: true}, nil
}
