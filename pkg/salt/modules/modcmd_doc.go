package modules

// The docstrings of the cmd.run family: Salt 3006's text for each
// function's summary and examples, and for the parameters this minion
// honours (salt/modules/cmdmod.py), with a line naming those it refuses.

// cmdDoc is fun's docstring: Salt's summary, the shared parameters, the
// refused ones and Salt's examples.
func cmdDoc(fun string) string {
	d := cmdDocs[fun]
	return d[0] + "\n\n" + cmdParamsDoc + "\n\n" + cmdRefusedDoc + "\n\n" + d[1]
}

const cmdRefusedDoc = "Not supported by this minion (refused with an error rather than ignored):\n" +
	"template, group, umask, use_vt, bg."

// cmdDocs are the summaries and examples of the cmd.run family.
var cmdDocs = map[string][2]string{
	"cmd.run": {
		"Execute the passed command and return the output as a string",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run \"ls -l | awk '/foo/{print \\\\$2}'\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run template=jinja \"ls -l /tmp/{{grains.id}} | awk '/foo/{print \\\\$2}'\"\n" +
			"\n" +
			"Specify an alternate shell with the shell parameter:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run \"Get-ChildItem C:\\\\ \" shell='powershell'\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run \"grep f\" stdin='one\\\\ntwo\\\\nthree\\\\nfour\\\\nfive\\\\n'\n" +
			"\n" +
			"If an equal sign (``=``) appears in an argument to a Salt command it is\n" +
			"interpreted as a keyword argument in the format ``key=val``. That\n" +
			"processing can be bypassed in order to pass an equal sign through to the\n" +
			"remote shell command by manually specifying the kwarg:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run cmd='sed -e s/=/:/g'",
	},
	"cmd.shell": {
		"Execute the passed command and return the output as a string.",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.shell \"ls -l | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.shell template=jinja \"ls -l /tmp/{{grains.id}} | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"Specify an alternate shell with the shell parameter:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.shell \"Get-ChildItem C:\\ \" shell='powershell'\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.shell \"grep f\" stdin='one\\ntwo\\nthree\\nfour\\nfive\\n'\n" +
			"\n" +
			"If an equal sign (``=``) appears in an argument to a Salt command it is\n" +
			"interpreted as a keyword argument in the format ``key=val``. That\n" +
			"processing can be bypassed in order to pass an equal sign through to the\n" +
			"remote shell command by manually specifying the kwarg:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.shell cmd='sed -e s/=/:/g'",
	},
	"cmd.run_all": {
		"Execute the passed command and return a dict of return data",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_all \"ls -l | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_all template=jinja \"ls -l /tmp/{{grains.id}} | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_all \"grep f\" stdin='one\\ntwo\\nthree\\nfour\\nfive\\n'",
	},
	"cmd.run_stdout": {
		"Execute a command, and only return the standard out",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stdout \"ls -l | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stdout template=jinja \"ls -l /tmp/{{grains.id}} | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stdout \"grep f\" stdin='one\\ntwo\\nthree\\nfour\\nfive\\n'",
	},
	"cmd.run_stderr": {
		"Execute a command and only return the standard error",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stderr \"ls -l | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stderr template=jinja \"ls -l /tmp/{{grains.id}} | awk '/foo/{print \\$2}'\"\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.run_stderr \"grep f\" stdin='one\\ntwo\\nthree\\nfour\\nfive\\n'",
	},
	"cmd.retcode": {
		"Execute a shell command and return the command's return code.",
		"CLI Example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.retcode \"file /bin/bash\"\n" +
			"\n" +
			"The template arg can be set to 'jinja' or another supported template\n" +
			"engine to render the command arguments before execution.\n" +
			"For example:\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.retcode template=jinja \"file {{grains.pythonpath[0]}}/python\"\n" +
			"\n" +
			"A string of standard input can be specified for the command to be run using\n" +
			"the ``stdin`` parameter. This can be useful in cases where sensitive\n" +
			"information must be read from standard input.\n" +
			"\n" +
			".. code-block:: bash\n" +
			"\n" +
			"    salt '*' cmd.retcode \"grep f\" stdin='one\\ntwo\\nthree\\nfour\\nfive\\n'",
	},
}

