package modules

// The docstrings of the state module's functions, shortened from Salt's,
// appended to "Passed invalid arguments" errors.
const (
	docApply         = "Apply states: with no argument the highstate (the top file's states for this minion), with a comma-separated list of SLS names those (state.sls). test=True, saltenv=, pillarenv=, pillar={...}, exclude=, queue=True (wait for a state run under way rather than refuse).\n\nCLI Example:\n\n    salt '*' state.apply\n    salt '*' state.apply stuff,pkgs test=True"
	docTest          = "Alias for state.apply with test=True forced.\n\nCLI Example:\n\n    salt '*' state.test stuff"
	docSLS           = "Execute the states in one or more SLS files (mods, a comma-separated list), with test=, saltenv=, pillarenv=, pillar={...}, exclude=, queue=.\n\nCLI Example:\n\n    salt '*' state.sls core,edit.vim saltenv=dev"
	docHighstate     = "Retrieve the state data from the salt master for this minion and execute it (the top file's states), with test=, saltenv=, pillar={...}, queue=.\n\nCLI Example:\n\n    salt '*' state.highstate test=True"
	docSLSID         = "Call a single ID from the named module(s) and handle all requisites.\n\nCLI Example:\n\n    salt '*' state.sls_id my_state my_module"
	docSingle        = "Execute a single state function with the named kwargs, returns False if insufficient data is sent to the command.\n\nCLI Example:\n\n    salt '*' state.single pkg.installed name=vim"
	docShowSLS       = "Display the state data from a specific sls or list of sls files on the master.\n\nCLI Example:\n\n    salt '*' state.show_sls core,edit.vim saltenv=dev"
	docShowTop       = "Return the top data that the minion will use for a highstate.\n\nCLI Example:\n\n    salt '*' state.show_top"
	docShowHighstate = "Retrieve the highstate data from the salt master and display it.\n\nCLI Example:\n\n    salt '*' state.show_highstate"
	docShowLowstate  = "List out the low data that will be applied to this minion.\n\nCLI Example:\n\n    salt '*' state.show_lowstate"
	docRunning       = "Return a list of strings that contain state return data if a state function is already running. This function is used to prevent multiple state calls from being run at the same time.\n\nCLI Example:\n\n    salt '*' state.running"
)
