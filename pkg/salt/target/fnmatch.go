package target

import "github.com/saltraet/saltraet/pkg/salt/internal/py"

// Glob reports whether name matches the shell pattern, as Salt's glob
// matcher (salt/matchers/glob_match.py) does with Python's fnmatch.fnmatch
// on Linux: py.Fnmatch, the one salt-key and autosign use too.
func Glob(pattern, name string) bool { return py.Fnmatch(name, pattern) }
