package modules

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// networkFuncs is Salt's network module (salt/modules/network.py with
// salt/utils/network.py) on Linux: interfaces from `ip link show` and `ip
// addr show` parsed as Salt parses them, routes and sockets from netstat
// (ss without it), connect and dns_check through the resolver.
func networkFuncs() []Func {
	return append([]Func{
		{Name: "network.interfaces", Doc: "Return a dictionary of information about all the interfaces on the minion.\n\nCLI Example: salt '*' network.interfaces",
			Call: func(c *Call) (any, error) { return linuxInterfaces(c.Ctx), nil }},
		{Name: "network.ip_addrs", Params: []Param{{Name: "interface", Default: nil}, {Name: "include_loopback", Default: false},
			{Name: "cidr", Default: nil}, {Name: "type", Default: nil}},
			Doc:  "Returns a list of IPv4 addresses assigned to the host; loopback only with include_loopback=True, restricted to cidr, or to type public/private.\n\nCLI Example: salt '*' network.ip_addrs",
			Call: func(c *Call) (any, error) { return ipAddrs(c, "inet") }},
		{Name: "network.ip_addrs6", Params: []Param{{Name: "interface", Default: nil}, {Name: "include_loopback", Default: false}, {Name: "cidr", Default: nil}},
			Doc:  "Returns a list of IPv6 addresses assigned to the host.\n\nCLI Example: salt '*' network.ip_addrs6",
			Call: func(c *Call) (any, error) { return ipAddrs(c, "inet6") }},
		{Name: "network.hw_addr", Params: []Param{{Name: "iface", Required: true}},
			Doc: "Return the hardware address (a.k.a. MAC address) for a given interface.\n\nCLI Example: salt '*' network.hw_addr eth0",
			Call: func(c *Call) (any, error) {
				return ifaceInfo(c, func(d body.Map) any { v, ok := d.Get("hwaddr"); return orDefault(v, ok, "") })
			}},
		{Name: "network.interface", Params: []Param{{Name: "iface", Required: true}},
			Doc: "Return the inet address details for a given interface.\n\nCLI Example: salt '*' network.interface eth0",
			Call: func(c *Call) (any, error) {
				return ifaceInfo(c, func(d body.Map) any { v, ok := d.Get("inet"); return orDefault(v, ok, "") })
			}},
		{Name: "network.interface_ip", Params: []Param{{Name: "iface", Required: true}},
			Doc: "Return the first inet address for a given interface.\n\nCLI Example: salt '*' network.interface_ip eth0",
			Call: func(c *Call) (any, error) {
				return ifaceInfo(c, func(d body.Map) any {
					inet, _ := d.Get("inet")
					if l, ok := inet.([]any); ok && len(l) > 0 {
						a, _ := l[0].(body.Map).Get("address")
						return a
					}
					return ""
				})
			}},
		{Name: "network.subnets", Params: []Param{{Name: "interfaces", Default: nil}},
			Doc:  "Returns a list of IPv4 subnets to which the host belongs.\n\nCLI Example: salt '*' network.subnets",
			Call: func(c *Call) (any, error) { return subnets(c, "inet", c.Arg("interfaces")), nil }},
		{Name: "network.subnets6", Doc: "Returns a list of IPv6 subnets to which the host belongs.\n\nCLI Example: salt '*' network.subnets6",
			Call: func(c *Call) (any, error) { return subnets(c, "inet6", nil), nil }},
		{Name: "network.get_hostname", Doc: "Get hostname.\n\nCLI Example: salt '*' network.get_hostname",
			Call: func(*Call) (any, error) { h, err := os.Hostname(); return h, err }},
	}, networkNetFuncs()...)
}

func orDefault(v any, ok bool, def any) any {
	if !ok {
		return def
	}
	return v
}

// ifaceInfo is utils.network._get_iface_info: the interface's data, or
// the message naming the ones there are (returned, not raised, as Salt).
func ifaceInfo(c *Call, get func(body.Map) any) (any, error) {
	name := py.Str(c.Arg("iface"))
	ifaces := linuxInterfaces(c.Ctx)
	if d, ok := ifaces.Get(name); ok {
		return get(d.(body.Map)), nil
	}
	return fmt.Sprintf(`Interface "%s" not in available interfaces: "%s"`, name, strings.Join(ifaces.Keys(), `", "`)), nil
}

