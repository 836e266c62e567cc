// Package protocol is the contract between the salt command, the master and
// its minions over RAET: the yards and shares they address, the route
// envelopes they write, and the typed loads they carry (docs/salt-messages.md,
// following Salt 2018.3's RAET daemons, spec/salt-raet.md §1–§4). Every
// message the Salt layer sends is built here and every one it takes is read
// here; no other package writes a route by hand.
package protocol

import "github.com/saltraet/saltraet/pkg/salt/job"

// Yards: one endpoint on a host's lane (a socket file <lane>.<yard>.uxd).
const (
	// YardManor is each daemon's own yard: <sock_dir>/master.manor.uxd on the
	// master, <sock_dir>/<id>_minion.manor.uxd on a minion.
	YardManor = "manor"
	// YardJobber is the source yard of a minion's return.
	YardJobber = "jobber"
)

// Shares: the third element of a route, naming the handler a message is for.
const (
	ShareFun       = "fun"        // a master's publish, to a minion
	ShareRemoteCmd = "remote_cmd" // a minion's request or return, to its master
	ShareLocalCmd  = "local_cmd"  // the salt command's request, to the master
	ShareEventReq  = "event_req"  // an event subscription, to a daemon's manor
	ShareEventFire = "event_fire" // an event, to a subscribed yard
	ShareJidRet    = "jid_ret"    // the source share of a return
	SharePubRet    = "pub_ret"    // the master's reply to a publish, to the salt command
	// SharePresenceReq asks the master which estates are in a state.
	SharePresenceReq = "presence_req"
	// ShareStatsReq asks the master for the statistics a tag names.
	ShareStatsReq = "stats_req"
)

// Commands: the "cmd" of a load, naming what the receiver is to do with it.
const (
	CmdPublish = "publish"     // the salt command's publish, on local_cmd
	CmdReturn  = job.ReturnCmd // "_return": a minion's return, on remote_cmd
	CmdPillar  = "_pillar"     // a minion's pillar request, on remote_cmd
)
