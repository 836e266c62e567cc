package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// A minion's request to its master that wants an answer (the file server's
// commands, _pillar, _file_recv) goes as Salt 2018.3's RAETReqChannel sent
// it: the source share is a track id of the requester's own, and the master
// answers to the request's source, so the reply's destination share is that
// track (spec/salt-raet.md §1.3).

// Commands of the master's file server and of the minion's pushes,
// RemoteFuncs' names in Salt.
const (
	CmdServeFile         = "_serve_file"
	CmdFileHash          = "_file_hash"
	CmdFileHashAndStat   = "_file_hash_and_stat"
	CmdFileList          = "_file_list"
	CmdFileListEmptyDirs = "_file_list_emptydirs"
	CmdDirList           = "_dir_list"
	CmdSymlinkList       = "_symlink_list"
	CmdFileEnvs          = "_file_envs"
	CmdFileRecv          = "_file_recv"
	CmdMasterOpts        = "_master_opts"
)

// Request is a minion's request to its master's remote_cmd, answered to the
// track share:
//
//	{"route": {"src": [<minion estate>, null, <track>],
//	           "dst": [<master estate>, null, "remote_cmd"]},
//	 "load": <load>}
func Request(minionEstate, masterEstate, track string, load body.Map) body.Map {
	return envelope(route.Addr{Estate: minionEstate, Share: track},
		route.Addr{Estate: masterEstate, Share: ShareRemoteCmd},
		body.Item{Key: "load", Value: load})
}

// RemoteReply is the master's answer to a request whose route was req: it
// goes back to the request's source (estate, yard and track share):
//
//	{"route": {"src": [<master estate>, null, null], "dst": <req src>},
//	 "return": <ret>}
func RemoteReply(masterEstate string, req route.Route, ret any) body.Map {
	return envelope(route.Addr{Estate: masterEstate}, req.Src,
		body.Item{Key: "return", Value: ret})
}

// ReplyValue reads a reply's "return", whatever its type; ok is false when
// the message has none.
func ReplyValue(msg body.Map) (any, bool) { return msg.Get("return") }
