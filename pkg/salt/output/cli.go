package output

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// CLIOptions are the opts the salt command's outputters read
// (salt.output.display_output with the CLI's config).
type CLIOptions struct {
	// Color turns on ANSI colours (nested and no_return). Salt colours
	// when stdout is a terminal, unless --no-color; --force-color colours
	// anyway.
	Color bool
	// Retcode is the return's retcode, which display_output passes on as
	// _retcode: the nested outputter shows keys in red when it is not 0.
	Retcode int
	// OutputIndent is --out-indent (output_indent) for the json
	// outputter: nil leaves it unset (indent 4); a negative value writes
	// one line. Pretty is output_indent: pretty (indent 4, keys sorted).
	OutputIndent *int
	Pretty       bool
	// State holds state_output, state_verbose and the other opts of the
	// highstate outputter (its Color is taken from Color above).
	State HighstateOptions
}

var cliNames = []string{"json", "key", "nested", "no_return", "pprint", "raw", "table", "txt", "yaml"}

// CLINames lists the outputters the salt command has, in the spelling
// --out takes ("text" is accepted as well and means txt).
func CLINames() []string { return slices.Clone(cliNames) }

// CLICanonical returns the outputter a --out value (or a return's "out")
// names, and whether the salt command has it.
func CLICanonical(name string) (string, bool) { return canonical(name, cliNames) }

// FormatCLI renders data with the named outputter the way the salt
// command's display_output does. An empty name is nested, the default; a
// name the command does not have falls back to nested too, as
// salt.output.get_printout does (it logs "Invalid outputter ... specified,
// fall back to nested"; the caller decides whether to).
func FormatCLI(name string, data any, o CLIOptions) (string, error) {
	canon, ok := CLICanonical(name)
	if !ok {
		canon = "nested"
	}
	switch canon {
	case "nested":
		return Nested(data, NestedOptions{Color: o.Color, Retcode: o.Retcode}), nil
	case "no_return":
		return NoReturn(data, o.Color), nil
	case "json":
		return JSONOut(data, o.OutputIndent, o.Pretty)
	case "pprint":
		return Pprint(data, o.OutputIndent), nil
	case "key":
		m, ok := data.(Map)
		if !ok {
			return "", fmt.Errorf("output: the key outputter takes a mapping of key statuses, not %T", data)
		}
		return Key(m, Options{Color: o.Color})
	case "table":
		return Table(data, o.Color)
	}
	return formatPlain(canon, data) // yaml, txt, raw
}

// DisplayCLI prints data with the named outputter as display_output does:
// the text with trailing white space removed, then a newline, and nothing
// at all when the text is empty.
func DisplayCLI(w io.Writer, name string, data any, o CLIOptions) error {
	s, err := FormatCLI(name, data, o)
	if err != nil {
		return err
	}
	return printout(w, s)
}

// HighstateName is the highstate outputter's name, which state.* returns
// name as theirs. It is kept apart from CLINames, whose outputters take
// any data (an unknown name there falls back to nested); the salt command
// picks it by name (DisplayHighstate).
const HighstateName = "highstate"

// DisplayHighstate prints data with the highstate outputter as
// display_output does, with o's colour and o.State's state_output opts.
func DisplayHighstate(w io.Writer, data any, o CLIOptions) error {
	hs := o.State
	hs.Color = o.Color
	return printout(w, Highstate(data, hs))
}

// JSONOut is the json outputter of the salt command (salt/output/json_out.py
// of Salt 3006, through salt.utils.json.dumps):
//
//   - indent nil: json.dumps(data, indent=4);
//   - indent >= 0: that indent (0 puts every item on its own line, not
//     indented);
//   - indent < 0: one line, with Python's default separators ", " and ": ";
//   - pretty: indent 4 with every dict's keys sorted.
//
// Keys keep the Map's order otherwise. salt.utils.json.dumps turns
// ensure_ascii off, so text outside ASCII is written as it is (control
// characters are still escaped). Bytes, which JSON cannot hold, are written
// as their Python repr (json_out's default=repr).
func JSONOut(data any, indent *int, pretty bool) (string, error) {
	n := 4
	if indent != nil {
		n = *indent
	}
	if pretty {
		n = 4
	}
	out, err := py.AppendJSONLayout(nil, jsonable(data, pretty, 0), n, false)
	if err != nil {
		return "", fmt.Errorf("output: json: %w", err)
	}
	return string(out), nil
}

// jsonable prepares a value for AppendJSON: bytes become their repr, and
// with sortKeys every dict becomes a Map with its keys sorted (json.dumps
// with sort_keys).
func jsonable(v any, sortKeys bool, depth int) any {
	if depth > py.MaxDepth {
		return v
	}
	switch x := v.(type) {
	case []byte:
		return py.BytesRepr(x)
	case string, nil, bool:
		return v
	}
	if _, ok := py.ScalarRepr(v); ok {
		return v
	}
	if items, ok := py.DictItems(v); ok {
		out := make(Map, len(items))
		for i, it := range items {
			out[i] = Item{Key: it.Key, Value: jsonable(it.Value, sortKeys, depth+1)}
		}
		if sortKeys {
			slices.SortStableFunc(out, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
		}
		return out
	}
	if list, ok := py.ListItems(v); ok {
		out := make([]any, len(list))
		for i, x := range list {
			out[i] = jsonable(x, sortKeys, depth+1)
		}
		return out
	}
	return v
}
