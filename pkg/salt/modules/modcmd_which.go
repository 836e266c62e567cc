package modules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cmdWhichFuncs are cmd.which, which_bin and has_exec.
func cmdWhichFuncs() []Func {
	return []Func{
		{
			Name:   "cmd.which",
			Params: []Param{{Name: "cmd", Required: true}},
			Doc:    "Returns the path of an executable available on the minion, None otherwise\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.which cat",
			Call:   func(c *Call) (any, error) { return noneIfEmpty(which(py.Str(c.Arg("cmd")))), nil },
		},
		{
			Name:   "cmd.which_bin",
			Params: []Param{{Name: "cmds", Required: true}},
			Doc:    "Returns the first command found in a list of commands\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.which_bin '[pip2, pip, pip-python]'",
			Call: func(c *Call) (any, error) {
				list, ok := py.ListItems(c.Arg("cmds"))
				if !ok {
					return nil, &Exception{Type: "TypeError", Msg: "'" + pyTypeName(c.Arg("cmds")) + "' object is not iterable"}
				}
				for _, x := range list {
					if p := which(py.Str(x)); p != "" {
						return p, nil
					}
				}
				return nil, nil
			},
		},
		{
			Name:   "cmd.has_exec",
			Params: []Param{{Name: "cmd", Required: true}},
			Doc:    "Returns true if the executable is available on the minion, false otherwise\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.has_exec cat",
			Call:   func(c *Call) (any, error) { return which(py.Str(c.Arg("cmd"))) != "", nil },
		},
	}
}

func noneIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// which is salt.utils.path.which: exe itself when it is an executable
// file, else the first directory of PATH (then /sbin, /bin, /usr/sbin,
// /usr/bin, /usr/local/sbin, /usr/local/bin, those PATH lacks) where it is
// one, symlinks followed; "" when there is none.
func which(exe string) string {
	if exe == "" {
		return ""
	}
	if isExecutable(exe) {
		return exe
	}
	dirs := filepath.SplitList(os.Getenv("PATH"))
	if os.Getenv("PATH") == "" {
		dirs = []string{""}
	}
	for _, d := range []string{"/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		p := osPathJoin(d, exe)
		if isExecutable(resolveLinks(p)) {
			return p
		}
	}
	return ""
}

// osPathJoin is os.path.join of two parts: an absolute second part wins.
func osPathJoin(a, b string) string {
	if strings.HasPrefix(b, "/") || a == "" {
		return b
	}
	if strings.HasSuffix(a, "/") {
		return a + b
	}
	return a + "/" + b
}

// resolveLinks follows p's symlinks to what they end at.
func resolveLinks(p string) string {
	for range 40 {
		target, err := os.Readlink(p)
		if err != nil {
			return p
		}
		if !filepath.IsAbs(target) {
			target = osPathJoin(filepath.Dir(p), target)
		}
		p = target
	}
	return p
}

// isExecutable is os.path.isfile(p) and os.access(p, os.X_OK).
func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && syscall.Access(p, 1 /* X_OK */) == nil
}
