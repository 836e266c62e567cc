package runner

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Docs is the runners' documentation as salt-run -d and a failed
// salt-run show it (SyncClientMixin.get_docs): of every runner for an
// empty arg; of those a glob arg matches; else of the runner arg names
// and of those starting with "<arg>.". Each is {name: docstring}, by name,
// the docstring nil for a runner without one.
func (r *Runners) Docs(arg string) body.Map {
	out := body.Map{}
	prefix := arg
	if !strings.HasSuffix(prefix, ".") {
		prefix += "."
	}
	for _, fun := range r.Functions() {
		switch {
		case arg == "":
		case strings.Contains(arg, "*"):
			if !py.Fnmatch(fun, arg) {
				continue
			}
		case fun != arg && !strings.HasPrefix(fun, prefix):
			continue
		}
		var doc any
		if d, ok := r.exec.SysDoc(fun); ok {
			doc = d
		}
		out = append(out, body.Item{Key: fun, Value: doc})
	}
	return out
}

// Doc is one runner's docstring ("" when it has none).
func (r *Runners) Doc(fun string) string {
	d, _ := r.exec.SysDoc(fun)
	return d
}
