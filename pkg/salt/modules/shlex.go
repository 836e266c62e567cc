package modules

import "github.com/saltraet/saltraet/pkg/salt/internal/py"

// shlexSplit is Python's shlex.split(s), which Salt uses to turn a command
// into an argument vector when it is not run through a shell
// (salt.utils.args.shlex_split); the splitting is py.ShlexSplit, shared with
// the grains. An unterminated quote or trailing backslash is Python's
// ValueError, as Salt reports it.
func shlexSplit(s string) ([]string, error) {
	words, err := py.ShlexSplit(s)
	if err != nil {
		return nil, &Exception{Type: "ValueError", Msg: err.Error()}
	}
	return words, nil
}