// cmdParamsDoc is cmd.run's documentation of the parameters every
// cmd.run* function shares and this minion implements.
const cmdParamsDoc = ":param str cmd: The command to run. ex: ``ls -lart /home``\n" +
	"\n" +
	":param str cwd: The directory from which to execute the command. Defaults\n" +
	"    to the home directory of the user specified by ``runas`` (or the user\n" +
	"    under which Salt is running if ``runas`` is not specified).\n" +
	"\n" +
	":param str stdin: A string of standard input can be specified for the\n" +
	"    command to be run using the ``stdin`` parameter. This can be useful in\n" +
	"    cases where sensitive information must be read from standard input.\n" +
	"\n" +
	":param str runas: Specify an alternate user to run the command. The default\n" +
	"    behavior is to run as the user under which Salt is running.\n" +
	"\n" +
	"    .. warning::\n" +
	"\n" +
	"        For versions 2018.3.3 and above on macosx while using runas,\n" +
	"        on linux while using run, to pass special characters to the\n" +
	"        command you need to escape the characters on the shell.\n" +
	"\n" +
	"        Example:\n" +
	"\n" +
	"        .. code-block:: bash\n" +
	"\n" +
	"            cmd.run 'echo '\\''h=\\\"baz\\\"'\\''' runas=macuser\n" +
	"\n" +
	":param str shell: Specify an alternate shell. Defaults to the system's\n" +
	"    default shell.\n" +
	"\n" +
	":param bool python_shell: If ``False``, let python handle the positional\n" +
	"    arguments. Set to ``True`` to use shell features, such as pipes or\n" +
	"    redirection.\n" +
	"\n" +
	":param dict env: Environment variables to be set prior to execution.\n" +
	"\n" +
	"    .. note::\n" +
	"        When passing environment variables on the CLI, they should be\n" +
	"        passed as the string representation of a dictionary.\n" +
	"\n" +
	"        .. code-block:: bash\n" +
	"\n" +
	"            salt myminion cmd.run 'some command' env='{\"FOO\": \"bar\"}'\n" +
	"\n" +
	"    .. note::\n" +
	"        When using environment variables on Window's, case-sensitivity\n" +
	"        matters, i.e. Window's uses `Path` as opposed to `PATH` for other\n" +
	"        systems.\n" +
	"\n" +
	":param bool clean_env: Attempt to clean out all other shell environment\n" +
	"    variables and set only those provided in the 'env' argument to this\n" +
	"    function.\n" +
	"\n" +
	":param str prepend_path: $PATH segment to prepend (trailing ':' not\n" +
	"    necessary) to $PATH\n" +
	"\n" +
	"    .. versionadded:: 2018.3.0\n" +
	"\n" +
	":param bool rstrip: Strip all whitespace off the end of output before it is\n" +
	"    returned.\n" +
	"\n" +
	":param bool ignore_retcode: If the exit code of the command is nonzero,\n" +
	"    this is treated as an error condition, and the output from the command\n" +
	"    will be logged to the minion log. However, there are some cases where\n" +
	"    programs use the return code for signaling and a nonzero exit code\n" +
	"    doesn't necessarily mean failure. Pass this argument as ``True`` to\n" +
	"    skip logging the output if the command has a nonzero exit code.\n" +
	"\n" +
	":param bool hide_output: If ``True``, suppress stdout and stderr in the\n" +
	"    return data.\n" +
	"\n" +
	"    .. note::\n" +
	"        This is separate from ``output_loglevel``, which only handles how\n" +
	"        Salt logs to the minion log.\n" +
	"\n" +
	"    .. versionadded:: 2018.3.0\n" +
	"\n" +
	":param int timeout: A timeout in seconds for the executed process to return.\n" +
	"\n" +
	":param list success_retcodes: This parameter will allow a list of\n" +
	"    non-zero return codes that should be considered a success.  If the\n" +
	"    return code returned from the run matches any in the provided list,\n" +
	"    the return code will be overridden with zero.\n" +
	"\n" +
	"  .. versionadded:: 2019.2.0\n" +
	"\n" +
	":param list success_stdout: This parameter will allow a list of\n" +
	"    strings that when found in standard out should be considered a success.\n" +
	"    If stdout returned from the run matches any in the provided list,\n" +
	"    the return code will be overridden with zero.\n" +
	"\n" +
	"  .. versionadded:: 3004\n" +
	"\n" +
	":param list success_stderr: This parameter will allow a list of\n" +
	"    strings that when found in standard error should be considered a success.\n" +
	"    If stderr returned from the run matches any in the provided list,\n" +
	"    the return code will be overridden with zero.\n" +
	"\n" +
	"  .. versionadded:: 3004"
