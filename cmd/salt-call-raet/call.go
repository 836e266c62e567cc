package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/minion"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

// signInFailed starts what Salt 3006.3's salt-call prints on stderr, and
// exits 1 with, when it cannot reach its master (SaltClientError from
// SMinion's sign-in, raised as SystemExit): "Unable to sign_in to master:
// Attempt to authenticate with the salt master failed with timeout
// error".
const signInFailed = "Unable to sign_in to master: "

// timeoutReason is Salt's reason for a master that did not answer.
const timeoutReason = "Attempt to authenticate with the salt master failed with timeout error"

// caller is one run of salt-call once its command line is read.
type caller struct {
	o              *options
	stdout, stderr io.Writer

	log   *logrus.Logger
	cfg   *config.Minion
	local bool
	lane  *minion.MinionLane // the way to the master, when not local
	mc    *minion.Caller
}

// run sets up the minion, then prints the docs, the grains or the
// function's return.
func (c *caller) run(ctx context.Context, rest []string) int {
	if code, done := c.settings(); done {
		return code
	}
	if code, done := c.open(ctx); done {
		return code
	}
	defer c.close()
	switch {
	case c.o.doc:
		fun := ""
		if len(rest) > 0 {
			fun = rest[0]
		}
		c.printDocs(ctx, fun)
		return exitOK
	case c.o.grains:
		c.display(body.Map{{Key: "local", Value: c.mc.Grains()}}, "nested", 0)
		return exitOK
	}
	return c.call(ctx, rest[0], rest[1:])
}

// settings reads the minion's config, puts the options over it and sets
// up logging.
func (c *caller) settings() (code int, done bool) {
	o := c.o
	cfg, err := config.Loader{Program: prog}.LoadMinion(o.configDir)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(c.stderr, "ERROR: %s\n", line)
		}
		return exitGeneric, true
	}
	if o.id != "" {
		cfg.ID = o.id
	}
	// As salt/cli/call.py: the roots replace the base environment, the
	// path made absolute.
	if o.fileRoot != "" {
		abs, _ := filepath.Abs(o.fileRoot)
		cfg.FileRoots = map[string][]string{"base": {abs}}
	}
	if o.pillarRoot != "" {
		abs, _ := filepath.Abs(o.pillarRoot)
		cfg.FileOptions().PillarRoots = map[string][]string{"base": {abs}}
	}
	if o.local {
		cfg.FileOptions().FileClient = "local"
		if cfg.Raw != nil {
			cfg.Raw["file_client"] = "local"
		}
	}
	c.cfg = cfg
	c.local = cfg.FileOptions().FileClient == "local" || cfg.MasterType == "disable"
	level := cfg.LogLevel
	if o.logLevel != "" {
		level = o.logLevel
	}
	if c.log, err = saltlog.New(level, c.stderr, ""); err != nil {
		c.log, _ = saltlog.New("warning", c.stderr, "")
	}
	for _, f := range cfg.Files {
		c.log.Debugf("Read configuration from %s", f)
	}
	return 0, false
}

// open builds the minion: its way to the master (its own file server and
// pillar, or the minion daemon's lane), its modules, and its pillar.
func (c *caller) open(ctx context.Context) (code int, done bool) {
	var req minion.Requester
	if c.local {
		lm, err := minion.NewLocalMaster(c.cfg, c.log)
		if err != nil {
			fmt.Fprintf(c.stderr, "ERROR: %v\n", err)
			return exitGeneric, true
		}
		req = lm
	} else {
		l, err := minion.DialMinion(c.cfg)
		if err != nil {
			return c.noMaster(err), true
		}
		c.lane = l
		req = timed{l, c.requestTimeout()}
	}
	mc, err := minion.NewCaller(c.cfg, c.log, req)
	if err != nil {
		fmt.Fprintf(c.stderr, "ERROR: %v\n", err)
		c.close()
		return exitGeneric, true
	}
	c.mc = mc
	if err := mc.LoadPillar(ctx); err != nil {
		c.close()
		return c.noMaster(err), true
	}
	return 0, false
}

func (c *caller) close() {
	if c.mc != nil {
		c.mc.Close()
	}
	if c.lane != nil {
		c.lane.Close()
	}
}

// noMaster reports a master that cannot be reached as Salt's salt-call
// does (exit 1, "Unable to sign_in to master: <why>" on stderr): Salt's
// reason when it did not answer in time, ours when no minion runs; the
// details at error level.
func (c *caller) noMaster(err error) int {
	reason := timeoutReason
	if errors.Is(err, minion.ErrNoMinion) {
		reason = err.Error()
	} else {
		c.log.Errorf("%v", err)
	}
	fmt.Fprintln(c.stderr, signInFailed+reason)
	return exitNoMaster
}

