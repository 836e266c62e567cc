//go:build !linux

package road

import (
	"errors"
	"net"
	"net/netip"
)

// rawUDP is Linux's (rawudp_linux.go); elsewhere the net package's calls
// serve.
type rawUDP struct{}

func newRawUDP(*net.UDPConn) *rawUDP { return nil }

var errNoRaw = errors.New("raet: no raw socket calls here")

func (*rawUDP) readFrom([]byte) (int, netip.AddrPort, error) { return 0, netip.AddrPort{}, errNoRaw }
func (*rawUDP) writeTo([]byte, netip.AddrPort) error         { return errNoRaw }
func (*rawUDP) readBatch([]Msg) (int, error)                 { return 0, errNoRaw }
func (*rawUDP) writeBatch([]Msg) (int, error)                { return 0, errNoRaw }
