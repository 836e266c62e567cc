//go:build !unix

package main

import (
	"fmt"
	"io"
)

// daemonize is not supported here: run the master in the foreground under
// the system's service manager.
func daemonize(args []string, pidFile, logFile string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "Error: -d/--daemon is not supported on this system; run %s in the foreground under a service manager\n", prog)
	return exitError
}
