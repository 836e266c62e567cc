package main

import (
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

// jobSpec is what the command line asks to publish: the target, typed for
// the target type, and the function or functions with their arguments.
type jobSpec struct {
	tgt any
	fun any
	arg []any
}

// job reads the target and the function from the command line: a -L
// target becomes a list, a compound command its lists of functions and
// arguments. An error is Salt's message for a compound command whose
// arguments do not match its functions.
func (s *saltCmd) job(tgtArg, funArg string, argv []string) (jobSpec, error) {
	j := jobSpec{tgt: tgtArg, fun: funArg}
	if s.tgtType == "list" {
		j.tgt = job.SplitListTarget(tgtArg)
	}
	if !job.IsCompound(funArg) {
		j.arg = job.ParseInput(argv)
		return j, nil
	}
	funs, lists, err := job.SplitCompound(funArg, argv, s.o.argsSeparator)
	if err != nil {
		return jobSpec{}, err
	}
	j.fun = funs
	j.arg = make([]any, len(lists))
	for i, l := range lists {
		j.arg[i] = l
	}
	return j, nil
}

// settings reads the master's config and sets up logging, the outputters'
// options and the timeout from it and the options. done means the command
// ends here, with code.
func (s *saltCmd) settings() (code int, done bool) {
	o := s.o
	// The salt command never uses the master's id: see cli.Hostname.
	loader := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}
	cfg, err := loader.LoadMaster(o.configDir)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			s.errorf("%s", line)
		}
		return exitNoReturn, true
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
	s.outOpts = s.outputOptions()
	s.timeout = time.Duration(o.timeout) * time.Second
	if o.timeout <= 0 {
		s.timeout = time.Duration(cfg.Timeout) * time.Second
	}
	return 0, false
}

// outputOptions are the outputters' options: colour from the flags and
// the terminal, the rest from the flags over the master config.
func (s *saltCmd) outputOptions() output.CLIOptions {
	o := s.o
	return cli.OutputOptions(s.cfg.Raw, cli.OutputFlags{
		Color:       o.forceColor || (!o.noColor && cli.IsTerminal(s.stdout)),
		StateOutput: o.stateOutput, StateVerbose: o.stateVerbose,
		IndentSet: o.flags.Changed("out-indent") || o.flags.Changed("output-indent"), Indent: o.outIndent,
	})
}
