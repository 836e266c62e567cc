// Package cli is the plumbing the salt-*-raet commands share, so that they
// keep Salt's command-line conventions in one place instead of one copy
// each: a refused command line printed as Salt's option parser prints it
// (exit status 64), --version, "Error: …" lines, the log levels -l takes,
// the warning for a missing configuration directory, the stop signals,
// and whether output goes to a terminal (colour). For the two daemons, salt-master-raet and salt-minion-raet, it also has
// their common options, pid files and the start of a detached copy (-d).
//
// What differs between the commands on purpose (their names, which config
// they load, the wording of their own messages) stays in each command and
// is passed in.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses (salt/defaults/exitcodes.py) the commands share.
const (
	ExitOK    = 0
	ExitError = 1  // EX_GENERIC
	ExitUsage = 64 // EX_USAGE
)

// LogLevels are Salt's log levels (salt/_logging LOG_LEVELS), lowest
// first, as -l/--log-level takes them.
var LogLevels = []string{"all", "garbage", "trace", "debug", "profile", "info", "warning", "error", "critical", "quiet"}

// UsageError is a command line a command refuses before doing anything;
// Execute and Refuse print it under the usage line.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError.
func Usagef(format string, args ...any) error { return UsageError{fmt.Sprintf(format, args...)} }

// Choices lists names as Salt's option parser does in "(choose from …)":
// each quoted, separated by ", ".
func Choices(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	return strings.Join(quoted, ", ")
}

// CheckLogLevel refuses a log level Salt does not have (any case); an
// empty level, the option not given, is fine. flag names the option in
// the message ("-l/--log-level", or "--log-level" where -l means another
// thing).
func CheckLogLevel(flag, level string) error {
	if level != "" && !slices.Contains(LogLevels, strings.ToLower(level)) {
		return Usagef("option %s: invalid choice: '%s' (choose from %s)", flag, level, Choices(LogLevels))
	}
	return nil
}

// NewRoot makes a command's cobra root to behave as Salt's option parser:
// Execute, not cobra, prints what is wrong with a command line; the usage
// line is use as written, without cobra's "[flags]"; help lists the flags
// in the order they are defined, Salt's order. args is what the command
// takes besides options (cobra.NoArgs, cobra.ArbitraryArgs).
func NewRoot(use, short, long string, args cobra.PositionalArgs) *cobra.Command {
	root := &cobra.Command{
		Use:                   use,
		Short:                 short,
		Long:                  long,
		Args:                  args,
		SilenceErrors:         true,
		SilenceUsage:          true,
		DisableFlagsInUseLine: true,
	}
	root.Flags().SortFlags = false
	return root
}

// Execute runs root on args with the given streams, root's RunE checking
// what the flags alone cannot (returning a UsageError). ok is true when
// the command is to go on; otherwise code is the exit status, what Salt
// prints for it printed: a refused command line as Refuse prints it
// (ExitUsage), cobra's help for --help (ExitOK), or "<prog> <version>"
// when *version was set by --version (ExitOK).
func Execute(root *cobra.Command, args []string, version *bool, stdin io.Reader, stdout, stderr io.Writer) (code int, ok bool) {
	ran := false // RunE accepted the command line: not --help
	check := root.RunE
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		if check != nil {
			if err := check(cmd, rest); err != nil {
				return err
			}
		}
		ran = true
		return nil
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		// Errors from cobra and pflag are about the command line too.
		return Refuse(stderr, root, err.Error()), false
	}
	if !ran {
		return ExitOK, false // --help
	}
	if version != nil && *version {
		PrintVersion(stdout, root.Name())
		return ExitOK, false
	}
	return ExitOK, true
}

// Refuse prints a refused command line as Salt's option parser does, the
// usage line being root's Use ("Usage: salt-key-raet [options]", a blank
// line, "salt-key-raet: error: <msg>"), and returns ExitUsage.
func Refuse(w io.Writer, root *cobra.Command, msg string) int {
	fmt.Fprintf(w, "Usage: %s\n\n%s: error: %s\n", root.Use, root.Name(), msg)
	return ExitUsage
}

// PrintError writes err as Salt's tools do ("Error: …"), one line per
// problem when a config load found several.
func PrintError(w io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "Error: %s\n", line)
	}
}

// WarnMissingConfigDir prints Salt's warning for a -c directory that does
// not exist (or is not a directory); the command goes on with the
// defaults, as Salt's does.
func WarnMissingConfigDir(w io.Writer, dir string) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(w, "WARNING: \"%s\" directory does not exist.\n", dir)
	}
}

// Version is the module version the program was built from, or "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// PrintVersion prints what --version prints: "<prog> <version>".
func PrintVersion(w io.Writer, prog string) {
	fmt.Fprintf(w, "%s %s\n", prog, Version())
}

// Hostname gives config.Loader a host name without the DNS look-up of
// config.FQDN, for the tools that load the master's config but never use
// its id (salt-key-raet, salt-raet): the loader derives a missing id from
// the host name, so a host whose name cannot give an id (localhost,
// ip6-…) must not stop them. It gets "<prog>.invalid", a placeholder
// that is never shown, written or sent.
func Hostname(prog string) func() (string, error) {
	return func() (string, error) {
		h, err := os.Hostname()
		h = strings.TrimSpace(h)
		if err != nil || h == "" || strings.HasPrefix(strings.ToLower(h), "localhost") || strings.HasPrefix(strings.ToLower(h), "ip6-") {
			return prog + ".invalid", nil
		}
		return h, nil
	}
}

// StopOnSignal returns a context that ends at SIGTERM or SIGINT, the
// signals that stop the daemons cleanly and interrupt the salt command's
// wait; stop releases them.
func StopOnSignal(ctx context.Context) (_ context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
}
