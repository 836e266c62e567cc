// Command salt-raet is the salt command for a Salt master on RAET: it
// publishes a job to the master over the lane and prints each minion's
// return as it arrives, with the flags, output and exit statuses of Salt
// 3006's salt (spec/salt-raet.md 3.1 and 4.3, docs/salt-messages.md).
//
//	salt-raet [options] TARGET FUNCTION [ARGUMENT ...]
//
// TARGET is a glob of minion ids unless -E (pcre), -L (list), -G (grain),
// -P (grain_pcre), -S (ipcidr) or -C (compound) says otherwise; the master
// decides which target types it serves. Arguments are typed as the salt
// command types them (YAML: 1 is an integer, [a, b] a list), and
// key=value arguments become keyword arguments. FUNCTION may be a
// comma-separated list of functions (a compound command), their arguments
// separated by --args-separator (",").
//
// # How it talks to the master
//
// It reads the master's config (-c, default /etc/salt): sock_dir, where the
// master's manor yard listens; cachedir, which holds the access key
// .<user>_key the master wrote for the user it runs as; timeout (-t) and
// gather_job_timeout. It opens two yards on lane "master" in sock_dir,
// subscribes to the master's events from one, publishes from the other,
// and prints each salt/job/<jid>/ret/<id> event as it comes. After the
// timeout it asks the minions still missing with saltutil.find_job and
// waits on while any of them still runs the job (each round up to
// gather_job_timeout; a round ends early once every minion asked has said
// it does not run it). A minion that did not return is printed as
// "Minion did not return. [No response]", or "[Not delivered]" when the
// master never reported the publish as delivered to it. A master restarted
// while the command waits is subscribed to again, with the access key it
// wrote anew, and the returns it stored in its job cache (<cachedir>/jobs)
// meanwhile are printed.
//
// # Output
//
// Each return is printed with --out if given, else the outputter the
// return names, else nested: "<id>:" and the value indented, exactly as
// Salt 3006 prints it, in colour only on a terminal (--force-color,
// --no-color). --out json prints one JSON document per minion (indent 4,
// or --out-indent; a negative indent gives one line); --static prints one
// document with every minion once all are in. -v prints "Executing job
// with jid <jid>" and a dashed line first; --show-jid prints "jid: <jid>";
// --async prints "Executed command with job ID: <jid>" and does not wait.
//
// # Exit status
//
//	0   every minion returned with retcode 0 (and --async: the job was sent)
//	1   a minion returned a non-zero retcode, or did not return (it counts
//	    as retcode 1, as in Salt 3006): "ERROR: Minions returned with
//	    non-zero exit code" on stderr; also an interrupted wait
//	2   nothing came back ("ERROR: No return received"), including a
//	    target that matched no minion; the master could not be reached, or
//	    refused the publish; the access key could not be read; a bad config
//	42  an empty target or a compound command whose arguments do not
//	    match its functions (Salt's messages)
//	64  a command line Salt would refuse: an unknown option or outputter,
//	    no function, two target types at once
//
// Deviations from Salt 3006, each so that nothing goes unreported: with
// --hide-timeout, a job of which nothing came back at all exits 2 with
// "ERROR: No return received" (Salt prints nothing and exits 0); --static
// lists the minions that did not return and exits as without --static
// (Salt's --static runs through its batch mode, which drops minions that
// do not answer a first ping and always exits 0); the not-returned notice
// does not add Salt's hint to run salt-run jobs.lookup_jid, which this
// suite does not have.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-raet"

// Exit statuses (salt/defaults/exitcodes.py and what salt/cli/salt.py
// exits with).
const (
	exitOK        = cli.ExitOK    // also --help and --version (cli.Execute)
	exitGeneric   = 1             // EX_GENERIC: a minion failed or did not return
	exitNoReturn  = 2             // nothing came back, or no master
	exitNoTarget  = 42            // Salt's exit for a missing target
	exitUsage     = cli.ExitUsage // EX_USAGE, as cli.Execute and cli.Refuse return it
	noMatchNotice = "No minions matched the target. No command was sent, no jid was assigned."
)

