package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// printReturn prints {"local": <return>} with the function's outputter,
// or with --metadata the whole job nested, as BaseCaller.run does.
func (c *caller) printReturn(r jobRet) {
	out := r.res.Out
	if out == "" {
		out = "nested"
	}
	var data any = r.res.Return
	if c.o.printMetadata {
		out = "nested"
		m := body.Map{{Key: "jid", Value: r.jid}, {Key: "return", Value: r.res.Return},
			{Key: "retcode", Value: r.res.Retcode}}
		if r.res.Out != "" {
			m = append(m, body.Item{Key: "out", Value: r.res.Out})
		}
		// Salt's returners list is [""] when --return is not given, which
		// is true enough to add these, local or not.
		m = append(m, body.Item{Key: "id", Value: c.cfg.ID}, body.Item{Key: "fun", Value: r.fun},
			body.Item{Key: "fun_args", Value: r.funArgs})
		if r.metadata != nil {
			m = append(m, body.Item{Key: "metadata", Value: r.metadata})
		}
		data = m
	}
	c.display(body.Map{{Key: "local", Value: data}}, out, r.res.Retcode)
}

// display prints data as salt.output.display_output does: --out wins over
// the outputter asked for; one Salt does not know falls back to nested
// with an error logged; --out-file writes to that file instead of stdout.
func (c *caller) display(data body.Map, out string, retcode int) {
	name := out
	if c.o.out != "" {
		name = c.o.out
	}
	w, closeOut := c.outWriter()
	defer closeOut()
	opts := c.outputOptions(w)
	opts.Retcode = retcode
	if name == output.HighstateName {
		output.DisplayHighstate(w, data, opts) //nolint:errcheck // a write error has nowhere to go
		return
	}
	if _, ok := output.CLICanonical(name); !ok {
		c.log.Errorf("Invalid outputter %s specified, fall back to nested", name)
		name = "nested"
	}
	if err := output.DisplayCLI(w, name, data, opts); err != nil {
		c.log.Errorf("The %s outputter failed (%v); falling back to nested", name, err)
		output.DisplayCLI(w, "nested", data, opts) //nolint:errcheck // likewise
	}
}

// outWriter is stdout, or the --out-file (appended to with
// --out-file-append).
func (c *caller) outWriter() (io.Writer, func()) {
	if c.o.outFile == "" {
		return c.stdout, func() {}
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if c.o.outFileAppend {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(c.o.outFile, flags, 0o600)
	if err != nil {
		c.log.Errorf("Cannot write the output to %s: %v", c.o.outFile, err)
		return c.stdout, func() {}
	}
	return f, func() { f.Close() }
}

// outputOptions are the outputters' options: colour from the flags and
// the terminal (never into a file), the indent from --out-indent or the
// config's output_indent, the highstate outputter's from the config and
// --state-output and --state-verbose.
func (c *caller) outputOptions(w io.Writer) output.CLIOptions {
	o := c.o
	return cli.OutputOptions(c.cfg.Raw, cli.OutputFlags{
		Color:       o.forceColor || (!o.noColor && cli.IsTerminal(w)),
		StateOutput: o.stateOutput, StateVerbose: o.stateVerbose,
		IndentSet: o.flags.Changed("out-indent") || o.flags.Changed("output-indent"), Indent: o.outIndent,
	})
}

// printDocs is print_docs: the docstring of every function whose name
// starts with fun, sorted, each as "<name>:\n<doc>\n" (the built-ins'
// as written, the Python fallback's as its sys.doc gives them).
func (c *caller) printDocs(ctx context.Context, fun string) {
	docs := c.docs(ctx, "*")
	names := make([]string, 0, len(docs))
	byName := map[string]string{}
	for _, it := range docs {
		doc, _ := it.Value.(string)
		if doc == "" || !strings.HasPrefix(it.Key, fun) {
			continue
		}
		if raw, ok := c.mc.Executor().Docstring(it.Key); ok {
			doc = raw // as Python has it: sys.doc strips the markup
		}
		names = append(names, it.Key)
		byName[it.Key] = doc
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(c.stdout, "%s:\n%s\n\n", n, byName[n])
	}
}
