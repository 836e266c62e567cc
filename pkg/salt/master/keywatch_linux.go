package master

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// keyWatch says whether anything changed in pki_dir's key directories
// since an answer was read, from inotify events on them: a return asked
// for two stats of its minion's key files (its accepted file and the
// rejected directory, paths of a dozen components each), 3% of the
// master's CPU in a job to 1,000 minions; a look at the watch is one
// non-blocking read. The kernel queues an event before the system call
// that made the change returns, so a change made before a look is seen by
// it, as a stat would see it.
type keyWatch struct {
	mu     sync.Mutex
	fd     int
	gen    uint64 // counts the reads that found events
	broken bool   // a watched directory went, or events were lost
	buf    [4096]byte
}

// keyWatchMask is every change to a directory's entries, to the files in
// it (written, truncated, their mode or owner) and to the directory itself.
const keyWatchMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MODIFY | unix.IN_ATTRIB |
	unix.IN_CLOSE_WRITE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_DELETE_SELF |
	unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// newKeyWatch watches the directories, or returns nil when one cannot be
// watched (no inotify, a directory missing, the watches used up): the key
// cache then goes by its stamps alone.
func newKeyWatch(dirs ...string) *keyWatch {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil
	}
	for _, dir := range dirs {
		if _, err := unix.InotifyAddWatch(fd, dir, keyWatchMask); err != nil {
			unix.Close(fd)
			return nil
		}
	}
	return &keyWatch{fd: fd}
}

// poll returns the watch's generation, which changes whenever something
// changed in the directories since the last poll; ok is false once the
// watch cannot be trusted (a directory removed or moved, events lost, the
// watch closed), for good.
func (w *keyWatch) poll() (gen uint64, ok bool) {
	if w == nil {
		return 0, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for !w.broken {
		// Raw: the read never blocks, so the runtime need not hand the
		// processor over (a Syscall per return kept its monitor awake).
		n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(w.fd), uintptr(unsafe.Pointer(&w.buf[0])), uintptr(len(w.buf)))
		switch {
		case errno == unix.EAGAIN:
			return w.gen, true
		case errno == unix.EINTR:
			continue
		case errno != 0 || n == 0:
			w.broken = true
		default:
			w.gen++
			w.broken = w.untrusted(w.buf[:n])
		}
	}
	return w.gen, false
}

// untrusted says whether the events read tell of a watch that no longer
// covers what the cache reads: a watched directory removed or moved (the
// key files are read by path). Events dropped (IN_Q_OVERFLOW) are not
// such news: the kernel queues the overflow in the dropped events' place,
// so the read that finds it moves the generation on like any change, and
// every answer kept before it is read again. A join storm with auto_accept
// writes more than the queue holds (16,384 events) while no return asks
// the cache; treating that as a lost watch would leave a 10,000-minion
// master on two stats a return for good.
func (w *keyWatch) untrusted(b []byte) bool {
	const bad = unix.IN_IGNORED | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_UNMOUNT
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		if ev.Mask&bad != 0 {
			return true
		}
		b = b[min(len(b), unix.SizeofInotifyEvent+int(ev.Len)):]
	}
	return false
}

// close ends the watch; polls then say it cannot be trusted.
func (w *keyWatch) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
	w.broken = true
}
