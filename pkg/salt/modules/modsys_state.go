package modules

// StateFunctions is what a States offers sys.list_state_functions and
// sys.list_state_modules: the names of the state functions it runs
// ("file.managed", ...). A States without it lists none.
type StateFunctions interface {
	Functions() []string
}

// stateFunctionNames are the state functions of the minion's state
// system.
func (c *Call) stateFunctionNames() []string {
	if sf, ok := c.exec.opts.States.(StateFunctions); ok {
		return sf.Functions()
	}
	return nil
}

func sysStateFuncs() []Func {
	return []Func{
		{
			Name:    "sys.list_state_functions",
			VarArgs: true, VarKwargs: true,
			Doc: "List the functions for all state modules. Optionally, specify a state\nmodule or modules from which to list.\n\n" +
				"CLI Example:\n\n    salt '*' sys.list_state_functions\n    salt '*' sys.list_state_functions file\n    salt '*' sys.list_state_functions pkg user\n\n" +
				"State function names can be specified as globs.\n\n    salt '*' sys.list_state_functions 'file.*'\n    salt '*' sys.list_state_functions 'file.s*'",
			Call: func(c *Call) (any, error) {
				return toAnyList(filterFunctions(c.stateFunctionNames(), c.Args)), nil
			},
		},
		{
			Name:    "sys.list_state_modules",
			VarArgs: true,
			Doc: "List the modules loaded on the minion\n\n" +
				"CLI Example:\n\n    salt '*' sys.list_state_modules\n\nState module names can be specified as globs.\n\n    salt '*' sys.list_state_modules 'mysql_*'",
			Call: func(c *Call) (any, error) {
				return toAnyList(filterModules(c.stateFunctionNames(), c.Args)), nil
			},
		},
	}
}
