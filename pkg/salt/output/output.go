// Package output holds Salt's outputters (salt/output/*.py of Salt 3006),
// the formats in which the command-line tools print results: what an
// operator used to Salt expects to see, and what scripts written against
// Salt parse. Names lists salt-key's (key, json, nested, yaml, txt and
// raw), CLINames the salt command's.
//
// Values are Python values written in Go: nil (None), bool, string, the
// integer and float kinds, Map (a dict, in insertion order), []any,
// []string and map[string]any (a dict whose keys are taken in sorted
// order, a Go map having none). Format returns an outputter's text;
// Display prints it the way salt.output.display_output does.
package output

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Map is a Python dict: keys in insertion order, which is the order in
// which the json, txt and raw outputters write them.
type Map = body.Map

// Item is one key and value of a Map.
type Item = body.Item

// Options are the parts of Salt's opts the outputters read.
type Options struct {
	// Color turns on the ANSI colours of the key outputter. Salt colours
	// when stdout is a terminal, unless --no-color; --force-color colours
	// anyway (salt.output.get_printout).
	Color bool
}

// Names lists the outputters this package has, in the spelling --out takes.
// "text" is accepted as well and means txt, as in Salt.
func Names() []string { return []string{"json", "key", "nested", "raw", "txt", "yaml"} }

// Canonical returns the outputter a --out value names ("text" is txt) and
// whether this package has it.
func Canonical(name string) (string, bool) { return canonical(name, Names()) }

// canonical is the outputter a --out value names, "text" being txt for
// both tools, and whether it is one of names.
func canonical(name string, names []string) (string, bool) {
	if name == "text" {
		name = "txt"
	}
	return name, slices.Contains(names, name)
}

// Format renders data with the named outputter, as the outputter's output
// function returns it (before display_output strips trailing white space).
func Format(name string, data any, opts Options) (string, error) {
	canon, ok := Canonical(name)
	if !ok {
		return "", fmt.Errorf("output: unknown outputter %q (have %s)", name, strings.Join(Names(), ", "))
	}
	switch canon {
	case "json":
		return JSON(data)
	case "yaml", "txt", "raw":
		return formatPlain(canon, data)
	case "nested":
		return Nested(data, NestedOptions{Color: opts.Color}), nil
	case "key":
		m, ok := data.(Map)
		if !ok {
			return "", fmt.Errorf("output: the key outputter takes a mapping of key statuses, not %T", data)
		}
		return Key(m, opts)
	}
	panic("unreachable")
}

// formatPlain renders the outputters salt-key and the salt command have
// alike, with no options: yaml, txt and raw.
func formatPlain(canon string, data any) (string, error) {
	switch canon {
	case "yaml":
		return YAML(data)
	case "txt":
		return Txt(data), nil
	case "raw":
		return Raw(data), nil
	}
	panic("unreachable")
}

// Display writes data with the named outputter the way
// salt.output.display_output prints it: the outputter's text with trailing
// white space removed (try_printout's rstrip), then a newline, and nothing
// at all when the text is empty.
func Display(w io.Writer, name string, data any, opts Options) error {
	s, err := Format(name, data, opts)
	if err != nil {
		return err
	}
	return printout(w, s)
}

// printout is what display_output does with an outputter's text: trailing
// white space removed (try_printout's rstrip), then a newline, and nothing
// at all when the text is empty.
func printout(w io.Writer, s string) error {
	s = strings.TrimRightFunc(s, py.IsSpace)
	if s == "" {
		return nil
	}
	_, err := io.WriteString(w, s+"\n")
	return err
}

// JSON is the json outputter (salt/output/json_out.py without
// output_indent): json.dumps(data, indent=4), with Python's separators,
// ensure_ascii and float repr, keys in the Map's order.
func JSON(data any) (string, error) {
	b, err := body.AppendJSONIndent(nil, data, 4)
	if err != nil {
		return "", fmt.Errorf("output: json: %w", err)
	}
	return string(b), nil
}
