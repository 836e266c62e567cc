package fileclient

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The loads of the master's file server commands, built by the contract
// (protocol/files.go) that the master's file server reads them with; the
// request channel adds "id".

// serveFileLoad asks for the chunk of path at byte offset loc.
func serveFileLoad(path, saltenv string, loc int64) body.Map {
	return protocol.ServeFileLoad(protocol.ServeFile{Path: path, Loc: loc, Saltenv: saltenv})
}

// fileHashLoad asks for the master's hash of path.
func fileHashLoad(path, saltenv string) body.Map {
	return protocol.FileRefLoad(protocol.CmdFileHash, protocol.FileRef{Path: path, Saltenv: saltenv})
}

// listLoad asks for one of the file server's lists (_file_list,
// _file_list_emptydirs, _dir_list, _symlink_list) under prefix.
func listLoad(cmd, saltenv, prefix string) body.Map {
	return protocol.FileListLoad(cmd, protocol.FileListQuery{Saltenv: saltenv, Prefix: prefix})
}

// envsLoad asks for the master's environments.
func envsLoad() body.Map { return protocol.FileEnvsLoad() }

// fileRecvLoad is one chunk of cp.push: the file's path on the master as
// components, its size, and the data at offset loc. Salt adds an auth
// token ("tok"); on RAET the master knows the minion by the estate that
// signed the message, and the request channel sets "id".
func fileRecvLoad(path []string, size, loc int64, data []byte) body.Map {
	return protocol.FileRecvLoad(protocol.FileRecv{Path: path, Size: size, Loc: loc, Data: data})
}
