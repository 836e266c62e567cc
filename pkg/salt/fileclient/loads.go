package fileclient

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The loads of the master's file server commands, laid out as Salt 3006's
// RemoteClient builds them (its dicts' key order); the request channel adds
// "id". They live here alone so that protocol's typed builders can take
// their place in one step.

// serveFileLoad asks for the chunk of path at byte offset loc.
func serveFileLoad(path, saltenv string, loc int64) body.Map {
	return body.Map{{Key: "path", Value: path}, {Key: "saltenv", Value: saltenv},
		{Key: "cmd", Value: protocol.CmdServeFile}, {Key: "loc", Value: loc}}
}

// fileHashLoad asks for the master's hash of path.
func fileHashLoad(path, saltenv string) body.Map {
	return body.Map{{Key: "path", Value: path}, {Key: "saltenv", Value: saltenv},
		{Key: "cmd", Value: protocol.CmdFileHash}}
}

// listLoad asks for one of the file server's lists (_file_list,
// _file_list_emptydirs, _dir_list, _symlink_list) under prefix.
func listLoad(cmd, saltenv, prefix string) body.Map {
	return body.Map{{Key: "saltenv", Value: saltenv}, {Key: "prefix", Value: prefix}, {Key: "cmd", Value: cmd}}
}

// envsLoad asks for the master's environments.
func envsLoad() body.Map { return body.Map{{Key: "cmd", Value: protocol.CmdFileEnvs}} }

// fileRecvLoad is one chunk of cp.push: the file's path on the master as
// components, its size, and the data at offset loc. Salt adds an auth
// token ("tok"); on RAET the master knows the minion by the estate that
// signed the message.
func fileRecvLoad(path []string, size, loc int64, data []byte) body.Map {
	comps := make([]any, len(path))
	for i, p := range path {
		comps[i] = p
	}
	return body.Map{{Key: "cmd", Value: protocol.CmdFileRecv}, {Key: "path", Value: comps},
		{Key: "size", Value: size}, {Key: "loc", Value: loc}, {Key: "data", Value: data}}
}
