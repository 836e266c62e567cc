package master

import (
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// keyCache spares the job path the reading of pki_dir: every publish listed
// the accepted keys' directory and every return read the minion's key
// files, for answers that change only when salt-key does. pki_dir stays the
// truth — salt-key-raet -d takes effect at the next publish or return — as
// each answer is kept with a stamp of the files and directories it was read
// from, taken again (a stat, no open, no read, no decode) before it is used:
// a key accepted, deleted or rejected renames or removes an entry, which
// changes its directory's stamp; a key file written over in place changes
// its own.
//
// A stamp is trusted only once its change time is racyWindow old: a
// filesystem's timestamps are coarse (a jiffy on ext4, seconds on others),
// so a change made in the same tick as the reading would not show in the
// stamp (git's "racy" index entries). Until then the answer is read afresh.
type keyCache struct {
	store *pki.Store
	now   func() time.Time // the clock stamps are judged by (tests move it)

	// watch, when inotify could watch pki_dir and its accepted and
	// rejected directories, stands in for the stamps of isAccepted's
	// answers while nothing changes there (keywatch_linux.go); nil: none.
	watch *keyWatch

	mu       sync.Mutex
	accIDs   []string // the accepted ids when accStamp was taken
	accStamp fileStamp
	accepted map[string]acceptedStamp // ids whose key is accepted (Get)
	watched  map[string]uint64        // ids whose key was accepted at that watch generation
}

// acceptedStamp is what Store.Get read an accepted key from: no file for
// the id in the rejected directory (which Get looks at first) and the
// accepted key file itself.
type acceptedStamp struct{ rejDir, file fileStamp }

// fileStamp tells a file or directory apart from itself at another time.
type fileStamp struct {
	ino, size   uint64
	mtime, ctim int64
	ok          bool
}

// racyWindow is how old a stamp must be to be trusted (see keyCache).
const racyWindow = 2 * time.Second

// maxAcceptedNotes bounds the ids keyCache remembers as accepted.
const maxAcceptedNotes = 1 << 16

func newKeyCache(store *pki.Store) *keyCache {
	k := &keyCache{store: store, now: time.Now}
	k.watch = newKeyWatch(store.Dir(), k.statusDir(raet.Accepted), k.statusDir(raet.Rejected))
	return k
}

// close ends the watch.
func (k *keyCache) close() { k.watch.close() }

func stampOf(path string) fileStamp {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileStamp{}
	}
	return fileStamp{ino: st.Ino, size: uint64(st.Size), mtime: st.Mtim.Nano(), ctim: st.Ctim.Nano(), ok: true}
}

// settled says whether s may stand for its file from now on.
func (s fileStamp) settled(now time.Time) bool {
	if !s.ok {
		return false
	}
	limit := now.Add(-racyWindow).UnixNano()
	return s.ctim < limit && s.mtime < limit
}

func (k *keyCache) statusDir(st raet.Acceptance) string {
	return filepath.Join(k.store.Dir(), pki.StatusName(st))
}

// acceptedIDs is Store.ListStatus(raet.Accepted), listed again only when
// the directory changed. The slice is shared: callers only read it.
func (k *keyCache) acceptedIDs() ([]string, error) {
	dir := k.statusDir(raet.Accepted)
	before := stampOf(dir)
	k.mu.Lock()
	if before.ok && before == k.accStamp {
		ids := k.accIDs
		k.mu.Unlock()
		return ids, nil
	}
	k.mu.Unlock()
	now := k.now()
	ids, err := k.store.ListStatus(raet.Accepted)
	if err != nil {
		return nil, err
	}
	if before.settled(now) && stampOf(dir) == before {
		k.mu.Lock()
		k.accIDs, k.accStamp = ids, before
		k.mu.Unlock()
	}
	return ids, nil
}

// isAccepted reports whether Store.Get would find id's key accepted,
// reading it only when its files changed since it last did: while the
// watch saw nothing change, from memory; else by the files' stamps
// (isAcceptedStamped). A key that is not accepted, or cannot be read, is
// not remembered: the caller reads it again, and says why.
func (k *keyCache) isAccepted(id string) bool {
	if pki.ValidID(id) != nil {
		return false
	}
	gen, watching := k.watch.poll()
	if watching {
		k.mu.Lock()
		seen, ok := k.watched[id]
		k.mu.Unlock()
		if ok && seen == gen {
			return true
		}
	}
	if !k.isAcceptedStamped(id) {
		return false
	}
	// Kept only if nothing changed while it was read, and the key is a
	// file of its own: a change to a symbolic link's target elsewhere
	// would not be seen.
	if after, still := k.watch.poll(); still && after == gen && regularFile(k.store.Path(raet.Accepted, id)) {
		k.mu.Lock()
		if k.watched == nil || len(k.watched) >= maxAcceptedNotes {
			k.watched = map[string]uint64{}
		}
		k.watched[id] = gen
		k.mu.Unlock()
	}
	return true
}

func regularFile(path string) bool {
	var st syscall.Stat_t
	return syscall.Lstat(path, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG
}

// isAcceptedStamped is isAccepted by the stamps of the files Get reads.
func (k *keyCache) isAcceptedStamped(id string) bool {
	rej := k.statusDir(raet.Rejected)
	file := filepath.Join(k.statusDir(raet.Accepted), id)
	now := stamps(rej, file)
	k.mu.Lock()
	seen, ok := k.accepted[id]
	k.mu.Unlock()
	if ok && now.file.ok && seen == now {
		return true
	}
	start := k.now()
	key, err := k.store.Get(id)
	if err != nil || key.Status != raet.Accepted {
		return false
	}
	if now.rejDir.settled(start) && now.file.settled(start) && stamps(rej, file) == now {
		k.mu.Lock()
		if k.accepted == nil || len(k.accepted) >= maxAcceptedNotes {
			k.accepted = map[string]acceptedStamp{}
		}
		k.accepted[id] = now
		k.mu.Unlock()
	}
	return true
}

func stamps(rejDir, file string) acceptedStamp {
	return acceptedStamp{rejDir: stampOf(rejDir), file: stampOf(file)}
}
