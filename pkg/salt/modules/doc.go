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
//   - file.*: an invalid regular expression is reported as re.error with
//     Go's wording; file.list_backups keys its dict "0", "1", ... (Salt's
//     keys are ints); file.replace does not make Salt's backup symlink for
//     a symlinked path; file.psed with limit raises Salt's TypeError
//     without first emptying the file as Salt does; file.manage_file
//     ignores attrs and the SELinux arguments, and its keep_mode takes the
//     mode of the fetched copy.
package modules
