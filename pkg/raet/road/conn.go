package road

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// Conn carries a stack's datagrams: a UDP socket in production, a
// netsim.Endpoint in tests. Addresses are normalised as NormalizeAddr does,
// so that the same peer is always the same key (transaction indexes of
// vacuous joins hold the peer's address).
type Conn interface {
	ReadFrom(b []byte) (int, netip.AddrPort, error)
	WriteTo(b []byte, to netip.AddrPort) error
	LocalAddr() netip.AddrPort
	Close() error
}

// udpReadBuffer is asked of the kernel for every socket: a burst of segments
// from many estates at once must not overflow a default-sized buffer.
const udpReadBuffer = 4 << 20

// ListenUDP opens a UDP socket at addr, "host:port" with an empty host
// meaning every interface, as the reference's default ha ("", 7530).
func ListenUDP(addr string) (Conn, error) {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	u := c.(*net.UDPConn)
	_ = u.SetReadBuffer(udpReadBuffer) // best effort: the kernel may cap it
	local := NormalizeAddr(u.LocalAddr().(*net.UDPAddr).AddrPort())
	return &udpConn{c: u, local: local, batch: newBatchPC(u, local), raw: newRawUDP(u)}, nil
}

type udpConn struct {
	c     *net.UDPConn
	local netip.AddrPort
	batch batchPC // the same socket, for ReadBatch and WriteBatch
	raw   *rawUDP // the same socket, for raw calls (rawudp_linux.go); nil elsewhere
}

func (u *udpConn) ReadFrom(b []byte) (int, netip.AddrPort, error) {
	if u.raw != nil {
		return u.raw.readFrom(b)
	}
	n, from, err := u.c.ReadFromUDPAddrPort(b)
	return n, NormalizeAddr(from), err
}

func (u *udpConn) WriteTo(b []byte, to netip.AddrPort) error {
	if u.raw != nil {
		return u.raw.writeTo(b, to)
	}
	_, err := u.c.WriteToUDPAddrPort(b, to)
	return err
}

func (u *udpConn) LocalAddr() netip.AddrPort { return u.local }
func (u *udpConn) Close() error              { return u.c.Close() }

// NormalizeAddr gives an address the one form it takes everywhere in a
// stack: IPv4 addresses that a dual-stack socket reports in their IPv6-mapped
// form are unmapped, and IPv6 zones dropped.
func NormalizeAddr(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap().WithZone(""), a.Port())
}

// ResolveHA turns the host and port of an estate's address as an operator
// writes them into the address packets go to, as the reference's Estate does:
// a name is resolved, IPv4 preferred; the unspecified addresses ("",
// 0.0.0.0, ::) mean this host, so become loopback.
func ResolveHA(ctx context.Context, host string, port int) (netip.AddrPort, error) {
	if port < 0 || port > 65535 {
		return netip.AddrPort{}, fmt.Errorf("raet: port %d is not a UDP port", port)
	}
	var addr netip.Addr
	switch {
	case host == "":
		addr = netip.IPv4Unspecified()
	default:
		if a, err := netip.ParseAddr(host); err == nil {
			addr = a
			break
		}
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return netip.AddrPort{}, fmt.Errorf("raet: cannot resolve address for host %q: %v", host, err)
		}
		addr = ips[0]
		for _, ip := range ips {
			if ip.Unmap().Is4() {
				addr = ip
				break
			}
		}
	}
	addr = addr.Unmap()
	if addr.IsUnspecified() {
		if addr.Is4() {
			addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			addr = netip.IPv6Loopback()
		}
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// JoinHostPort writes an address the way configuration files and logs show it.
func JoinHostPort(a netip.AddrPort) string {
	return net.JoinHostPort(a.Addr().String(), strconv.Itoa(int(a.Port())))
}
