// Package modules runs the execution functions a minion offers (test.ping,
// cmd.run, grains.get, ...) the way Salt's ZeroMQ minion of 3006 runs its
// Python ones, so that a job returns the same values, retcodes and error
// texts (spec/salt-raet.md §3.4, §4.1, §7; spec/salt-3006-observed/).
//
// Run does what Salt's Minion._thread_return does around the function:
//
//   - an unknown function returns "'<fun>' is not available." with
//     success false, retcode 1 and the nested outputter;
//   - the published arguments are loaded as load_args_and_kwargs loads
//     them: dicts marked __kwarg__ and leftover "key=value" strings become
//     keyword arguments (values YAML-loaded as yamlify_arg does), which a
//     function without **kwargs accepts only for its named parameters
//     ("The following keyword arguments are not valid: ..."); functions
//     with **kwargs also get every publish field as __pub_<field>;
//   - arguments bind to the function's Python signature, with Python's
//     TypeError texts when they do not fit;
//   - errors are reported by kind: "ERROR: ...", "ERROR executing
//     '<fun>': ...", "Passed invalid arguments to <fun>: ...", "The minion
//     function caused an exception: ...", all with retcode 1;
//   - the retcode is what the function set (cmd.* the command's exit code,
//     test.retcode its argument), or 1 for a mapping return whose result or
//     success is false.
//
// Decisions where Salt gives no usable answer:
//
//   - An exception's message is "The minion function caused an exception:
//     <Type>: <message>", the last line of the traceback Salt would print;
//     there is no Python traceback to show.
//   - A command that cmd.* had to kill on its timeout makes the job's
//     retcode 1; Salt 3006 leaves it at 0 although it reports retcode 1 in
//     cmd.run_all. A non-mapping env is an error, where Salt ignores it.
//   - test.sleep honours fractions of a second; Salt truncates to whole
//     seconds.
//   - A job whose context ends (killed, or the minion stopping) returns
//     "ERROR: <fun> was cancelled: <cause>"; commands are killed with
//     their whole process group.
//   - Unknown functions get the plain message, without the sys.doc
//     listing Salt adds when the name is the prefix of known functions.
//   - pillar.items and pillar.ls list the keys of a fresh pillar sorted;
//     Salt lists them in the order the pillar was compiled, which the
//     master's compile does not keep.
//   - grains.setval and the other grains writes refresh the pillar after
//     the grains (refresh_pillar=True) by asking the master at once and
//     waiting for it; Salt fires an event the minion acts on later. A
//     failed pillar refresh does not fail the write, as in Salt; a grains
//     file that cannot be written is an error, where Salt only logs it.
//     Salt's module_refresh flag file is not written: nothing reads it.
//   - test.try and test.cross_test call the other function without the
//     __pub_* keywords, so test.try of a function without **kwargs
//     returns its value where Salt's published job gets None (its
//     __pub_* keys make the call fail).
//   - test.collatz refuses a start below 1 (ValueError); Salt loops
//     forever. test.raise_exception refuses SystemExit, KeyboardInterrupt
//     and GeneratorExit (returns False). test.deprecation_warning warns
//     nothing. test.not_loaded lists the modules synced to
//     <cachedir>/extmods/modules that neither the built-ins nor the Python
//     fallback offer: a Go minion has no other module directory.
//     test.provider names the Salt module file that would provide a
//     built-in module (cmdmod for cmd, aptpkg or yumpkg for pkg, ...).
//   - The Python fallback's functions are listed by sys.list_functions
//     and sys.list_modules after the built-ins, marked " (python)";
//     sys.doc and sys.argspec give what the fallback's own sys.doc and
//     sys.argspec say of them. sys.state_doc and the runner, returner and
//     renderer listings are not built in.
//   - test.versions_report has Salt's layout with a "Go Version" section
//     where Salt has "Python Version", and the Go modules built in as the
//     dependencies. test.conf_test reads the option, grain or pillar
//     test.foo, else "unconfigured".
//   - cmd.script's template= renders Jinja only (as cp.get_template);
//     sources are salt:// or local paths, not http(s)/ftp.
package modules
