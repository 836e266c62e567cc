package fileserver

import (
	"errors"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Serve answers a file server command of a minion's load, as Salt 3006's
// Fileserver does: ok is false when cmd is not one. The load's "id" is the
// minion the master verified (it sets it from the signing estate); it
// names the minion when a refused path is logged. A load Salt would not
// take gets Salt's answer for a file not found.
func (s *Server) Serve(cmd string, load body.Map) (ret any, ok bool) {
	id, _ := load.String("id")
	switch cmd {
	case protocol.CmdServeFile:
		return s.serveFile(id, load), true
	case protocol.CmdFileHash:
		h, _, found := s.hashOf(id, load)
		return protocol.FileHashReturn(h, found), true
	case protocol.CmdFileHashAndStat:
		h, st, found := s.hashOf(id, load)
		return protocol.FileHashAndStatReturn(h, st, found), true
	case protocol.CmdFileList, protocol.CmdFileListEmptyDirs, protocol.CmdDirList:
		return s.list(id, cmd, load), true
	case protocol.CmdSymlinkList:
		q, err := protocol.ParseFileListQuery(load)
		if err != nil {
			s.log.Debugf("File server: %s from %s: %v", cmd, id, err)
			return body.Map{}, true
		}
		s.checkEnv(id, q.Saltenv)
		links := s.SymlinkList(q.Saltenv, q.Prefix)
		return protocol.SymlinksReturn(links, sortedKeys(links)), true
	case protocol.CmdFileEnvs:
		return protocol.PathListReturn(s.Envs()), true
	}
	return nil, false
}

func (s *Server) serveFile(id string, load body.Map) body.Map {
	r, err := protocol.ParseServeFile(load)
	if err != nil {
		s.log.Debugf("File server: _serve_file from %s: %v", id, err)
		return protocol.FileChunk{}.Return()
	}
	c, err := s.ServeChunk(r.Saltenv, r.Path, r.Loc)
	if err != nil {
		s.logLookup(id, err)
		return protocol.FileChunk{}.Return()
	}
	return c.Return()
}

func (s *Server) hashOf(id string, load body.Map) (protocol.FileHash, []int64, bool) {
	r, err := protocol.ParseFileRef(load)
	if err != nil {
		s.log.Debugf("File server: hash request from %s: %v", id, err)
		return protocol.FileHash{}, nil, false
	}
	h, st, err := s.Hash(r.Saltenv, r.Path)
	if err != nil {
		s.logLookup(id, err)
		return protocol.FileHash{}, nil, false
	}
	return h, st, true
}

func (s *Server) list(id, cmd string, load body.Map) []any {
	q, err := protocol.ParseFileListQuery(load)
	if err != nil {
		s.log.Debugf("File server: %s from %s: %v", cmd, id, err)
		return []any{}
	}
	s.checkEnv(id, q.Saltenv)
	var paths []string
	switch cmd {
	case protocol.CmdFileList:
		paths = s.FileList(q.Saltenv, q.Prefix)
	case protocol.CmdDirList:
		paths = s.DirList(q.Saltenv, q.Prefix)
	default:
		paths = s.EmptyDirs(q.Saltenv, q.Prefix)
	}
	return protocol.PathListReturn(paths)
}

// checkEnv logs a saltenv refused for a list, which then is empty.
func (s *Server) checkEnv(id, saltenv string) {
	if _, _, err := s.envRoots(saltenv); err != nil {
		s.logLookup(id, err)
	}
}

// logLookup logs a lookup that failed: a refused path at warning, with the
// minion and why; a file not there at debug; anything else (a read error)
// at error.
func (s *Server) logLookup(id string, err error) {
	var r *RefusedError
	switch {
	case errors.As(err, &r):
		s.log.Warnf("File server refused path %q in saltenv %q asked for by minion %s: %s", r.Path, r.Saltenv, id, r.Why)
	case errors.Is(err, ErrNotFound):
		s.log.Debugf("File server: a file asked for by %s is not found", id)
	default:
		s.log.Errorf("File server: a file asked for by %s: %v", id, err)
	}
}
