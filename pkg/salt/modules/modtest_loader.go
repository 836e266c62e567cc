package modules

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// testLoaderFuncs are the test functions about the loader: which file
// provides a module, which are not loaded, calling one function from
// another.
func testLoaderFuncs() []Func {
	return append([]Func{
		{
			Name:   "test.provider",
			Params: []Param{{Name: "module", Required: true}},
			Doc:    "Pass in a function name to discover what provider is being used\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.provider service",
			Call:   func(c *Call) (any, error) { return provider(c, py.Str(c.Arg("module"))), nil },
		},
		{
			Name: "test.providers",
			Doc:  "Return a dict of the provider names and the files that provided them\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.providers",
			Call: testProviders,
		},
		{
			Name: "test.not_loaded",
			Doc: "List the modules that were not loaded by the salt loader system\n\n" +
				"(Here: the modules synced to the minion's extmods that neither the\nbuilt-ins nor the Python fallback offer.)\n\nCLI Example:\n\n    salt '*' test.not_loaded",
			Call: func(c *Call) (any, error) {
				prov, _ := testProviders(c)
				set := map[string]bool{}
				for _, name := range extmodNames(c) {
					if !prov.(body.Map).Has(name) {
						set[name] = true
					}
				}
				return sortedSet(set), nil
			},
		},
		{
			Name:   "test.cross_test",
			Params: []Param{{Name: "func", Required: true}, {Name: "args"}},
			Doc:    "Execute a minion function via the ``__salt__`` object in the test\nmodule, used to verify that the Minion functions can be called\nvia the ``__salt__`` module.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.cross_test file.gid_to_group 0",
			Call: func(c *Call) (any, error) {
				args, _ := py.ListItems(c.Arg("args"))
				return c.crossCall(py.Str(c.Arg("func")), args)
			},
		},
		{
			Name:   "test.try",
			PyName: "try_",
			Params: []Param{{Name: "module", Required: true}, {Name: "return_try_exception", Default: false}}, VarKwargs: true,
			Doc: "Try to run a module command. On an exception return ``None``.\nIf ``return_try_exception`` is set to ``True``, return the exception.\nThis can be helpful in templates where running a module might fail as expected.\n\nJinja Example:\n\n.. code-block:: jinja\n\n    {% for i in range(0,230) %}\n        {{ salt['test.try'](module='ipmi.get_users', bmc_host='172.2.2.'+i)|yaml(False) }}\n    {% endfor %}",
			Call: func(c *Call) (any, error) {
				kw := append(body.Map{{Key: "__kwarg__", Value: true}}, cleanKwargs(c.Kwargs)...)
				ret, err := c.crossCall(py.Str(c.Arg("module")), []any{kw})
				if err != nil {
					if pyTruthy(c.Arg("return_try_exception")) {
						return err.Error(), nil
					}
					return nil, nil
				}
				return ret, nil
			},
		},
		{
			Name: "test.attr_call",
			Doc:  "Call grains.items via the attribute\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.attr_call",
			Call: func(c *Call) (any, error) { return c.crossCall("grains.items", nil) },
		},
		{
			Name: "test.missing_func",
			Call: func(*Call) (any, error) { return "foo", nil },
		},
	}, testMiscFuncs()...)
}

// testProviders is test.providers: {provider file: module}.
func testProviders(c *Call) (any, error) {
	out := body.Map{}
	seen := map[string]bool{}
	for _, fn := range c.functionNames() {
		mod, _, _ := strings.Cut(fn, ".")
		if !seen[mod] {
			seen[mod] = true
			out.Set(provider(c, mod), mod)
		}
	}
	return out, nil
}
