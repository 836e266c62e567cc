package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// printDocs is how the salt command prints a sys.doc job
// (SaltCMD._print_docs): it waits for every return, merges the
// docstrings of all minions (the first minion's text of a function wins;
// minions that did not return, and functions without a docstring, are left
// out; the docstrings are strings) and prints them sorted by function, "fun:", the docstring and an
// empty line, or each as {fun: doc} through nested when an outputter was
// asked for. The exit status is 0 whatever the minions' retcodes, as
// Salt's; 2 with no return at all.
func (s *saltCmd) printDocs(ctx context.Context, c *client.LocalClient, jid string, minions []string) int {
	docs := map[string]string{}
	got := false
	for r := range c.Returns(ctx, jid, minions, s.timeout) {
		if r.Missing != "" {
			continue
		}
		got = true
		m, ok := r.Ret.(body.Map)
		if !ok {
			continue
		}
		for _, it := range m {
			if doc, ok := it.Value.(string); ok && doc != "" {
				if _, seen := docs[it.Key]; !seen {
					docs[it.Key] = doc
				}
			}
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintf(s.stderr, "\nExiting gracefully on Ctrl-c\nThis job's jid is: %s\n", jid)
		return exitGeneric
	}
	if !got {
		fmt.Fprintln(s.stderr, "No minions found to gather docs from")
		return exitNoReturn
	}
	funs := make([]string, 0, len(docs))
	for f := range docs {
		funs = append(funs, f)
	}
	slices.Sort(funs)
	for _, f := range funs {
		if s.o.out != "" {
			opts := s.outOpts
			output.DisplayCLI(s.stdout, "nested", body.Map{{Key: f, Value: docs[f]}}, opts)
			continue
		}
		fmt.Fprintf(s.stdout, "%s:\n%s\n\n", f, docs[f])
	}
	return exitOK
}
