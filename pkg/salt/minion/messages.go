package minion

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The minion's messages are the contract's (pkg/salt/protocol); these names
// stay for the minion's tests and callers.

// ShareRemoteCmd is protocol.ShareRemoteCmd: a request for the master.
const ShareRemoteCmd = protocol.ShareRemoteCmd

// ReturnMessage is protocol.ReturnMessage: a job's return load on its way
// to the master that published the job.
func ReturnMessage(minionEstate, masterEstate string, load body.Map) body.Map {
	return protocol.ReturnMessage(minionEstate, masterEstate, load)
}