func (c *caller) requestTimeout() time.Duration {
	if c.o.timeout <= 0 {
		return 60 * time.Second
	}
	return time.Duration(c.o.timeout) * time.Second
}

// timed bounds each request through the minion by salt-call's timeout, as
// Salt's request channel bounds each of its sends.
type timed struct {
	r minion.Requester
	d time.Duration
}

func (t timed) Request(ctx context.Context, load body.Map) (any, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, t.d, fmt.Errorf("no answer from the master within %v", t.d))
	defer cancel()
	return t.r.Request(ctx, load)
}

// jobRet is Salt's ret of BaseCaller.call: what --metadata prints and
// what goes to the master.
type jobRet struct {
	jid     string
	fun     string
	funArgs []any
	res     modules.Result
	// metadata is --set-metadata's value, nil without it.
	metadata any
}

// call runs the function and prints its return, or why it did not run.
func (c *caller) call(ctx context.Context, fun string, argv []string) int {
	args := job.ParseInput(argv)
	jid := job.NewJID(time.Now())
	pub := modules.CallerPub(fun, jid, os.Getpid())
	if c.o.setMetadata != "" {
		pub.Extra = append(pub.Extra, body.Item{Key: "metadata", Value: job.YAMLArg(c.o.setMetadata)})
	}
	res := c.mc.Executor().Run(ctx, fun, args, pub)
	if res.Raised {
		if code, done := c.raised(ctx, fun, res); done {
			return code
		}
	}
	r := jobRet{jid: jid, fun: fun, funArgs: modules.StripKwargMarkers(args), res: res}
	r.metadata, _ = pub.Extra.Get("metadata")
	c.returnToMaster(ctx, r)
	c.printReturn(r)
	if c.o.retcodePassthrough {
		return res.Retcode
	}
	if res.Retcode != 0 {
		return exitGeneric
	}
	return exitOK
}

// raised handles a function that did not return as salt-call does: an
// unknown function (its module's docs if it names one, else "not
// available", 255), arguments that do not fit (the usage, 1), an error of
// the function (1).
func (c *caller) raised(ctx context.Context, fun string, res modules.Result) (code int, done bool) {
	msg, _ := res.Return.(string)
	if msg == fmt.Sprintf("'%s' is not available.", fun) {
		docs := c.docs(ctx, fun+"*")
		if len(docs) == 0 {
			fmt.Fprintln(c.stderr, msg)
			return exitUnavailable, true
		}
		docs = append(docs, body.Item{Key: fun, Value: msg})
		c.display(body.Map{{Key: "local", Value: docs}}, "nested", 0)
		return exitGeneric, true // Salt's ret has no retcode: != EX_OK
	}
	if rest, ok := strings.CutPrefix(msg, "Passed invalid arguments to "+fun+": "); ok {
		why, doc, _ := strings.Cut(rest, "\n")
		fmt.Fprintf(c.stderr, "\nPassed invalid arguments: %s.\n\nUsage:\n", strings.TrimSuffix(why, "."))
		fmt.Fprintln(c.stdout, doc)
		return exitGeneric, true
	}
	if rest, ok := strings.CutPrefix(msg, "ERROR: "); ok {
		fmt.Fprintf(c.stderr, "Error running '%s': %s\n", fun, rest)
		return exitGeneric, true
	}
	fmt.Fprintln(c.stderr, msg)
	return exitGeneric, true
}

// returnToMaster sends the return to the master as the minion's own job
// (jid "req"), as Salt's salt-call does unless it runs masterless. A
// failure is only logged: the function ran.
func (c *caller) returnToMaster(ctx context.Context, r jobRet) {
	if c.local || c.lane == nil || c.o.noReturnEvent {
		return
	}
	rc := int64(r.res.Retcode)
	load := job.ReturnLoad(job.Return{Success: r.res.Retcode == 0, Return: r.res.Return, Retcode: &rc,
		JID: job.ReqJID, Fun: r.fun, FunArgs: r.funArgs, ID: c.cfg.ID, Out: r.res.Out, Metadata: r.metadata})
	ctx, cancel := context.WithTimeout(ctx, c.requestTimeout())
	defer cancel()
	if err := c.lane.Send(ctx, load); err != nil {
		c.log.Warnf("The return was not sent to the master: %v", err)
	}
}

// docs is sys.doc of a glob: each function's docstring, by name.
func (c *caller) docs(ctx context.Context, glob string) body.Map {
	res := c.mc.Executor().Run(ctx, "sys.doc", []any{glob}, modules.Pub{})
	m, _ := res.Return.(body.Map)
	return m
}
