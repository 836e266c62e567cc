package lane

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// OutQueued is SIOCOUTQ: a Unix datagram stays charged to its sender's
// socket until the receiver has read it. Raw: the ioctl never blocks.
func (u *uxd) OutQueued() int {
	u.inUse.RLock()
	defer u.inUse.RUnlock()
	if u.closed.Load() {
		return 0
	}
	var n int32
	if _, _, errno := unix.RawSyscall(unix.SYS_IOCTL, uintptr(u.fd), unix.SIOCOUTQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0
	}
	return int(n)
}