// linuxInterfaces is utils.network.linux_interfaces with ip(8); without
// it (Salt would parse ifconfig) the kernel's view through Go's net
// package, in the same shape.
func linuxInterfaces(ctx context.Context) body.Map {
	if lookPath("ip", os.Getenv("PATH")) == "" {
		return netInterfaces()
	}
	link, _ := combined(ctx, "ip", "link", "show")
	addr, _ := combined(ctx, "ip", "addr", "show")
	return parseInterfacesIP(link + "\n" + addr)
}

func combined(ctx context.Context, argv ...string) (string, error) {
	out, errs, _, err := hostRun(ctx, argv...)
	return out + errs, err
}

var (
	ifaceGroupSplit = regexp.MustCompile("\r?\n\\d")
	ifaceHead       = regexp.MustCompile(`^\d*:\s+([\w.\-]+)(?:@)?([\w.\-]+)?:\s+<(.+)>`)
)

// parseInterfacesIP is utils.network._interfaces_ip: one group per
// interface (a later group of the same interface replaces the earlier, in
// the earlier's place), primary addresses under inet and inet6, the
// others under secondary.
func parseInterfacesIP(out string) body.Map {
	ret := body.Map{}
	for _, group := range ifaceGroupSplit.Split(out, -1) {
		iface, data := "", body.Map{}
		for _, line := range py.SplitLines(group) {
			if !strings.Contains(line, " ") {
				continue
			}
			if m := ifaceHead.FindStringSubmatch(line); m != nil {
				iface = m[1]
				data.Set("up", slices.Contains(strings.Split(m[3], ","), "UP"))
				if m[2] != "" {
					data.Set("parent", m[2])
				}
				continue
			}
			cols := strings.Fields(line)
			if len(cols) < 2 {
				continue
			}
			typ := cols[0]
			switch {
			case typ == "inet" || typ == "inet6":
				addIfaceAddr(&data, typ, cols)
			case strings.HasPrefix(typ, "link"):
				data.Set("hwaddr", cols[1])
			}
		}
		if iface != "" {
			ret.Set(iface, data)
		}
	}
	return ret
}

func addIfaceAddr(data *body.Map, typ string, cols []string) {
	ip, cidr, ok := strings.Cut(cols[1], "/")
	if !ok {
		cidr = "32"
	}
	after := func(word string) any {
		if i := slices.Index(cols, word); i >= 0 && i+1 < len(cols) {
			return cols[i+1]
		}
		return nil
	}
	addr := body.Map{}
	secondary := slices.Contains(cols, "secondary")
	if secondary {
		addr.Set("type", typ)
	}
	addr.Set("address", ip)
	if typ == "inet" {
		n, _ := strconv.Atoi(cidr)
		addr.Set("netmask", cidrToIPv4Netmask(n))
		addr.Set("broadcast", after("brd"))
		addr.Set("label", cols[len(cols)-1])
	} else {
		addr.Set("prefixlen", cidr)
		addr.Set("scope", after("scope"))
	}
	key := typ
	if secondary {
		key = "secondary"
	}
	l, _ := data.Get(key)
	list, _ := l.([]any)
	data.Set(key, append(list, addr))
}

// cidrToIPv4Netmask is utils.network.cidr_to_ipv4_netmask.
func cidrToIPv4Netmask(bits int) string {
	if bits < 1 || bits > 32 {
		return ""
	}
	parts := make([]string, 4)
	for i := range parts {
		if bits >= 8 {
			parts[i], bits = "255", bits-8
		} else {
			parts[i], bits = strconv.Itoa(256-(1<<(8-bits))), 0
		}
	}
	return strings.Join(parts, ".")
}

// filterInterfaces is utils.network._filter_interfaces: interface is a
// glob or a list of them (split_input).
func filterInterfaces(ifaces body.Map, interfaceArg any) body.Map {
	if interfaceArg == nil {
		return ifaces
	}
	pats := splitInput(interfaceArg)
	out := body.Map{}
	for _, it := range ifaces {
		if slices.ContainsFunc(pats, func(p any) bool { return py.Fnmatch(it.Key, py.Str(p)) }) {
			out = append(out, it)
		}
	}
	return out
}

