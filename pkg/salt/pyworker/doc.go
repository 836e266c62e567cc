// Package pyworker runs Salt's own execution modules for a Go minion, in
// one long-lived Python process per minion (python_fallback): the
// functions the Go built-ins lack, custom modules synced from
// salt://_modules among them, without a salt-call per job.
//
// The worker (worker.py, embedded and handed to the interpreter on fd 3)
// builds Salt's loader once, from the minion's config file with the
// minion's grains and pillar and extension_modules pointing at
// <cachedir>/extmods, and runs each call in a forked child, as Salt's
// multiprocessing minion runs a job: calls overlap, a call whose job is
// killed has its process group killed, and a call's changes to the loader
// do not outlive it. A call goes through Salt's load_args_and_kwargs with
// the publish as its data, and its errors are worded as
// Minion._thread_return words them, which is how the Go built-ins word
// theirs (modules.Result). It also runs the grains modules synced to
// <extension_modules>/grains over the minion's core grains
// (Worker.CustomGrains), as salt.loader.grains runs them.
//
// A Worker starts the process at the first call (so a minion that never
// needs it never pays for importing Salt), starts it again at the call
// after it died (the call it was running fails with an error saying so),
// and, when Optional, gives up for good if Python has no Salt. Where it
// differs from Salt 3006:
//
//   - file_client is local and the transport zeromq in the worker's
//     options: Salt 3006 has no RAET, so functions that ask the master
//     themselves (cp.*, event.fire_master, mine.*, publish.*) cannot; the
//     Go built-ins answer those.
//   - functions are called directly, not through module_executors.
//   - values msgpack cannot carry are sent as Python gives them to str()
//     (datetimes) or repr(); sets and tuples become lists.
//   - custom grains are run by Salt's loader over the synced grains
//     modules alone: Salt's other non-core grains modules (disks, lvm,
//     ...) are not run, and a grains function that raises is logged at
//     the minion's warning level, not CRITICAL.
package pyworker
