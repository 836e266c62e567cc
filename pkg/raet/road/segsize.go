package road

import (
	"net"
	"net/netip"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Segment sizes taken from the path (issue 16). The reference cuts every
// message into datagrams of UDPMaxPacketSize (1 KB) and reads with a 2 KB
// buffer, so toward it nothing larger may go. An estate of ours says in
// its join body, under maxPacketKey, the largest road datagram it reads;
// the reference reads join bodies by key and ignores the rest, and never
// says it, so toward it every tray stays byte for byte the reference's.
// Toward an estate that said it, a message is cut into datagrams as large
// as both ends read and the path carries without IP fragmentation.

// maxPacketKey is the join body field that announces the largest road
// datagram an estate reads, in bytes.
const maxPacketKey = "maxpacket"

// JumboPacketSize is the largest UDP payload over IPv4 (65535 less the IP
// and UDP heads), the most a stack announces by default; its reader's
// buffer is 64 KiB.
const JumboPacketSize = 65535 - 20 - 8

// announcedPacketSize is what this stack says in its joins: 0 announces
// nothing (Config.MaxPacketSize negative or no larger than the reference's).
func (c *core) announcedPacketSize() int {
	n := c.cfg.MaxPacketSize
	if n == 0 {
		n = JumboPacketSize
	}
	if n <= raet.UDPMaxPacketSize {
		return 0
	}
	return min(n, JumboPacketSize)
}

// readSize is the reader's buffer: the largest datagram this stack said
// it reads (at least 2 KB, the reference's buffer, for the reference's 1 KB
// segments and joins), or 64 KiB, any UDP datagram, when it said nothing
// or the most. A peer cuts its messages to what the stack said; anything
// larger is truncated by the socket and fails its signature.
func (c *core) readSize() int {
	if n := c.cfg.MaxPacketSize; n > 0 && n < JumboPacketSize {
		return max(n, 2*raet.UDPMaxPacketSize)
	}
	return readBufSize
}

// readMaxPacket reads an announced size; absent or out of range is none.
func readMaxPacket(v int64, ok bool) int {
	if !ok || v <= raet.UDPMaxPacketSize || v > JumboPacketSize {
		return 0
	}
	return int(v)
}

// packetSize is the largest datagram a message toward r is cut into: the
// reference's size unless both ends announced larger, then the smallest of
// the two announcements and what the path toward r carries whole.
func (c *core) packetSize(r *Remote) int {
	mine := c.announcedPacketSize()
	if mine == 0 || r.maxPacket == 0 {
		return raet.UDPMaxPacketSize
	}
	path := c.pathPayload(r.HA.Addr())
	return max(raet.UDPMaxPacketSize, min(mine, r.maxPacket, path))
}

// pathPayload is the largest UDP payload toward addr that is not
// fragmented: the MTU of the path less the IP and UDP heads. The MTU is
// asked once per address.
func (c *core) pathPayload(addr netip.Addr) int {
	if n, ok := c.pathMTUs[addr]; ok {
		return n
	}
	mtu := 0
	if c.cfg.PathMTU != nil {
		mtu = c.cfg.PathMTU(addr)
	} else {
		mtu = SystemPathMTU(addr)
	}
	head := 20 + 8
	if addr.Is6() && !addr.Is4In6() {
		head = 40 + 8
	}
	n := min(mtu, 65535) - head
	if c.pathMTUs == nil {
		c.pathMTUs = map[netip.Addr]int{}
	}
	c.pathMTUs[addr] = n
	return n
}

// SystemPathMTU is the MTU of the interface the system would send to addr
// from: 65535 toward a loopback address, the interface's MTU otherwise,
// and the reference's packet size plus heads when it cannot tell (no
// route, no interface holding the source address). Finding the source
// address connects a UDP socket, which sends nothing.
func SystemPathMTU(addr netip.Addr) int {
	unknown := raet.UDPMaxPacketSize + 48
	if addr.IsLoopback() {
		return 65535
	}
	if !addr.IsValid() || addr.IsUnspecified() {
		return unknown
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 9)))
	if err != nil {
		return unknown
	}
	src := conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	conn.Close()
	ifaces, err := net.Interfaces()
	if err != nil {
		return unknown
	}
	for _, ifc := range ifaces {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if p, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(p.IP); ok && ip.Unmap() == src {
					if ifc.Flags&net.FlagLoopback != 0 {
						return 65535
					}
					return ifc.MTU
				}
			}
		}
	}
	return unknown
}
