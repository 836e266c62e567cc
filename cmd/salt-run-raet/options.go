package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

// options are salt-run's command-line options (SaltRunOptionParser of
// Salt 3006), named after Salt's.
type options struct {
	configDir string
	timeout   int
	jid       string

	doc, async, quiet bool

	out                       string
	outIndent                 int
	outFile                   string
	outFileAppend             bool
	noColor, forceColor       bool
	stateOutput, stateVerbose string
	logLevel                  string
	version                   bool

	flags *pflag.FlagSet
}

func newRoot(o *options) *cobra.Command {
	root := cli.NewRoot(prog+" [options] <function> [arguments]",
		"salt-run is the frontend command for executing Salt Runners. Salt Runners are modules used to execute convenience functions on the Salt Master",
		"", cobra.ArbitraryArgs)
	f := root.Flags()
	f.StringVarP(&o.configDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.IntVarP(&o.timeout, "timeout", "t", 0, "Change the timeout, if applicable, for the running command (in seconds). Default: the master config's timeout (5).")
	f.StringVar(&o.jid, "jid", "", "Pass a JID to be used instead of generating one.")
	f.BoolVarP(&o.doc, "doc", "d", false, "Display documentation for runners, pass a runner or runner.function to see documentation on only that runner or function.")
	f.BoolVar(&o.doc, "documentation", false, "The same as --doc.")
	f.BoolVar(&o.async, "async", false, "Start the runner operation and immediately return control.")
	f.StringVar(&o.out, "out", "", "Print the output from the 'salt-run' command using the specified outputter: "+strings.Join(output.CLINames(), ", ")+", highstate (txt is also text).")
	f.StringVar(&o.out, "output", "", "The same as --out.")
	f.IntVar(&o.outIndent, "out-indent", 0, "Print the output indented by the provided value in spaces. Negative values disables indentation. Only applicable in outputters that support indentation.")
	f.IntVar(&o.outIndent, "output-indent", 0, "The same as --out-indent.")
	f.StringVar(&o.outFile, "out-file", "", "Write the output to the specified file.")
	f.StringVar(&o.outFile, "output-file", "", "The same as --out-file.")
	f.BoolVar(&o.outFileAppend, "out-file-append", false, "Append the output to the specified file.")
	f.BoolVar(&o.outFileAppend, "output-file-append", false, "The same as --out-file-append.")
	f.BoolVar(&o.noColor, "no-color", false, "Disable all colored output.")
	f.BoolVar(&o.noColor, "no-colour", false, "The same as --no-color.")
	f.BoolVar(&o.forceColor, "force-color", false, "Force colored output.")
	f.BoolVar(&o.forceColor, "force-colour", false, "The same as --force-color.")
	f.StringVar(&o.stateOutput, "state-output", "", "Override the configured state_output value for minion output. One of 'full', 'terse', 'mixed', 'changes' or 'filter'. Default: 'none'.")
	f.StringVar(&o.stateOutput, "state_output", "", "The same as --state-output.")
	f.StringVar(&o.stateVerbose, "state-verbose", "", "Override the configured state_verbose value for minion output. Set to True or False. Default: none.")
	f.StringVar(&o.stateVerbose, "state_verbose", "", "The same as --state-verbose.")
	f.BoolVar(&o.quiet, "quiet", false, "Do not display the results of the run.")
	f.StringVarP(&o.logLevel, "log-level", "l", "", "Console logging log level. One of "+strings.Join(saltlog.Levels, ", ")+". Default: the config's log_level ('warning').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	for _, alias := range []string{"documentation", "output", "output-indent", "output-file", "output-file-append",
		"no-colour", "force-colour", "state_output", "state_verbose"} {
		_ = f.MarkHidden(alias)
	}
	o.flags = f
	return root
}
