package road

import (
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The socket's reads and writes are raw system calls on Linux. A system
// call the Go way (net's, x/net's) tells the runtime it may block, and the
// runtime wakes its monitor thread (sysmon) to take the processor back
// should it block for long; the monitor then polls every 20 µs until every
// processor is idle again. An idle estate's only work is one datagram in
// and one out each keep-alive period, so those wakes were a third of its
// CPU (BENCHMARKS.md, "Idle cost"). A UDP socket of the net package is
// non-blocking: recvfrom, recvmmsg and sendto return at once (EAGAIN when
// there is nothing to read or no room to write, and the poller then parks
// the goroutine as net does), so the monitor has nothing to take back.

// rawUDP is the socket's descriptor, for the raw calls.
type rawUDP struct {
	rc  syscall.RawConn
	six bool // an AF_INET6 socket: IPv4 peers are written v4-mapped

	// The headers of readBatch, kept for the next read: the stack has one
	// reader, the mutex is for any other.
	mu   sync.Mutex
	hs   []unix.Mmsghdr
	iovs []unix.Iovec
	sas  []unix.RawSockaddrAny
}

func newRawUDP(c *net.UDPConn) *rawUDP {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawUDP{rc: rc}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		var sa unix.Sockaddr
		sa, serr = unix.Getsockname(int(fd))
		_, r.six = sa.(*unix.SockaddrInet6)
	}); err != nil || serr != nil {
		return nil // the net package's calls, then
	}
	return r
}

// peerOf reads the peer's address the kernel wrote.
func peerOf(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(p.Addr), ntohs(p.Port))
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom16(p.Addr), ntohs(p.Port))
	}
	return netip.AddrPort{}
}

func ntohs(p uint16) uint16 { return p>>8 | p<<8 }

// sockaddr writes a destination in the socket's family.
func (r *rawUDP) sockaddr(to netip.AddrPort, sa *unix.RawSockaddrAny) uint32 {
	ip := to.Addr()
	if !r.six && ip.Is4() {
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		*p = unix.RawSockaddrInet4{Family: unix.AF_INET, Port: ntohs(to.Port()), Addr: ip.As4()}
		return unix.SizeofSockaddrInet4
	}
	p := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
	*p = unix.RawSockaddrInet6{Family: unix.AF_INET6, Port: ntohs(to.Port()), Addr: ip.As16()}
	return unix.SizeofSockaddrInet6
}

// readFrom reads one datagram, parking on the poller while there is none.
func (r *rawUDP) readFrom(b []byte) (int, netip.AddrPort, error) {
	if len(b) == 0 {
		return 0, netip.AddrPort{}, syscall.EINVAL
	}
	var sa unix.RawSockaddrAny
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			l := uint32(unix.SizeofSockaddrAny)
			m, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
				0, uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)))
			if e == unix.EINTR {
				continue
			}
			n, errno = int(m), e
			return e != unix.EAGAIN
		}
	})
	if err != nil {
		return 0, netip.AddrPort{}, unwrapClosed(err)
	}
	if errno != 0 {
		return 0, netip.AddrPort{}, &net.OpError{Op: "read", Net: "udp", Err: errno}
	}
	return n, NormalizeAddr(peerOf(&sa)), nil
}

// writeTo sends one datagram, parking on the poller while the socket's
// buffer is full.
func (r *rawUDP) writeTo(b []byte, to netip.AddrPort) error {
	var sa unix.RawSockaddrAny
	l := r.sockaddr(to, &sa)
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for {
			_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(b)),
				0, uintptr(unsafe.Pointer(&sa)), uintptr(l))
			if e == unix.EINTR {
				continue
			}
			errno = e
			return e != unix.EAGAIN
		}
	})
	if err != nil {
		return unwrapClosed(err)
	}
	if errno != 0 {
		return &net.OpError{Op: "write", Net: "udp", Err: errno}
	}
	return nil
}

// readBatch reads as many datagrams as are queued, up to len(ms), with one
// recvmmsg; it parks on the poller while there is none.
func (r *rawUDP) readBatch(ms []Msg) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.hs) < len(ms) {
		r.hs = make([]unix.Mmsghdr, len(ms))
		r.iovs = make([]unix.Iovec, len(ms))
		r.sas = make([]unix.RawSockaddrAny, len(ms))
	}
	hs, iovs, sas := r.hs[:len(ms)], r.iovs[:len(ms)], r.sas[:len(ms)]
	defer clear(iovs) // hold no buffer of the caller's
	for i := range ms {
		iovs[i].Base = &ms[i].B[0]
		iovs[i].SetLen(len(ms[i].B))
		hs[i].Hdr.Iov = &iovs[i]
		hs[i].Hdr.SetIovlen(1)
		hs[i].Hdr.Name = (*byte)(unsafe.Pointer(&sas[i]))
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			for i := range hs {
				hs[i].Hdr.Namelen = unix.SizeofSockaddrAny
			}
			m, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)),
				0, 0, 0)
			if e == unix.EINTR {
				continue
			}
			n, errno = int(m), e
			return e != unix.EAGAIN
		}
	})
	if err != nil {
		return 0, unwrapClosed(err)
	}
	if errno != 0 {
		return 0, &net.OpError{Op: "read", Net: "udp", Err: errno}
	}
	for i := 0; i < n; i++ {
		ms[i].N = int(hs[i].Len)
		ms[i].Addr = NormalizeAddr(peerOf(&sas[i]))
	}
	return n, nil
}
