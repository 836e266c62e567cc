package modules

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// netInterfaces is network.interfaces' shape from Go's net package, for
// hosts without ip(8): no labels of secondary addresses (every address
// is primary, labelled with the interface), scope from the address kind.
func netInterfaces() body.Map {
	ret := body.Map{}
	ifaces, err := net.Interfaces()
	if err != nil {
		return ret
	}
	for _, ifc := range ifaces {
		data := body.Map{{Key: "up", Value: ifc.Flags&net.FlagUp != 0}}
		hw := ifc.HardwareAddr.String()
		if b, err := os.ReadFile("/sys/class/net/" + ifc.Name + "/address"); err == nil {
			hw = strings.TrimSpace(string(b))
		}
		if hw != "" {
			data.Set("hwaddr", hw)
		}
		addrs, _ := ifc.Addrs()
		var inet, inet6 []any
		for _, a := range addrs {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := pfx.Addr()
			if ip.Is4() {
				var brd any
				if ifc.Flags&net.FlagBroadcast != 0 && pfx.Bits() < 31 {
					brd = broadcastOf(pfx)
				}
				inet = append(inet, body.Map{{Key: "address", Value: ip.String()}, {Key: "netmask", Value: cidrToIPv4Netmask(pfx.Bits())},
					{Key: "broadcast", Value: brd}, {Key: "label", Value: ifc.Name}})
				continue
			}
			inet6 = append(inet6, body.Map{{Key: "address", Value: ip.String()}, {Key: "prefixlen", Value: strconv.Itoa(pfx.Bits())},
				{Key: "scope", Value: ipv6Scope(ip)}})
		}
		if inet != nil {
			data.Set("inet", inet)
		}
		if inet6 != nil {
			data.Set("inet6", inet6)
		}
		ret.Set(ifc.Name, data)
	}
	return ret
}

// broadcastOf is the last address of the prefix's network.
func broadcastOf(p netip.Prefix) string {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// ipv6Scope is the scope ip(8) prints for an address of this kind.
func ipv6Scope(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "host"
	case ip.IsLinkLocalUnicast():
		return "link"
	case netip.MustParsePrefix("fec0::/10").Contains(ip):
		return "site"
	}
	return "global"
}
