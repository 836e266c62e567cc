package grains

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Interface is one network interface as the ip grains need it.
type Interface struct {
	Name string
	// HardwareAddr is the MAC address in colon notation, "" when the
	// interface has none.
	HardwareAddr string
	Loopback     bool
	// Addrs are the interface's addresses, in the order the kernel lists
	// them.
	Addrs []netip.Addr
}

// SystemInterfaces lists the machine's interfaces through the standard
// library (netlink on Linux), in kernel order.
func SystemInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(ifs))
	for _, ifc := range ifs {
		it := Interface{
			Name:         ifc.Name,
			HardwareAddr: ifc.HardwareAddr.String(),
			Loopback:     ifc.Flags&net.FlagLoopback != 0,
		}
		addrs, err := ifc.Addrs()
		if err == nil {
			for _, a := range addrs {
				var ip net.IP
				switch v := a.(type) {
				case *net.IPNet:
					ip = v.IP
				case *net.IPAddr:
					ip = v.IP
				}
				if addr, ok := netip.AddrFromSlice(ip); ok {
					it.Addrs = append(it.Addrs, addr.Unmap())
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// network sets ipv4, ipv6 (every address, loopback included, sorted as
// addresses and deduplicated, as salt.utils.network.ip_addrs does),
// ip_interfaces, ip4_interfaces, ip6_interfaces (per interface, kernel
// order) and hwaddr_interfaces. The loopback interface, which the kernel
// gives no hardware address, is 00:00:00:00:00:00 as `ip link` shows it.
func (c *collector) network() {
	list := c.opts.Interfaces
	if list == nil {
		list = SystemInterfaces
	}
	ifs, err := list()
	if err != nil {
		return
	}
	var v4, v6 []netip.Addr
	ipIf := map[string]any{}
	ip4If := map[string]any{}
	ip6If := map[string]any{}
	hw := map[string]any{}
	for _, ifc := range ifs {
		all, four, six := []any{}, []any{}, []any{}
		for _, a := range ifc.Addrs {
			a = a.WithZone("")
			if a.Is4() || a.Is4In6() {
				a = a.Unmap()
				four = append(four, a.String())
				v4 = append(v4, a)
			} else {
				six = append(six, a.String())
				v6 = append(v6, a)
			}
		}
		all = append(append(all, four...), six...)
		ipIf[ifc.Name] = all
		ip4If[ifc.Name] = four
		ip6If[ifc.Name] = six
		switch {
		case ifc.HardwareAddr != "":
			hw[ifc.Name] = strings.ToLower(ifc.HardwareAddr)
		case ifc.Loopback:
			hw[ifc.Name] = "00:00:00:00:00:00"
		}
	}
	c.g["ipv4"] = sortedAddrs(v4)
	c.g["ipv6"] = sortedAddrs(v6)
	c.g["ip_interfaces"] = ipIf
	c.g["ip4_interfaces"] = ip4If
	c.g["ip6_interfaces"] = ip6If
	c.g["hwaddr_interfaces"] = hw
}

func sortedAddrs(addrs []netip.Addr) []any {
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	addrs = slices.Compact(addrs)
	out := make([]any, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// hostname is core.py hostname(): localhost is the kernel's host name;
// fqdn is its canonical name, here as <root>/etc/hosts gives it (the first
// name on the first line that lists the host name), else the host name
// itself; host and domain split the fqdn at its first dot.
func (c *collector) hostname() {
	node, _ := c.g["nodename"].(string)
	if node == "" {
		if s, ok := c.read("/proc/sys/kernel/hostname"); ok {
			node = strings.TrimSpace(s)
		}
	}
	if node == "" {
		return
	}
	c.g["localhost"] = node
	fqdn := node
	for _, f := range c.hostsLines() {
		if slices.Contains(f[1:], node) {
			fqdn = f[1]
			break
		}
	}
	c.g["fqdn"] = fqdn
	host, domain, _ := strings.Cut(fqdn, ".")
	c.g["host"] = host
	c.g["domain"] = domain
}

// hostsLines reads <root>/etc/hosts: the fields of each line that has an
// address and at least one name, comments removed.
func (c *collector) hostsLines() [][]string {
	s, ok := c.read("/etc/hosts")
	if !ok {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

// dns is core.py dns(), parsing resolv.conf as salt.utils.dns.parse_resolv
// does (systemd-resolved's upstream file when it exists). Only the first
// option of each options line is kept, as Salt keeps it.
func (c *collector) dns() {
	s, ok := c.read("/run/systemd/resolve/resolv.conf")
	if !ok {
		if s, ok = c.read("/etc/resolv.conf"); !ok {
			return
		}
	}
	ns, ns4, ns6, search, sortlist, options := []any{}, []any{}, []any{}, []any{}, []any{}, []any{}
	domain := ""
	has := func(list []any, v string) bool { return slices.Contains(list, any(v)) }
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		directive := strings.ToLower(f[0])
		var args []string
		for _, a := range f[1:] {
			if a[0] == '#' || a[0] == ';' {
				break
			}
			args = append(args, a)
		}
		if len(args) == 0 {
			continue
		}
		switch directive {
		case "nameserver":
			a, err := netip.ParseAddr(args[0])
			if err != nil {
				continue
			}
			txt := a.String()
			if !has(ns, txt) {
				ns = append(ns, txt)
			}
			if a.Is4() && !has(ns4, txt) {
				ns4 = append(ns4, txt)
			} else if a.Is6() && !has(ns6, txt) {
				ns6 = append(ns6, txt)
			}
		case "domain":
			domain = args[0]
		case "search":
			search = []any{}
			for _, a := range args {
				search = append(search, a)
			}
		case "sortlist":
			for _, a := range args {
				if p, ok := sortlistEntry(a); ok && !has(sortlist, p) {
					sortlist = append(sortlist, p)
				}
			}
		case "options":
			if !has(options, args[0]) {
				options = append(options, args[0])
			}
		}
	}
	c.g["dns"] = map[string]any{
		"nameservers":     ns,
		"ip4_nameservers": ns4,
		"ip6_nameservers": ns6,
		"sortlist":        sortlist,
		"domain":          domain,
		"search":          search,
		"options":         options,
	}
}

// sortlistEntry renders a sortlist network as Python's
// ip_network(...).with_netmask, guessing the classful mask of an IPv4
// address given without one.
func sortlistEntry(s string) (string, bool) {
	var p netip.Prefix
	if addr, mask, ok := strings.Cut(s, "/"); ok {
		if strings.Contains(mask, ".") {
			m, err := netip.ParseAddr(mask)
			if err != nil || !m.Is4() {
				return "", false
			}
			ones, bits := net.IPMask(m.AsSlice()).Size()
			if bits == 0 {
				return "", false
			}
			s = addr + "/" + strconv.Itoa(ones)
		}
		var err error
		if p, err = netip.ParsePrefix(s); err != nil || p.Masked() != p {
			return "", false
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", false
		}
		bits := a.BitLen()
		if a.Is4() {
			switch first := a.As4()[0]; {
			case first < 128:
				bits = 8
			case first < 192:
				bits = 16
			case first < 224:
				bits = 24
			}
		}
		p = netip.PrefixFrom(a, bits).Masked()
	}
	if !p.Addr().Is4() {
		return p.String(), true
	}
	mask := net.CIDRMask(p.Bits(), 32)
	return p.Addr().String() + "/" + net.IP(mask).String(), true
}
