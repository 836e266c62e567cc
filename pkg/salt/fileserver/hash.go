package fileserver

import (
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// newHash is hashlib.new(hash_type) for the names Salt accepts.
func newHash(name string) (hash.Hash, error) {
	if h, ok := py.NewHash(name); ok {
		return h, nil
	}
	return nil, fmt.Errorf("hash_type: %q is not supported; want a hashlib name such as sha256, sha512 or md5", name)
}

// hashCache keeps each file's hash by its real path, for as long as the
// file's mtime and size stay the same (roots.file_hash keeps "hsum:mtime"
// on disk for the same reason): a 10 MB file is hashed once, not once per
// minion asking.
type hashCache struct {
	mu sync.Mutex
	m  map[string]hashEntry
}

type hashEntry struct {
	mtime time.Time
	size  int64
	hsum  string
}

func (c *hashCache) init() { c.m = map[string]hashEntry{} }

func (c *hashCache) get(path string, mtime time.Time, size int64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[path]
	if !ok || !e.mtime.Equal(mtime) || e.size != size {
		return "", false
	}
	return e.hsum, true
}

func (c *hashCache) put(path string, mtime time.Time, size int64, hsum string) {
	c.mu.Lock()
	c.m[path] = hashEntry{mtime: mtime, size: size, hsum: hsum}
	c.mu.Unlock()
}

// Hash is the hash (hash_type) of the file at path in saltenv, and its
// stat as Salt lists os.stat (mode, ino, dev, nlink, uid, gid, size,
// atime, mtime, ctime). Errors as Find's.
func (s *Server) Hash(saltenv, path string) (protocol.FileHash, []int64, error) {
	f, err := s.find(saltenv, path)
	if err != nil {
		return protocol.FileHash{}, nil, err
	}
	hsum, err := s.hashFile(f)
	if err != nil {
		return protocol.FileHash{}, nil, err
	}
	return protocol.FileHash{Hsum: hsum, HashType: s.hashType}, statList(f.Info), nil
}

// hashFile hashes a file found, or takes its hash from the cache. The file
// is stat'ed again after it is opened, so the cache is keyed by the
// content hashed, not by what find saw a moment before.
func (s *Server) hashFile(f found) (string, error) {
	fh, err := os.Open(f.Abs)
	if err != nil {
		return "", ErrNotFound
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return "", err
	}
	if hsum, ok := s.hashes.get(f.Abs, info.ModTime(), info.Size()); ok {
		return hsum, nil
	}
	h, _ := newHash(s.hashType)
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	hsum := hex.EncodeToString(h.Sum(nil))
	s.hashes.put(f.Abs, info.ModTime(), info.Size(), hsum)
	return hsum, nil
}
