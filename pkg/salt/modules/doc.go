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
//   - A function that is not built in goes to Options.Fallback (Salt's own
//     modules in a Python worker, pkg/salt/pyworker) before it is "not
//     available". saltutil.sync_* sync from the minion's saltenv (or
//     base), where Salt defaults to the environments its top file
//     matches, and report a failed fetch as an error where Salt logs it
//     and returns what it synced; grains modules synced from _grains are
//     copied, but the Go minion's grains do not run them.
//   - pillar.items and pillar.ls list the keys of a fresh pillar sorted;
//     Salt lists them in the order the pillar was compiled, which the
//     master's compile does not keep.
//   - saltutil.kill_job, term_job and signal_job signal the job's process
//     (each job runs in one, multiprocessing: True) with every process it
//     started, as Salt with psutil does. A job killed so is reported with a
//     return by its minion (retcode 1, "ERROR: ... killed by signal 9"),
//     where Salt's minion sends none; one terminated (SIGTERM) returns as a
//     cancelled job. A job that runs inside the minion (multiprocessing:
//     False), or whose process has yet to start, is not signalled, since the
//     signal would reach the minion: the function says so ("ERROR: job
//     <jid> has no process of its own ..."); Salt would signal its minion.
//   - saltutil.clear_cache keeps the return spool (raet_returns): a return
//     not yet delivered is no cache.
//   - The state module's one-run-at-a-time queue (Options.StateRuns) is the
//     minion's, shared by its job processes; its refusal names the pid of
//     the job process that runs the other state run.
//   - event.send and event.fire_master wait for the master's answer to
//     their _minion_event request and return whether it fired the event:
//     False when no master answers, or when the tag is one of the master's
//     own (salt/job/..., a jid, presence, stats), which it refuses so that a
//     minion cannot forge another's return. Salt's minion sends
//     asynchronously and answers True whatever happens. The master stamps
//     the event's data with "_stamp" as Salt 3006 does.
//   - The minion has no local event bus other processes listen on (no
//     beacons, engines or reactor): event.fire acts on the tags the minion
//     itself handles (fire_master, _minion_mine go to the master) and drops
//     any other event, answering True.
//   - mine.send, mine.update, mine.delete and mine.flush answer whether the
//     master kept the change (Salt's answer True whatever happens). mine.get
//     of a pillar target (or I@ word) globs, where Salt matches exactly.
//     Masterless, mine.get reads an entry that is not a mapping (test.ping's
//     True) where Salt 3006.3 fails on it. mine_functions from the minion
//     config are taken in sorted order, not the file's.
//   - mine_interval's schedule (Salt's __mine_interval job) runs mine.update
//     as a local call, without a job or a proc file, first after the first
//     pillar fetched from an allowing master.
//   - file.*: an invalid regular expression is reported as re.error with
//     Go's wording; file.list_backups keys its dict "0", "1", ... (Salt's
//     keys are ints); file.replace does not make Salt's backup symlink for
//     a symlinked path; file.psed with limit raises Salt's TypeError
//     without first emptying the file as Salt does; file.manage_file
//     ignores attrs and the SELinux arguments, and its keep_mode takes the
//     mode of the fetched copy.
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