func main() {
	ctx, stop := cli.StopOnSignal(context.Background())
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the exit status: main without
// the process, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// options are the command-line options, named after Salt's.
type options struct {
	configDir string
	timeout   int

	pcre, list, grain, grainPCRE, ipcidr, compound bool

	async, verbose, showJID, static, hideTimeout bool
	out                                          string
	outIndent                                    int
	noColor, forceColor                          bool
	logLevel                                     string
	delimiter, argsSeparator                     string
	version                                      bool

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
	f.BoolVarP(&o.ipcidr, "ipcidr", "S", false, "Match based on Subnet (CIDR notation) or IP address.")
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
	f.StringVar(&o.delimiter, "delimiter", job.DefaultTargetDelim, "Change the default delimiter for matching in multi-level data structures.")
	f.StringVar(&o.argsSeparator, "args-separator", ",", "Set the special argument used as a delimiter between command arguments of compound commands.")
	f.StringVarP(&o.logLevel, "log-level", "l", "", "Console logging log level. One of "+strings.Join(saltlog.Levels, ", ")+". Default: the config's log_level ('warning').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	for _, alias := range []string{"output", "output-indent", "no-colour", "force-colour"} {
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
		{o.ipcidr, "ipcidr", "-S/--ipcidr"},
		{o.compound, "compound", "-C/--compound"},
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

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	root := newRoot(&o)
	var rest []string
	root.RunE = func(cmd *cobra.Command, a []string) error {
		rest = a
		return nil
	}
	if code, ok := cli.Execute(root, args, &o.version, stdin, stdout, stderr); !ok {
		return code
	}
	fail := func(msg string) int { return cli.Refuse(stderr, root, msg) }
	tgtType, err := o.tgtType()
	if err != nil {
		return fail(err.Error())
	}
	if o.out != "" {
		if _, ok := output.CLICanonical(o.out); !ok {
			return fail(fmt.Sprintf("option --out: invalid outputter '%s' (choose from %s)", o.out, strings.Join(output.CLINames(), ", ")))
		}
	}
	if o.logLevel != "" {
		if _, err := saltlog.ParseLevel(o.logLevel); err != nil {
			return fail(fmt.Sprintf("option --log-level: %v", err))
		}
	}
	if o.noColor && o.forceColor {
		return fail("--no-color and --force-color cannot be used together")
	}
	if o.timeout < 0 {
		return fail(fmt.Sprintf("option -t/--timeout: %d is not a timeout", o.timeout))
	}
	if len(rest) < 2 {
		return fail("a target and a function are required: salt-raet '<target>' <function> [arguments]")
	}
	if rest[0] == "" {
		fmt.Fprintln(stderr, "Cannot execute command without defining a target.")
		return exitNoTarget
	}
	j := &saltCmd{o: &o, tgtType: tgtType, stdout: stdout, stderr: stderr}
	return j.run(ctx, rest[0], rest[1], rest[2:])
}

// saltCmd is one run of the salt command once its command line is read.
type saltCmd struct {
	o       *options
	tgtType string
	stdout  io.Writer
	stderr  io.Writer
	log     *logrus.Logger
	cfg     *config.Master
	outOpts output.CLIOptions
}

func (s *saltCmd) errorf(format string, args ...any) {
	fmt.Fprintf(s.stderr, "ERROR: "+format+"\n", args...)
}

func (s *saltCmd) run(ctx context.Context, tgtArg, funArg string, argv []string) int {
	o := s.o
	var tgt any = tgtArg
	if s.tgtType == "list" {
		tgt = job.SplitListTarget(tgtArg)
	}
	var fun any = funArg
	var arg []any
	if job.IsCompound(funArg) {
		funs, lists, err := job.SplitCompound(funArg, argv, o.argsSeparator)
		if err != nil {
			fmt.Fprintln(s.stderr, err)
			return exitNoTarget
		}
		fun = funs
		arg = make([]any, len(lists))
		for i, l := range lists {
			arg[i] = l
		}
	} else {
		arg = job.ParseInput(argv)
	}

	// The salt command never uses the master's id: see cli.Hostname.
	loader := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}
	cfg, err := loader.LoadMaster(o.configDir)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			s.errorf("%s", line)
		}
		return exitNoReturn
	}
	s.cfg = cfg
	level := cfg.LogLevel
	if o.logLevel != "" {
		level = o.logLevel
	}
	if s.log, err = saltlog.New(level, s.stderr, ""); err != nil {
		s.log, _ = saltlog.New("warning", s.stderr, "")
	}
	for _, f := range cfg.Files {
		s.log.Debugf("Read configuration from %s", f)
	}
	s.outOpts = output.CLIOptions{Color: o.forceColor || (!o.noColor && cli.IsTerminal(s.stdout))}
	if o.flags.Changed("out-indent") || o.flags.Changed("output-indent") {
		n := o.outIndent
		s.outOpts.OutputIndent = &n
	} else {
		switch v := cfg.Raw["output_indent"].(type) {
		case int:
			s.outOpts.OutputIndent = &v
		case string:
			s.outOpts.Pretty = v == "pretty"
		}
	}
	timeout := time.Duration(o.timeout) * time.Second
	if o.timeout <= 0 {
		timeout = time.Duration(cfg.Timeout) * time.Second
	}

	loadUser, keyUser := users(cfg.User)
	keyPath := filepath.Join(cfg.Cachedir, "."+keyUser+"_key")
	key, err := os.ReadFile(keyPath)
	if err != nil {
		s.errorf("cannot read the master's access key for user %s: %v", keyUser, err)
		fmt.Fprintf(s.stderr, "salt-master-raet writes %s for the user it runs as (cachedir is set in %s); run %s as that user, normally root.\n", keyPath, cfg.ConfFile, prog)
		return exitNoReturn
	}
	s.log.Debugf("Using the access key in %s, publishing as %s", keyPath, loadUser)

	// The job cache is where returns are found that came while the master
	// was being restarted under this command (the client reads it then).
	cache, err := masterJobCache(cfg)
	if err != nil {
		s.log.Warnf("Returns the master stores while it restarts cannot be read: %v", err)
	}
	c, err := client.New(client.Config{
		SockDir:          cfg.SockDir,
		Key:              string(key),
		KeyFile:          keyPath,
		JobCache:         cache,
		User:             loadUser,
		GatherJobTimeout: time.Duration(cfg.GatherJobTimeout) * time.Second,
		ReplyTimeout:     max(timeout, 5*time.Second),
		Log:              s.log,
	})
	if err != nil {
		s.errorf("%v", err)
		return exitNoReturn
	}
	defer c.Close()

	showTimeout := !o.hideTimeout
	kwargs := job.CLIKwargs(showTimeout, o.showJID, o.delimiter, !o.async)
	if o.async {
		kwargs.Set("listen", false)
	}
	jid, minions, err := c.Publish(ctx, tgt, s.tgtType, fun, arg, kwargs)
	switch {
	case errors.Is(err, client.ErrNoMinions):
		fmt.Fprintln(s.stdout, noMatchNotice)
		if o.async {
			return exitNoReturn
		}
		s.display(body.Map{}, "", 0)
		s.errorf("No return received")
		return exitNoReturn
	case ctx.Err() != nil:
		fmt.Fprintln(s.stderr, "\nExiting gracefully on Ctrl-c")
		return exitGeneric
	case err != nil:
		var pe *client.PublishError
		if errors.As(err, &pe) {
			s.errorf("the master refused the publish: %v", pe)
			if pe.Name == "AuthenticationError" {
				fmt.Fprintf(s.stderr, "The access key in %s is not the one the master holds for %s.\n", keyPath, keyUser)
			}
		} else {
			s.errorf("%v", err)
		}
		return exitNoReturn
	}
	if o.async {
		fmt.Fprintf(s.stdout, "Executed command with job ID: %s\n", jid)
		return exitOK
	}
	if !o.static {
		if o.verbose {
			msg := "Executing job with jid " + jid
			fmt.Fprintf(s.stdout, "%s\n%s\n\n", msg, strings.Repeat("-", len(msg)))
		} else if o.showJID {
			fmt.Fprintf(s.stdout, "jid: %s\n", jid)
		}
	}

	showMissing := showTimeout || o.verbose
	var static body.Map
	shown, failed := 0, false
	for r := range c.Returns(ctx, jid, minions, timeout) {
		if r.Missing != "" && !showMissing {
			continue
		}
		shown++
		if r.Retcode != 0 {
			failed = true
		}
		if o.static {
			static = append(static, body.Item{Key: r.ID, Value: r.Ret})
			continue
		}
		s.display(body.Map{{Key: r.ID, Value: r.Ret}}, r.Out, r.Retcode)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(s.stderr, "\nExiting gracefully on Ctrl-c\nThis job's jid is: %s\nThe minions may not have all finished running and any remaining minions will return upon completion.\n", jid)
		return exitGeneric
	}
	if o.static && shown > 0 {
		s.display(static, "", 0)
	}
	if shown == 0 {
		s.errorf("No return received")
		return exitNoReturn
	}
	if failed {
		fmt.Fprintln(s.stderr, "ERROR: Minions returned with non-zero exit code")
		return exitGeneric
	}
	return exitOK
}

