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
			Doc: "List the functions for all state modules. Optionally, specify a state\nmodule or modules from which to list.\n\n.. versionadded:: 2014.7.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' sys.list_state_functions\n    salt '*' sys.list_state_functions file\n    salt '*' sys.list_state_functions pkg user\n\nState function names can be specified as globs.\n\n.. versionadded:: 2015.5.0\n\n.. code-block:: bash\n\n    salt '*' sys.list_state_functions 'file.*'\n    salt '*' sys.list_state_functions 'file.s*'\n\n.. versionadded:: 2016.9.0\n\n.. code-block:: bash\n\n    salt '*' sys.list_state_functions 'module.specific_function'",
			Call: func(c *Call) (any, error) {
				return toAnyList(filterFunctions(c.stateFunctionNames(), c.Args)), nil
			},
		},
		{
			Name:    "sys.list_state_modules",
			VarArgs: true,
			Doc:     "List the modules loaded on the minion\n\n.. versionadded:: 2014.7.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' sys.list_state_modules\n\nState module names can be specified as globs.\n\n.. versionadded:: 2015.5.0\n\n.. code-block:: bash\n\n    salt '*' sys.list_state_modules 'mysql_*'",
			Call: func(c *Call) (any, error) {
				return toAnyList(filterModules(c.stateFunctionNames(), c.Args)), nil
			},
		},
	}
}
