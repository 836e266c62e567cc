// Package minion is salt-minion-raet: a Salt minion on RAET
// (spec/salt-raet.md §1, §3.3–3.4, §4.1, §6–7), speaking the messages of
// docs/salt-messages.md with the master and with local tools.
//
// A Minion owns three things that run side by side:
//
//   - a road stack <id>_minion on interface:raet_port (UDP 4510), with
//     presence management and the cascade on, which joins, allows and keeps
//     alive every master of the master option. The masters' long-term keys are
//     judged by the minion's own key store under pki_dir (auto_accept keeps
//     the first key a master shows; a changed key is refused and logged at
//     error). A master that refuses or rejects the minion (or that the
//     minion refuses) is joined again after acceptance_wait_time (10 s),
//     the wait doubling while below acceptance_wait_time_max, as Salt's
//     AsyncAuth does, so an operator's salt-key -a or a repaired key file
//     takes effect without a restart. Salt's ZeroMQ minion exits when
//     rejected unless rejected_retry is set; this one always retries. A
//     pending minion is joined again by the road's presence management.
//     A master that stops answering is joined again vacuously, as at a
//     start, so a master back with new keys (or without its road keep) is
//     found out: its changed key is refused at error, naming the stored key
//     file, and once the operator removes that file the next join takes the
//     new key, the minion still running (as Salt's minion re-authenticates
//     and saves a new minion_master.pub once the old one is removed). Every
//     join again offers the master the estate uid it had, which is all an
//     immutable master takes back.
//   - a lane <id>_minion with the manor yard in sock_dir, for local tools.
//   - a router joining the two: share "fun" from a master is a job; share
//     "remote_cmd" from a local yard goes to the current master (the first
//     allowed one in the order of the master option, or a random one with
//     random_master); a master's reply to a request of the minion's own
//     (Request: the file client of the cp module) goes, by the track share
//     it was sent from, to the request waiting for it; everything else the
//     minion does not know is dropped with a debug line (the master's pillar
//     reply among it, as the contract says).
//
// After each allow the minion asks the master for its pillar in a _pillar
// request carrying its grains (pillar.go), on a track of its request
// channel, and keeps the answer in memory for the pillar module and pillar
// targets. A publish whose target matches (pkg/salt/target) runs with
// <cachedir>/proc/<jid> (msgpack, modules.ProcRecord) on disk while it runs;
// its return load (job.ReturnLoad) goes to the master that published it,
// over the road, route src [<estate>, "jobber", "jid_ret"], dst [<master>,
// null, "remote_cmd"].
//
// # Job processes
//
// With multiprocessing: true (Salt's default) each job runs in a process
// of its own (jobproc.go), as Salt's ProcessPayload: the minion's program
// started again (JobProcessMain, which salt-minion-raet's main calls first),
// in a process group of its own, its pid in the proc record and file, so
// that saltutil.kill_job, or kill of that pid, ends the job and never the
// minion. The job's environment is built by the same function as the
// minion's (openJobEnv), from the config read again, the grains and pillar
// of the moment; what it reaches beyond itself (the master's and the
// pillar's requests, the running jobs, pillar and grains refreshes, the
// Python fallback, the queue of state runs) are calls over a socket pair
// to the minion (jobproc_conn.go: length-prefixed msgpack frames). The spool and
// the road stay in the minion, which gets the job's result back. SIGTERM
// cancels the job (term_job; the minion's shutdown, which sends SIGKILL
// when that has not ended it within half the shutdown grace), and the job
// returns as a cancelled job. multiprocessing: false, and a program that does not call
// JobProcessMain, run jobs in goroutines of the minion.
//
// # Returns are never lost
//
// Every return is first appended to the spool log
// <cachedir>/raet_returns/.returns.log (msgpack of the whole road message,
// route included, in a record with its length and CRC: spoollog.go), then
// transmitted. It is recorded delivered only once the road reports the
// message delivered (the master said done), and the log is emptied once no
// return waits. Files <cachedir>/raet_returns/<jid> of earlier versions are
// sent the same way and removed once delivered. A return that could not be delivered
// (the master not allowed at the time, or the delivery failed: timed out,
// refused, the road stopped) stays on disk and is sent again when the road
// reports that master allowed or alive again, at every retry interval while
// it is allowed, and at the next start of the minion.
//
// # Decisions
//
//   - The proc file of a job is removed once its return is on disk and handed
//     to the road; Salt's RAET jobber left it behind and relied on pid checks.
//     Proc files of a previous process are removed at start.
//   - A publish from an estate that is not one of this minion's masters, or
//     one that arrives over the lane, is refused (publish_not_from_master),
//     and so is a remote_cmd from the road (road_remote_cmd): the router's
//     policy (policy.go; ARCHITECTURE.md, "Who may send what") counts each
//     and logs the first of each reason from each sender at warning.
//   - A publish whose jid the minion took before is refused (warning, counted
//     as publish_jid_seen), as the ZeroMQ minion's jid_queue does; the
//     queue keeps the newest minion_jid_queue_hwm (100) jids in
//     <cachedir>/minion_jids, written before the job runs, so it holds
//     across restarts, and once full a jid older than all of it is refused
//     too (publish_jid_too_old): jids are timestamps, and such a publish is
//     a replay or older than the minion can vouch for.
//   - A target that cannot be evaluated (bad regular expression, nodegroup
//     or range) is logged at warning and not run, where Salt logs and answers
//     False: the result is the same, no return.
//   - A compound function (fun given as a list) is answered with an error
//     return rather than run.
//   - A job process killed by a signal (saltutil.kill_job, kill) is
//     reported with a return (retcode 1, "ERROR: The process <pid> of job
//     <jid> (<fun>) was killed by signal 9"), where Salt's minion sends
//     none and the salt command waits for it until its find_job says it is
//     gone.
//   - A job process reads the minion's config again from its config
//     directory, so an edit made since the minion started reaches its jobs;
//     Salt's job processes inherit the opts the minion started with. The
//     grains and pillar are the minion's of the moment, as in Salt.
//   - raet_clear_remote_masters or raet_clear_remotes (both true by default)
//     forget the remembered master estates at start, and the uid counter is
//     reset, as Salt's joiner does, so a restarted minion offers the master
//     the same estate uid as before and an immutable master takes it back.
//   - On SIGTERM the router stops taking publishes, running jobs get the
//     shutdown grace (5 s) to finish, then are cancelled (their "cancelled"
//     returns are spooled like any other), and deliveries in flight get a
//     moment more before the stacks stop.
package minion
