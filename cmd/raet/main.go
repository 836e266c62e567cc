// Command raet is a tool for people debugging a RAET network: it makes keys,
// and decodes road datagrams and lane pages into JSON.
//
//	raet keygen [--sigkey HEX] [--prikey HEX]
//	raet decode (--hex HEX | --file FILE) [--verkey HEX] [--prikey HEX --pubkey HEX] [--lane]
//	raet peer --name NAME [--port N] [--keep DIR] [--join HOST:PORT] [--send JSON]... [--expect N] [--echo] ...
//	raet lane --yard NAME [--lane NAME] [--dir DIR] [--to YARD --send JSON]... [--expect N] [--echo] ...
//
// Output is one JSON object per line on standard output. Exit status: 0 when
// all went well, 1 when a datagram could not be read or did not check out
// (bad signature, coat that does not open), 2 when the command line is wrong.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries an exit status out of a command whose output, if any,
// has already been written.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run executes the command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ex exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ex):
		return ex.code
	}
	fmt.Fprintf(stderr, "Error: %v\nRun 'raet --help' for usage.\n", err)
	return 2
}

func newRoot(stdin io.Reader, stdout io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "raet",
		Short:         "Make keys and decode datagrams of RAET, the Reliable Asynchronous Event Transport",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.AddCommand(newKeygen(stdout), newDecode(stdin, stdout), newPeer(stdout), newLane(stdout))
	return root
}
