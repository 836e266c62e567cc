package modules

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// testOptsFuncs are test.conf_test and test.module_report.
func testOptsFuncs() []Func {
	return []Func{
		{
			Name: "test.conf_test",
			Doc:  "Return the value for test.foo in the minion configuration file, or return\nthe default value\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.conf_test",
			Call: func(c *Call) (any, error) { return configOption(c, "test.foo", "unconfigured"), nil },
		},
		{
			Name: "test.module_report",
			Doc:  "Return a dict containing all of the execution modules with a report on\nthe overall availability via different references\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.module_report",
			Call: func(c *Call) (any, error) {
				// Salt's loader iterates function names only, and a name
				// is no attribute or item of itself: every function is
				// "missing", every other list empty.
				funcs := toAnyList(c.functionNames())
				return body.Map{{Key: "functions", Value: funcs}, {Key: "function_attrs", Value: []any{}},
					{Key: "function_subs", Value: []any{}}, {Key: "modules", Value: []any{}}, {Key: "module_attrs", Value: []any{}},
					{Key: "missing_attrs", Value: funcs}, {Key: "missing_subs", Value: funcs}}, nil
			},
		},
	}
}

// configOption is config.option(key) as far as a built-in needs it: the
// minion's option, else the grain, else the pillar key, else def.
func configOption(c *Call, key string, def any) any {
	if cfg := c.exec.opts.Config; cfg != nil {
		if v, ok := cfg.Raw[key]; ok {
			return v
		}
	}
	if v, ok := c.Grains()[key]; ok {
		return v
	}
	if v, ok := c.Pillar()[key]; ok {
		return v
	}
	return def
}
