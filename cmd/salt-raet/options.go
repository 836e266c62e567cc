package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

// options are the command-line options, named after Salt's.
type options struct {
	configDir string
	timeout   int

	pcre, list, grain, grainPCRE, ipcidr, compound bool
	pillar, pillarPCRE                             bool
	nodegroup                                      bool
	returner, returnConfig, returnKwargs           string // --return, --return_config, --return_kwargs (returners.go)

	async, verbose, showJID, static, hideTimeout bool
	out                                          string
	outIndent                                    int
	noColor, forceColor                          bool
	stateOutput, stateVerbose                    string
	logLevel                                     string
	delimiter, argsSeparator                     string
	version                                      bool
	batch, outFile                               string // -b, --out-file (batch.go, outfile.go)
	batchWait                                    float64
	summary, progress, outFileAppend             bool
	eauth                                        eauthOptions // -a, -T, --username, --password (eauth.go)

	flags *pflag.FlagSet
}

func newRoot(o *options) *cobra.Command {
	root := cli.NewRoot(prog+" [options] '<target>' <function> [arguments]",
		"Publish a job to the minions of a Salt master on RAET and print their returns", "",
		cobra.ArbitraryArgs)
	f := root.Flags()
	f.StringVarP(&o.configDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.IntVarP(&o.timeout, "timeout", "t", 0, "Change the timeout, if applicable, for the running command (in seconds). Default: the master config's timeout (5).")
	f.BoolVarP(&o.pcre, "pcre", "E", false, "Instead of using shell globs to evaluate the target servers, use pcre regular expressions.")
	f.BoolVarP(&o.list, "list", "L", false, "Instead of using shell globs to evaluate the target servers, take a comma or whitespace delimited list of servers.")
	f.BoolVarP(&o.grain, "grain", "G", false, "Instead of using shell globs to evaluate the target use a grain value to identify targets, the syntax for the target is the grain key followed by a glob expression: \"os:Arch*\".")
	f.BoolVarP(&o.grainPCRE, "grain-pcre", "P", false, "Instead of using shell globs to evaluate the target use a grain value to identify targets, the syntax for the target is the grain key followed by a pcre regular expression: \"os:Arch.*\".")
	f.BoolVarP(&o.pillar, "pillar", "I", false, "Instead of using shell globs to evaluate the target use a pillar value to identify targets, the syntax for the target is the pillar key followed by a glob expression: \"role:production*\".")
	f.BoolVarP(&o.pillarPCRE, "pillar-pcre", "J", false, "Instead of using shell globs to evaluate the target use a pillar value to identify targets, the syntax for the target is the pillar key followed by a pcre regular expression: \"role:prod.*\".")
	f.BoolVarP(&o.ipcidr, "ipcidr", "S", false, "Match based on Subnet (CIDR notation) or IP address.")
	addNodegroupAndReturnFlags(f, o)
	f.BoolVarP(&o.compound, "compound", "C", false, "The compound target option allows for multiple target types to be evaluated, allowing for greater granularity in target matching.")
	f.BoolVar(&o.async, "async", false, "Run the salt command but don't wait for a reply.")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "Turn on command verbosity, display jid and active job queries.")
	f.BoolVar(&o.showJID, "show-jid", false, "Display jid without the additional output of --verbose.")
	f.BoolVar(&o.hideTimeout, "hide-timeout", false, "Hide minions that timeout.")
	f.BoolVarP(&o.static, "static", "s", false, "Return the data from minions as a group after they all return.")
	f.StringVar(&o.out, "out", "", "Print the output from the 'salt' command using the specified outputter: "+strings.Join(output.CLINames(), ", ")+" (txt is also text).")
	f.StringVar(&o.out, "output", "", "The same as --out.")
	f.IntVar(&o.outIndent, "out-indent", 0, "Print the output indented by the provided value in spaces. Negative values disable indentation. Only applicable in outputters that support indentation (json).")
	f.IntVar(&o.outIndent, "output-indent", 0, "The same as --out-indent.")
	f.BoolVar(&o.noColor, "no-color", false, "Disable all colored output.")
	f.BoolVar(&o.noColor, "no-colour", false, "The same as --no-color.")
	f.BoolVar(&o.forceColor, "force-color", false, "Force colored output.")
	f.BoolVar(&o.forceColor, "force-colour", false, "The same as --force-color.")
	f.StringVar(&o.stateOutput, "state-output", "", "Override the configured state_output value for minion output. One of 'full', 'terse', 'mixed', 'changes' or 'filter' (and 'full_id', 'terse_id', 'mixed_id', 'changes_id'). Default: the config's state_output ('full').")
	f.StringVar(&o.stateOutput, "state_output", "", "The same as --state-output.")
	f.StringVar(&o.stateVerbose, "state-verbose", "", "Override the configured state_verbose value for minion output. Set to True or False. Default: the config's state_verbose (True).")
	f.StringVar(&o.stateVerbose, "state_verbose", "", "The same as --state-verbose.")
	f.StringVar(&o.delimiter, "delimiter", job.DefaultTargetDelim, "Change the default delimiter for matching in multi-level data structures.")
	f.StringVar(&o.argsSeparator, "args-separator", ",", "Set the special argument used as a delimiter between command arguments of compound commands.")
	f.StringVarP(&o.logLevel, "log-level", "l", "", "Console logging log level. One of "+strings.Join(saltlog.Levels, ", ")+". Default: the config's log_level ('warning').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	o.addBatchFlags(f)
	addEauthFlags(f, &o.eauth)
	o.addOutputFlags(f)
	for _, alias := range []string{"output", "output-indent", "no-colour", "force-colour", "state_output", "state_verbose", "batch", "output-file", "output-file-append"} {
		_ = f.MarkHidden(alias)
	}
	o.flags = f
	return root
}

// tgtType is the target type the flags select (Salt's
// selected_target_option), glob when none does.
func (o *options) tgtType() (string, error) {
	var picked []string
	for _, t := range []struct {
		set        bool
		name, flag string
	}{
		{o.pcre, "pcre", "-E/--pcre"},
		{o.list, "list", "-L/--list"},
		{o.grain, "grain", "-G/--grain"},
		{o.grainPCRE, "grain_pcre", "-P/--grain-pcre"},
		{o.pillar, "pillar", "-I/--pillar"},
		{o.pillarPCRE, "pillar_pcre", "-J/--pillar-pcre"},
		{o.ipcidr, "ipcidr", "-S/--ipcidr"},
		{o.compound, "compound", "-C/--compound"},
		{o.nodegroup, "nodegroup", "-N/--nodegroup"},
	} {
		if t.set {
			picked = append(picked, t.name+" "+t.flag)
		}
	}
	switch len(picked) {
	case 0:
		return "glob", nil
	case 1:
		return strings.Fields(picked[0])[0], nil
	}
	flags := make([]string, len(picked))
	for i, p := range picked {
		flags[i] = strings.Fields(p)[1]
	}
	return "", cli.Usagef("The options %s are mutually exclusive. Please only choose one of them", strings.Join(flags, ", "))
}