// masterJobCache opens the master's job cache, which the master made:
// nil, and no directory created, when it is not there.
func masterJobCache(cfg *config.Master) (*job.Cache, error) {
	if _, err := os.Stat(filepath.Join(cfg.Cachedir, "jobs")); errors.Is(err, os.ErrNotExist) {
		return nil, nil // a master with no job cache yet (or elsewhere): nothing to read
	} else if err != nil {
		return nil, err
	}
	return job.OpenCache(cfg.Cachedir, cfg.HashType)
}

// display prints one return (or the --static group) the way
// SaltCMD._output_ret does: --out wins, then the outputter the return
// names, then nested; one Salt does not know falls back to nested.
func (s *saltCmd) display(data body.Map, out string, retcode int) {
	name := s.o.out
	if name == "" {
		name = out
	}
	if name == "" {
		name = "nested"
	}
	if _, ok := output.CLICanonical(name); !ok {
		s.log.Errorf("Invalid outputter %s specified, fall back to nested", name)
		name = "nested"
	}
	opts := s.outOpts
	opts.Retcode = retcode
	if err := output.DisplayCLI(s.stdout, name, data, opts); err != nil {
		s.log.Errorf("The %s outputter failed (%v); falling back to nested", name, err)
		output.DisplayCLI(s.stdout, "nested", data, opts)
	}
}

// users returns the user the publish is made as (load.user,
// salt.utils.user.get_specific_user: the current user, or sudo_<user>
// for root under sudo) and the user whose access key is read
// (LocalClient.__read_master_key: that user, except that root and sudo
// users read the key of the configured user).
func users(configUser string) (loadUser, keyUser string) {
	name := "root"
	if u, err := user.Current(); err == nil {
		name = u.Username
	} else if env := os.Getenv("USER"); env != "" {
		name = env
	}
	loadUser = name
	if name == "root" {
		if su := os.Getenv("SUDO_USER"); su != "" {
			loadUser = "sudo_" + su
		}
	}
	keyUser = loadUser
	if configUser == "" {
		configUser = "root"
	}
	if keyUser == "root" || strings.HasPrefix(keyUser, "sudo_") {
		keyUser = configUser
	}
	return loadUser, keyUser
}