// ifaceAddrs is utils.network._get_ips: the addresses of proto, primary
// and secondary.
func ifaceAddrs(ifaces body.Map, proto string) []body.Map {
	var ret []body.Map
	for _, it := range ifaces {
		d := it.Value.(body.Map)
		l, _ := d.Get(proto)
		for _, a := range asList(l) {
			ret = append(ret, a.(body.Map))
		}
		l, _ = d.Get("secondary")
		for _, a := range asList(l) {
			if t, _ := a.(body.Map).Get("type"); t == proto {
				ret = append(ret, a.(body.Map))
			}
		}
	}
	return ret
}

func asList(v any) []any { l, _ := v.([]any); return l }

func ipAddrs(c *Call, proto string) (any, error) {
	loop := isTrue(c.Arg("include_loopback"))
	var addrs []netip.Addr
	for _, a := range ifaceAddrs(filterInterfaces(linuxInterfaces(c.Ctx), c.Arg("interface")), proto) {
		s, _ := a.Get("address")
		ip, err := netip.ParseAddr(py.Str(s))
		if err != nil || ip.IsLoopback() && !loop || slices.Contains(addrs, ip) {
			continue
		}
		addrs = append(addrs, ip)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	var cidr *netip.Prefix
	if v := c.Arg("cidr"); py.Truthy(v) {
		p, err := netip.ParsePrefix(py.Str(v))
		if err != nil {
			return []any{}, nil // in_subnet logs "Invalid CIDR" and matches nothing
		}
		cidr = &p
	}
	typ, _ := c.Arg("type").(string)
	ret := []any{}
	for _, ip := range addrs {
		switch {
		case cidr != nil && !cidr.Contains(ip):
		case cidr == nil && typ == "public" && isPrivateIP(ip):
		case cidr == nil && typ == "private" && !isPrivateIP(ip):
		default:
			ret = append(ret, ip.String())
		}
	}
	return ret, nil
}

// isPrivateIP is ipaddress's is_private, close enough for the ranges a
// host carries: RFC 1918, loopback, link-local, unique local and the
// documentation and shared ranges Python counts as private.
func isPrivateIP(ip netip.Addr) bool {
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "192.0.0.0/29",
		"0.0.0.0/8", "240.0.0.0/4", "255.255.255.255/32", "2001:db8::/32", "100::/64", "2001::/23"} {
		if netip.MustParsePrefix(p).Contains(ip) {
			return true
		}
	}
	return false
}

// subnets is utils.network._subnets: the networks of the non-loopback
// addresses, sorted.
func subnets(c *Call, proto string, interfaces any) []any {
	all := linuxInterfaces(c.Ctx)
	ifaces := body.Map{}
	switch v := interfaces.(type) {
	case nil:
		ifaces = all
	case []any:
		for _, it := range all {
			if slices.Contains(v, any(it.Key)) {
				ifaces = append(ifaces, it)
			}
		}
	default:
		d, ok := all.Get(py.Str(v))
		if !ok {
			d = body.Map{}
		}
		ifaces.Set(py.Str(v), d)
	}
	field, bits := "netmask", "32"
	if proto == "inet6" {
		field, bits = "prefixlen", "128"
	}
	var nets []netip.Prefix
	for _, a := range ifaceAddrs(ifaces, proto) {
		addr, _ := a.Get("address")
		ip, err := netip.ParseAddr(py.Str(addr))
		if err != nil || ip.IsLoopback() {
			continue
		}
		n := maskBits(a, field, bits)
		p, err := ip.Prefix(n)
		if err == nil && !slices.Contains(nets, p) {
			nets = append(nets, p)
		}
	}
	slices.SortFunc(nets, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	ret := []any{}
	for _, p := range nets {
		ret = append(ret, p.String())
	}
	return ret
}

// maskBits is the prefix length of an address entry's netmask or
// prefixlen.
func maskBits(a body.Map, field, def string) int {
	v, ok := a.Get(field)
	s := py.Str(v)
	if !ok {
		s = def
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if m, err := netip.ParseAddr(s); err == nil {
		b := m.As4()
		n := 0
		for _, x := range b {
			for ; x&0x80 != 0; x <<= 1 {
				n++
			}
		}
		return n
	}
	n, _ := strconv.Atoi(def)
	return n
}
