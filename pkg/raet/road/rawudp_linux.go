package road

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
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

// rawUDP is the socket's descriptor, for the raw calls. Each call's
// arguments and results live in an op made once, with its function bound
// once, so that a datagram costs no allocation: the reads' ops are the
// stack's one reader's (the mutex is for any other), the writes' are
// pooled, several goroutines writing at once.
type rawUDP struct {
	rc  syscall.RawConn
	six bool // an AF_INET6 socket: IPv4 peers are written v4-mapped

	mu     sync.Mutex
	recv   *recvOp
	mmsg   *mmsgOp
	sends  sync.Pool // of *sendOp
	msends sync.Pool // of *msendOp
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
	r.recv = &recvOp{}
	r.recv.fn = r.recv.call
	r.mmsg = &mmsgOp{}
	r.mmsg.fn = r.mmsg.call
	r.sends.New = func() any {
		o := &sendOp{}
		o.fn = o.call
		return o
	}
	r.msends.New = func() any {
		o := &msendOp{}
		o.fn = o.call
		return o
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

// ntohs turns a port between the host's order and the network's, which a
// sockaddr's Port field holds whatever the host's order: swapped on
// little-endian hosts, as it is on big-endian ones.
func ntohs(p uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], p)
	return binary.NativeEndian.Uint16(b[:])
}

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

// opError is a call's failure as the net package reports it.
func opError(op string, errno syscall.Errno) error {
	return &net.OpError{Op: op, Net: "udp", Err: errno}
}

// recvOp is one recvfrom. Its call returns false, to park on the poller,
// while there is nothing to read.
type recvOp struct {
	b     []byte
	sa    unix.RawSockaddrAny
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func (o *recvOp) call(fd uintptr) bool {
	for {
		l := uint32(unix.SizeofSockaddrAny)
		n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&o.b[0])), uintptr(len(o.b)),
			0, uintptr(unsafe.Pointer(&o.sa)), uintptr(unsafe.Pointer(&l)))
		if e == unix.EINTR {
			continue
		}
		o.n, o.errno = int(n), e
		return e != unix.EAGAIN
	}
}

// readFrom reads one datagram, parking on the poller while there is none.
func (r *rawUDP) readFrom(b []byte) (int, netip.AddrPort, error) {
	if len(b) == 0 {
		return 0, netip.AddrPort{}, syscall.EINVAL
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.recv
	o.b = b
	err := r.rc.Read(o.fn)
	o.b = nil // hold no buffer of the caller's
	switch {
	case err != nil:
		return 0, netip.AddrPort{}, unwrapClosed(err)
	case o.errno != 0:
		return 0, netip.AddrPort{}, opError("read", o.errno)
	}
	return o.n, NormalizeAddr(peerOf(&o.sa)), nil
}

// sendOp is one sendto. Its call returns false, to park on the poller,
// while the socket's buffer is full.
type sendOp struct {
	p     unsafe.Pointer
	n     int
	sa    unix.RawSockaddrAny
	salen uint32
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func (o *sendOp) call(fd uintptr) bool {
	for {
		_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(o.p), uintptr(o.n),
			0, uintptr(unsafe.Pointer(&o.sa)), uintptr(o.salen))
		if e == unix.EINTR {
			continue
		}
		o.errno = e
		return e != unix.EAGAIN
	}
}

// writeTo sends one datagram, parking on the poller while the socket's
// buffer is full.
func (r *rawUDP) writeTo(b []byte, to netip.AddrPort) error {
	o := r.sends.Get().(*sendOp)
	defer r.sends.Put(o)
	o.salen = r.sockaddr(to, &o.sa)
	o.p, o.n = nil, len(b)
	if len(b) > 0 {
		o.p = unsafe.Pointer(&b[0])
	}
	err := r.rc.Write(o.fn)
	o.p = nil // hold no buffer of the caller's
	switch {
	case err != nil:
		return unwrapClosed(err)
	case o.errno != 0:
		return opError("write", o.errno)
	}
	return nil
}

// msendOp is one sendmmsg, its headers kept for the next batch of the
// writer that pools it. Its call returns false, to park on the poller,
// while the socket's buffer has no room for the first datagram.
type msendOp struct {
	hs    []unix.Mmsghdr
	iovs  []unix.Iovec
	sas   []unix.RawSockaddrAny
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func (o *msendOp) call(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&o.hs[0])), uintptr(len(o.hs)),
			0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		o.n, o.errno = int(n), e
		return e != unix.EAGAIN
	}
}

