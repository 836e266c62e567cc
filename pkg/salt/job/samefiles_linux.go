package job

import (
	"sync"

	"golang.org/x/sys/unix"
)

// sameFiles are the last small files the cache wrote by name (.minions.p,
// return.p, out.p), for a file with the same name and bytes, of the same
// job or a later one, to be a hard link to: the minions of a job mostly
// return the same (a test.ping), back-to-back jobs to the same minions (a
// state run that changed nothing) write the same .minions.p and return.p
// each time, and a link allocates no inode, which on ext4 is most of a
// file's cost (see jobDir). The files are never written in
// place, so a link shares nothing that changes; the jid file and .load.p
// (each naming its jid) and a job's directories are the job's own, and
// Salt's clean_old_jobs goes by the jid file. A file removed since (the
// job cleaned) or with too many links is written anew and remembered.
type sameFiles struct {
	mu    sync.Mutex
	files []sameAcross
}

type sameAcross struct{ name, data, path string }

// Bounds of the files remembered for links: a job's own .minions.p, and
// the few distinct returns of its minions (a success and a failure or
// two) with their out.p, each small.
const (
	maxSameFiles = 8
	maxSameSize  = 4 << 10
)

// linkedAcross names the files that may be links to another job's.
func linkedAcross(name string) bool {
	return name == MinionsFile || name == ReturnFile || name == OutFile
}

// linkSame makes rel in directory dirfd a link to the file of an earlier
// job named name with the same bytes, and says whether it did.
func (c *Cache) linkSame(name string, data []byte, dirfd int, rel string) bool {
	if !linkedAcross(name) || len(data) > maxSameSize {
		return false
	}
	c.same.mu.Lock()
	defer c.same.mu.Unlock()
	for _, s := range c.same.files {
		if s.name == name && s.data == string(data) && unix.Linkat(unix.AT_FDCWD, s.path, dirfd, rel, 0) == nil {
			return true
		}
	}
	return false
}

// rememberSame keeps the file at path, just written, for linkSame: in
// place of one of the same name and bytes, else the oldest past
// maxSameFiles.
func (c *Cache) rememberSame(name string, data []byte, path string) {
	if !linkedAcross(name) || len(data) > maxSameSize {
		return
	}
	c.same.mu.Lock()
	defer c.same.mu.Unlock()
	for i, s := range c.same.files {
		if s.name == name && s.data == string(data) {
			c.same.files[i].path = path
			return
		}
	}
	if len(c.same.files) == maxSameFiles {
		copy(c.same.files, c.same.files[1:])
		c.same.files = c.same.files[:maxSameFiles-1]
	}
	c.same.files = append(c.same.files, sameAcross{name: name, data: string(data), path: path})
}
