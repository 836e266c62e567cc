package states

import (
	"context"
	"slices"

	"github.com/saltraet/saltraet/pkg/salt/state"
)

// Salt's --out json keeps a state's return keys in the order its function
// built the dict. Most build name, changes, result, comment (the
// runtime's default); these build them otherwise on every path, as
// Salt 3006.3's returns show (see retorder_test.go). Paths that differ
// from their function's usual order set Ret.Order themselves.
var retOrders = map[string][]string{
	"file.managed":   {"changes", "comment", "name", "result"},
	"file.copy":      {"name", "changes", "comment", "result"},
	"file.rename":    {"name", "changes", "comment", "result"},
	"cron.present":   {"changes", "comment", "name", "result"},
	"cron.absent":    {"name", "result", "changes", "comment"},
	"module.run":     {"name", "changes", "comment", "result"},
	"test.mod_watch": {"name", "result", "comment", "changes"},
}

// orderRets wraps the functions of retOrders in r so their returns carry
// Salt's key order unless they set one.
func orderRets(r state.Registry) {
	for fun, order := range retOrders {
		f, ok := r[fun]
		if !ok {
			continue
		}
		r[fun] = func(ctx context.Context, c *state.Call) state.Ret {
			ret := f(ctx, c)
			if ret.Order == nil {
				ret.Order = slices.Clone(order)
			}
			return ret
		}
	}
}

// exceptionOrder is the order of a return Salt builds in an except
// CommandExecutionError branch: {"name", "result"} and then the rest.
var exceptionOrder = []string{"name", "result", "changes", "comment"}

// calledOrder is a ret built as {"name", "changes", "comment", "result"}.
var calledOrder = []string{"name", "changes", "comment", "result"}
