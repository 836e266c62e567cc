// Command salt-raet is the salt command for a Salt master on RAET: it
// publishes a job to the master over the lane and prints each minion's
// return as it arrives, with the flags, output and exit statuses of Salt
// 3006's salt (spec/salt-raet.md 3.1 and 4.3, docs/salt-messages.md).
//
//	salt-raet [options] TARGET FUNCTION [ARGUMENT ...]
//
// TARGET is a glob of minion ids unless -E (pcre), -L (list), -G (grain),
// -P (grain_pcre), -I (pillar), -J (pillar_pcre), -S (ipcidr), -C
// (compound) or -N (a nodegroup of the master's config, published as its
// compound expression) says otherwise; --return names returners the
// minions run besides returning to the master; the master
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
// # Authentication
//
// The access key authenticates the user running the command: the master
// writes one for the user it runs as and one for each user publisher_acl
// names, whose jobs it then holds to their ACL. -a/--auth EAUTH (pam,
// file, sharedsecret, auto) authenticates with --username and
// --password, asked on the terminal when not given (the password without
// echo), and the master holds the job to that user's external_auth ACL;
// -T also asks the master for a token and saves it to token_file
// (~/salt_token, or ~/.config/salt/salt_token when that directory
// exists; mode 0600), which later runs without a readable access key use
// until token_expire. A refusal prints Salt's message ("Authentication
// error occurred.", "Authorization error occurred.") and exits 0, as Salt
// 3006 does.
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
//	    refused the publish (other than for authentication or
//	    authorization: 0); the access key could not be read, and no -a nor
//	    token; an unknown eauth ("ERROR: Authentication failed"); a bad config
//	42  an empty target or a compound command whose arguments do not
//	    match its functions (Salt's messages)
//	64  a command line Salt would refuse: an unknown option or outputter,
//	    no function, two target types at once, a bad -b
//
// With -b the status is the highest retcode a minion returned (0 when
// nothing matched, as Salt's batch); with --progress it is 0 once the job
// was published (batch.go, progress.go, summary.go say what they print).
//
// Deviations from Salt 3006, each so that nothing goes unreported: with
// --hide-timeout, a job of which nothing came back at all exits 2 with
// "ERROR: No return received" (Salt prints nothing and exits 0); --static
// lists the minions that did not return and exits as without --static
// (Salt's --static runs through its batch mode, which drops minions that
// do not answer a first ping and always exits 0); the not-returned notice
// names salt-run-raet in Salt's hint to run salt-run jobs.lookup_jid.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
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
		if _, ok := output.CLICanonical(o.out); !ok && o.out != output.HighstateName {
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
	if err := o.checkJobOptions(); err != nil {
		return fail(err.Error())
	}
	if rest[0] == "" {
		fmt.Fprintln(stderr, "Cannot execute command without defining a target.")
		return exitNoTarget
	}
	j := &saltCmd{o: &o, tgtType: tgtType, stdin: stdin, stdout: stdout, stderr: stderr}
	return j.run(ctx, rest[0], rest[1], rest[2:])
}

// saltCmd is one run of the salt command once its command line is read.
type saltCmd struct {
	o       *options
	tgtType string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer

	// Settings, from the master's config and the options (settings.go).
	log     *logrus.Logger
	cfg     *config.Master
	outOpts output.CLIOptions
	timeout time.Duration

	// The access key (publish.go): whom it belongs to and where it is.
	keyUser, keyPath string
}

func (s *saltCmd) errorf(format string, args ...any) {
	fmt.Fprintf(s.stderr, "ERROR: "+format+"\n", args...)
}

// run publishes the job and prints what comes back, in three steps: the
// settings (the job from the command line, the master's config, logging,
// output), the publish (the access key, the client, the publish itself)
// and the printing of the returns. Each step that ends the command says
// so, with the exit status.
func (s *saltCmd) run(ctx context.Context, tgtArg, funArg string, argv []string) int {
	j, err := s.job(tgtArg, funArg, argv)
	if err != nil {
		fmt.Fprintln(s.stderr, err)
		return exitNoTarget
	}
	if code, done := s.settings(); done {
		return code
	}
	if code, done := s.resolveNodegroups(&j); done {
		return code
	}
	c, code, done := s.connect(ctx)
	if done {
		return code
	}
	defer c.Close()
	if s.o.batch != "" {
		return s.runBatch(ctx, c, j)
	}
	jid, minions, code, done := s.publish(ctx, c, j)
	if done {
		return code
	}
	if s.o.progress {
		return s.printProgress(ctx, c, jid, minions)
	}
	if j.fun == "sys.doc" {
		return s.printDocs(ctx, c, jid, minions)
	}
	return s.printReturns(ctx, c, jid, minions)
}
