package fileserver

import (
	"errors"
	"io"
	"os"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// ServeChunk is up to BufferSize bytes of the file at path in saltenv from
// byte loc (roots.serve_file): Dest is the path relative to the
// environment, Data is empty at or past the end of the file. Errors as
// Find's.
func (s *Server) ServeChunk(saltenv, path string, loc int64) (protocol.FileChunk, error) {
	f, err := s.find(saltenv, path)
	if err != nil {
		return protocol.FileChunk{}, err
	}
	fh, err := os.Open(f.Abs)
	if err != nil {
		return protocol.FileChunk{}, ErrNotFound
	}
	defer fh.Close()
	n := int64(s.bufSize)
	if info, err := fh.Stat(); err == nil {
		n = max(0, min(n, info.Size()-loc))
	}
	buf := make([]byte, n)
	got, err := fh.ReadAt(buf, loc)
	if err != nil && !errors.Is(err, io.EOF) {
		return protocol.FileChunk{}, err
	}
	return protocol.FileChunk{Data: buf[:got], Dest: f.Rel}, nil
}
