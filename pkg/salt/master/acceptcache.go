package master

import (
	"errors"
	"io/fs"
	"sync"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// Every return is served only while its minion's key is accepted now,
// read from pki_dir (unaccepted). Reading the key files (the rejected one
// looked for, the accepted one opened, read, closed and decoded) is ~6% of
// the master's CPU in a job to 1,000 minions; the accepted file seen last
// time, stat'ed again unchanged with still no rejected file beside it,
// says the same without the reading: two stats. Any change to either (a
// salt-key -d, -r, a key written again) is seen at the next message.

// fileStamp is what tells a file replaced or rewritten.
type fileStamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime syscall.Timespec
}

// stamp stats path: ok when it is a regular file.
func stamp(path string) (fileStamp, bool) {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileStamp{}, false
	}
	return fileStamp{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim, ctime: st.Ctim}, true
}

// absent reports that path does not exist (an error other than that is
// not absence: the full reading then says what it is).
func absent(path string) bool {
	var st syscall.Stat_t
	err := syscall.Stat(path, &st)
	return err != nil && errors.Is(err, fs.ErrNotExist)
}

// acceptedKeys remembers, by minion id, the accepted key file last read
// whole and found good.
type acceptedKeys struct {
	mu sync.Mutex
	m  map[string]fileStamp
}

// still reports that id's accepted key is the one last read, unchanged,
// and no rejected key has appeared.
func (a *acceptedKeys) still(store *pki.Store, id string) bool {
	a.mu.Lock()
	want, ok := a.m[id]
	a.mu.Unlock()
	if !ok || pki.ValidID(id) != nil {
		return false
	}
	got, ok := stamp(store.Path(raet.Accepted, id))
	return ok && got == want && absent(store.Path(raet.Rejected, id))
}

// before stamps id's accepted key file before it is read whole; remember
// keeps that stamp once the reading found it accepted, so a file changed
// in between is read again next time.
func (a *acceptedKeys) before(store *pki.Store, id string) (fileStamp, bool) {
	return stamp(store.Path(raet.Accepted, id))
}

func (a *acceptedKeys) remember(id string, s fileStamp) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= maxAcceptedKeys {
		a.m = map[string]fileStamp{}
	}
	a.m[id] = s
}

// maxAcceptedKeys bounds the memory: past it, all are read again once.
const maxAcceptedKeys = 1 << 17