// writeBatch sends each ms[i].B to ms[i].Addr with one sendmmsg, parking
// on the poller while the socket has no room. The writers send a publish
// to every minion and its acks this way. x/net's call goes through the
// runtime's Syscall, which wakes sysmon (5–9% of a master's CPU during
// back-to-back jobs to 1,000); this raw call is the reads' way, though
// sysmon's share did not fall with it alone (the lane's sends and the
// key cache's stats still enter Syscall: BENCHMARKS.md, fifth round). It
// returns how many went before the first that failed, and that one's
// error.
func (r *rawUDP) writeBatch(ms []Msg) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	o := r.msends.Get().(*msendOp)
	defer r.msends.Put(o)
	if cap(o.hs) < len(ms) {
		o.hs = make([]unix.Mmsghdr, len(ms))
		o.iovs = make([]unix.Iovec, len(ms))
		o.sas = make([]unix.RawSockaddrAny, len(ms))
	}
	o.hs, o.iovs, o.sas = o.hs[:len(ms)], o.iovs[:len(ms)], o.sas[:len(ms)]
	for i := range ms {
		o.iovs[i] = unix.Iovec{}
		if len(ms[i].B) > 0 {
			o.iovs[i].Base = &ms[i].B[0]
			o.iovs[i].SetLen(len(ms[i].B))
		}
		o.hs[i] = unix.Mmsghdr{}
		o.hs[i].Hdr.Iov = &o.iovs[i]
		o.hs[i].Hdr.SetIovlen(1)
		o.hs[i].Hdr.Name = (*byte)(unsafe.Pointer(&o.sas[i]))
		o.hs[i].Hdr.Namelen = r.sockaddr(ms[i].Addr, &o.sas[i])
	}
	err := r.rc.Write(o.fn)
	clear(o.iovs) // hold no buffer of the caller's
	switch {
	case err != nil:
		return 0, unwrapClosed(err)
	case o.errno != 0:
		return 0, opError("write", o.errno)
	}
	return o.n, nil
}

// mmsgOp is one recvmmsg, its headers kept for the next. Each datagram
// comes with the kernel's time of receipt (SO_TIMESTAMPNS, asked of the
// socket at the first batched read): a main drops hellos that waited in
// its socket too long to be worth answering (allowlimit.go).
type mmsgOp struct {
	hs    []unix.Mmsghdr
	iovs  []unix.Iovec
	sas   []unix.RawSockaddrAny
	ctrl  []byte // cmsgSpace bytes per datagram, for its timestamp
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool
	stamp bool // the socket gives timestamps
}

// cmsgSpace is the control space of one timestamp.
var cmsgSpace = unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{})))

func (o *mmsgOp) call(fd uintptr) bool {
	for {
		for i := range o.hs {
			o.hs[i].Hdr.Namelen = unix.SizeofSockaddrAny
			if o.stamp {
				o.hs[i].Hdr.SetControllen(cmsgSpace)
			}
		}
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&o.hs[0])), uintptr(len(o.hs)),
			0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		o.n, o.errno = int(n), e
		return e != unix.EAGAIN
	}
}

// readBatch reads as many datagrams as are queued, up to len(ms), with one
// recvmmsg; it parks on the poller while there is none.
func (r *rawUDP) readBatch(ms []Msg) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.mmsg
	if o.hs == nil {
		o.stamp = r.askTimestamps()
	}
	if cap(o.hs) < len(ms) {
		o.hs = make([]unix.Mmsghdr, len(ms))
		o.iovs = make([]unix.Iovec, len(ms))
		o.sas = make([]unix.RawSockaddrAny, len(ms))
		if o.stamp {
			o.ctrl = make([]byte, len(ms)*cmsgSpace)
		}
	}
	o.hs, o.iovs, o.sas = o.hs[:len(ms)], o.iovs[:len(ms)], o.sas[:len(ms)]
	for i := range ms {
		o.iovs[i].Base = &ms[i].B[0]
		o.iovs[i].SetLen(len(ms[i].B))
		o.hs[i].Hdr.Iov = &o.iovs[i]
		o.hs[i].Hdr.SetIovlen(1)
		o.hs[i].Hdr.Name = (*byte)(unsafe.Pointer(&o.sas[i]))
		if o.stamp {
			o.hs[i].Hdr.Control = &o.ctrl[i*cmsgSpace]
		}
	}
	err := r.rc.Read(o.fn)
	clear(o.iovs) // hold no buffer of the caller's
	switch {
	case err != nil:
		return 0, unwrapClosed(err)
	case o.errno != 0:
		return 0, opError("read", o.errno)
	}
	for i := 0; i < o.n; i++ {
		ms[i].N = int(o.hs[i].Len)
		ms[i].Addr = NormalizeAddr(peerOf(&o.sas[i]))
		ms[i].At = time.Time{}
		if o.stamp {
			ms[i].At = stampOf(o.ctrl[i*cmsgSpace:(i+1)*cmsgSpace], int(o.hs[i].Hdr.Controllen))
		}
	}
	return o.n, nil
}

// askTimestamps turns on the kernel's receive times of the socket's
// datagrams, reporting whether it could.
func (r *rawUDP) askTimestamps() bool {
	var serr error
	if err := r.rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return false
	}
	return true
}

// stampOf reads the receive time from a datagram's control data of n
// bytes, without allocating: zero when it holds none.
func stampOf(ctrl []byte, n int) time.Time {
	if n < unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) || n > len(ctrl) {
		return time.Time{}
	}
	h := (*unix.Cmsghdr)(unsafe.Pointer(&ctrl[0]))
	if h.Level != unix.SOL_SOCKET || h.Type != unix.SCM_TIMESTAMPNS {
		return time.Time{}
	}
	ts := (*unix.Timespec)(unsafe.Pointer(&ctrl[unix.CmsgLen(0)]))
	return time.Unix(int64(ts.Sec), int64(ts.Nsec))
}
