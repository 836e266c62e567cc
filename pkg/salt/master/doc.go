// Package master is the Salt master on RAET: the daemon behind
// salt-master-raet. It speaks the contract of docs/salt-messages.md with
// minions over the road (UDP) and with the salt command over the lane (the
// manor yard, a Unix datagram socket in sock_dir).
//
// One Master owns a road stack (estate config.Master.EstateName(), role the
// master's id, the pki key store as its join policy), a lane stack (lane
// "master", yard "manor") and a router joining the two. What it does:
//
//   - local_cmd (lane): a publish from the salt command. The load's key must
//     be one of the access keys written at start (<cachedir>/.<user>_key);
//     the targets are the accepted keys matched by tgt/tgt_type (grain and
//     pillar targets against <cachedir>/minions/<id>/data.p, greedily); a jid is
//     allocated, salt/job/<jid>/new fired, the load (without its key) saved
//     in the job cache, the client answered, and the publish sent to the
//     targeted minions' estates only. Each minion's delivery is reported
//     once, as salt/job/<jid>/delivered/<id> or, when it finally failed,
//     salt/job/<jid>/undelivered/<id>: a delivery that fails, or a minion
//     the road knows with no session now, is sent again at the minion's
//     next allow, within the resend window (resend.go).
//   - remote_cmd (road): a minion's _return or _pillar. load.id is set from
//     the role of the estate that signed the message; a return is kept once
//     per jid and minion, for a known job that targeted that minion, and
//     fired as salt/job/<jid>/ret/<id>; a pillar is compiled for that
//     minion by the function WithPillar gives, on a worker, kept with its
//     grains in data.p and sent back on the request's track (pillar.go).
//     Also on remote_cmd, each answered on its track: the file server's
//     commands (files.go), _minion_event, fired on the event bus unless its
//     tag is one of the master's own (minionevent.go), and the mine's
//     _mine, _mine_get, _mine_delete, _mine_flush, kept in mine.p beside
//     data.p (mine.go, mineget.go).
//   - event_req, event_fire, presence_req, stats_req (lane): event
//     subscription and fan-out, presence and statistics queries.
//   - every presence interval (10 s): salt/presence/present, and
//     salt/presence/change when the set of available minions changed.
//   - every loop_interval (60 s): jobs older than keep_jobs_seconds (a day;
//     or the legacy keep_jobs hours) are
//     removed from the job cache.
//
// The router applies the master's policy (policy.go; ARCHITECTURE.md, "Who
// may send what"): from the road it takes only remote_cmd, from estates
// whose minion's key is accepted, so no estate can reach a local yard (the
// salt command's event yard, say) with a message the master did not check;
// local yards may not send over the road. Everything refused is counted
// (Stats) and logged at warning, a refusal of the policy once per reason
// and sender; the daemon keeps serving.
//
// A join is judged by the key store (keyJudge): a key file that cannot be
// used (corrupt, truncated, wrong fields, unreadable) refuses the minion
// and is logged at error with its path and why, a rejected key at warning,
// a pending one at info, each once per change rather than at every join
// the minion retries. Every presence interval the keys of the joined
// estates are looked at again: one deleted behind a live session
// (salt-key-raet -d) is judged anew on the keys the estate joined with,
// pending unless auto_accept or autosign accepts it, as Salt's minion
// re-authenticating after a deletion is; a broken one is named at error.
// A local yard that goes away (the salt command's
// event yard when it exits) is one line, and what was still on its way to
// it is counted (lane_yard_gone_dropped), not logged per message.
package master
