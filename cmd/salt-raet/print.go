package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// printReturns prints each return as it comes (or, with --static, all of
// them at the end), the minions that did not return unless hidden, and
// returns the exit status they make.
func (s *saltCmd) printReturns(ctx context.Context, c *client.LocalClient, jid string, minions []string) int {
	o := s.o
	showMissing := !o.hideTimeout || o.verbose
	var static body.Map
	staticOut, staticRetcode := "", 0
	shown, failed := 0, false
	var t tally
	for r := range c.Returns(ctx, jid, minions, s.timeout) {
		if r.Missing != "" && !showMissing {
			continue
		}
		shown++
		t.add(r)
		if r.Retcode != 0 {
			failed = true
		}
		if o.static {
			static = append(static, body.Item{Key: r.ID, Value: r.Ret})
			if r.Out != "" { // _format_ret: the group takes the outputter its returns name
				staticOut = r.Out
			}
			staticRetcode = max(staticRetcode, r.Retcode)
			continue
		}
		if r.Missing == client.NoResponse {
			r.Ret = fmt.Sprint(r.Ret) + lookupHint(jid)
		}
		s.display(body.Map{{Key: r.ID, Value: r.Ret}}, r.Out, r.Retcode)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(s.stderr, "\nExiting gracefully on Ctrl-c\nThis job's jid is: %s\nThe minions may not have all finished running and any remaining minions will return upon completion.\n", jid)
		return exitGeneric
	}
	if o.static && shown > 0 {
		s.display(static, staticOut, staticRetcode)
	}
	if o.summary && o.out == "" && !o.static { // Salt's summary is for the default outputters only
		s.printSummary(&t)
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

// display prints one return (or the --static group) the way
// SaltCMD._output_ret does: --out wins, then the outputter the return
// names, then nested; one Salt does not know falls back to nested.
func (s *saltCmd) display(data body.Map, out string, retcode int) {
	var buf bytes.Buffer
	defer func() { s.emit(buf.Bytes()) }()
	name := s.o.out
	if name == "" {
		name = out
	}
	if name == "" {
		name = "nested"
	}
	if name == output.HighstateName {
		opts := s.outOpts
		opts.Retcode = retcode
		output.DisplayHighstate(&buf, data, opts)
		return
	}
	if _, ok := output.CLICanonical(name); !ok {
		s.log.Errorf("Invalid outputter %s specified, fall back to nested", name)
		name = "nested"
	}
	opts := s.outOpts
	opts.Retcode = retcode
	if err := output.DisplayCLI(&buf, name, data, opts); err != nil {
		s.log.Errorf("The %s outputter failed (%v); falling back to nested", name, err)
		buf.Reset()
		output.DisplayCLI(&buf, "nested", data, opts)
	}
}

// displayAny prints data that is not a return, as _output_ret does: an
// error message through --out or nested.
func (s *saltCmd) displayAny(data any) {
	var buf bytes.Buffer
	name := s.o.out
	if _, ok := output.CLICanonical(name); !ok {
		name = "nested"
	}
	if err := output.DisplayCLI(&buf, name, data, s.outOpts); err != nil {
		buf.Reset()
		output.DisplayCLI(&buf, "nested", data, s.outOpts)
	}
	s.emit(buf.Bytes())
}
