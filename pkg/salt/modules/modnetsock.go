package modules

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// networkNetFuncs are the network functions about routes, sockets and
// reaching other hosts.
func networkNetFuncs() []Func {
	return []Func{
		{Name: "network.routes", Params: []Param{{Name: "family", Default: nil}},
			Doc: "Return currently configured routes from the routing table; family inet or inet6 restricts them.\n\nCLI Example: salt '*' network.routes",
			Call: func(c *Call) (any, error) {
				return routes(c, c.Arg("family"))
			}},
		{Name: "network.default_route", Params: []Param{{Name: "family", Default: nil}},
			Doc:  "Return default route(s) from the routing table; family inet or inet6 restricts them.\n\nCLI Example: salt '*' network.default_route",
			Call: defaultRoute},
		{Name: "network.netstat", Doc: "Return information on open ports and states (netstat -tulpnea, or ss).\n\nCLI Example: salt '*' network.netstat",
			Call: func(c *Call) (any, error) { return netstat(c), nil }},
		{Name: "network.active_tcp", Doc: "Return a dict containing information on all of the running TCP connections (/proc/net/tcp, tcp6).\n\nCLI Example: salt '*' network.active_tcp",
			Call: func(*Call) (any, error) { return activeTCP(), nil }},
		{Name: "network.connect", Params: []Param{{Name: "host", Required: true}, {Name: "port", Default: nil}}, VarKwargs: true,
			Doc:  "Test connectivity to a host using a particular port from the minion: proto (tcp, udp), timeout (5), family (ipv4, ipv6).\n\nCLI Example: salt '*' network.connect archlinux.org 80",
			Call: connect},
		{Name: "network.ping", Params: []Param{{Name: "host", Required: true}, {Name: "timeout", Default: false}, {Name: "return_boolean", Default: false}},
			Doc:  "Performs an ICMP ping to a host (ping -c 4); return_boolean=True gives whether it answered.\n\nCLI Example: salt '*' network.ping archlinux.org",
			Call: ping},
		{Name: "network.dns_check", Params: []Param{{Name: "addr", Required: true}, {Name: "port", Default: int64(80)}, {Name: "safe", Default: false}, {Name: "ipv6", Default: nil}},
			Doc:  "Return the first address of addr that accepts a TCP connection on port (else the first one resolved), IPv6 in brackets; salt.utils.network.dns_check, resolved with the system's resolver (no dig).\n\nCLI Example: salt '*' network.dns_check saltstack.com 443",
			Call: dnsCheck},
	}
}

// routes is network.routes; netstat's view as Salt reads it, or ip
// route's without netstat.
func routes(c *Call, family any) ([]any, error) {
	if family != nil && family != "inet" && family != "inet6" {
		return nil, cmdErr("Invalid address family %s", py.Str(family))
	}
	var all []any
	if lookPath("netstat", os.Getenv("PATH")) != "" {
		all = netstatRoutes(c.Ctx)
	} else {
		all = ipRoutes(c.Ctx)
	}
	if family == nil {
		return all, nil
	}
	ret := []any{}
	for _, r := range all {
		if f, _ := r.(body.Map).Get("addr_family"); f == family {
			ret = append(ret, r)
		}
	}
	return ret, nil
}

func route(family, dest, gw, mask, flags, iface string) body.Map {
	return body.Map{{Key: "addr_family", Value: family}, {Key: "destination", Value: dest}, {Key: "gateway", Value: gw},
		{Key: "netmask", Value: mask}, {Key: "flags", Value: flags}, {Key: "interface", Value: iface}}
}

// netstatRoutes is network._netstat_route_linux.
func netstatRoutes(ctx context.Context) []any {
	ret := []any{}
	for _, line := range tailLines(hostOutput(ctx, "netstat", "-A", "inet", "-rn"), 2) {
		if f := strings.Fields(line); len(f) >= 8 {
			ret = append(ret, route("inet", f[0], f[1], f[2], f[3], f[7]))
		}
	}
	for _, line := range tailLines(hostOutput(ctx, "netstat", "-A", "inet6", "-rn"), 2) {
		switch f := strings.Fields(line); len(f) {
		case 6, 7:
			ret = append(ret, route("inet6", f[0], f[1], "", f[2], f[len(f)-1]))
		}
	}
	return ret
}

// tailLines is `| tail -n+<skip+1>`.
func tailLines(out string, skip int) []string {
	lines := py.SplitLines(out)
	if len(lines) <= skip {
		return nil
	}
	return lines[skip:]
}

// ipRoutes is network._ip_route_linux.
func ipRoutes(ctx context.Context) []any {
	ret := []any{}
	field := func(f []string, i int, word string) string {
		if len(f) > i+1 && f[i] == word {
			return f[i+1]
		}
		return ""
	}
	for _, line := range py.SplitLines(hostOutput(ctx, "ip", "-4", "route", "show", "table", "main")) {
		f := strings.Fields(line)
		switch {
		case len(f) < 3 || f[0] == "unreachable":
		case f[0] == "default":
			ret = append(ret, route("inet", "0.0.0.0", f[2], "0.0.0.0", "UG", field(f, 3, "dev")))
		default:
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				p = netip.PrefixFrom(netip.MustParseAddr(f[0]), 32)
			}
			ret = append(ret, route("inet", p.Masked().Addr().String(), "0.0.0.0", cidrToIPv4Netmask(p.Bits()), "U", field(f, 1, "dev")))
		}
	}
	skip := map[string]bool{"unicast": true, "broadcast": true, "throw": true, "unreachable": true, "prohibit": true,
		"blackhole": true, "nat": true, "anycast": true, "multicast": true}
	for _, line := range py.SplitLines(hostOutput(ctx, "ip", "-6", "route", "show", "table", "all")) {
		f := strings.Fields(line)
		switch {
		case len(f) < 3 || skip[f[0]]:
		case f[0] == "default":
			ret = append(ret, route("inet6", "::/0", f[2], "", "UG", field(f, 3, "dev")))
		case f[0] == "local":
			ret = append(ret, route("inet6", f[1]+"/128", "::", "", "U", field(f, 2, "dev")))
		default:
			ret = append(ret, route("inet6", f[0], "::", "", "U", field(f, 1, "dev")))
		}
	}
	return ret
}

func defaultRoute(c *Call) (any, error) {
	family := c.Arg("family")
	rs, err := routes(c, family)
	if err != nil {
		return nil, err
	}
	defaults := map[string][]string{"inet": {"0.0.0.0", "default"}, "inet6": {"::/0", "default"}}
	ret := []any{}
	for _, r := range rs {
		dest, _ := r.(body.Map).Get("destination")
		d := py.Str(dest)
		is := func(fam string) bool { return strings.Contains(" "+strings.Join(defaults[fam], " ")+" ", " "+d+" ") }
		if family != nil && is(py.Str(family)) || family == nil && (is("inet") || is("inet6")) {
			ret = append(ret, r)
		}
	}
	return ret, nil
}

// netstat is network.netstat on Linux: netstat -tulpnea, or ss -tulpnea
// where netstat is not installed.
func netstat(c *Call) []any {
	ret := []any{}
	if lookPath("netstat", os.Getenv("PATH")) == "" {
		return ssLinux(c)
	}
	keys := []string{"proto", "recv-q", "send-q", "local-address", "remote-address", "state", "user", "inode", "program"}
	for _, line := range py.SplitLines(hostOutput(c.Ctx, "netstat", "-tulpnea")) {
		f := strings.Fields(line)
		ks := keys
		if strings.HasPrefix(line, "udp") {
			ks = append(keys[:5:5], keys[6:]...)
		} else if !strings.HasPrefix(line, "tcp") {
			continue
		}
		if len(f) < len(ks) {
			continue
		}
		m := body.Map{}
		for i, k := range ks {
			m.Set(k, f[i])
		}
		ret = append(ret, m)
	}
	return ret
}

func ssLinux(c *Call) []any {
	ret := []any{}
	for _, line := range py.SplitLines(hostOutput(c.Ctx, "ss", "-tulpnea")) {
		f := strings.Fields(line)
		tcp, udp := strings.HasPrefix(line, "tcp"), strings.HasPrefix(line, "udp")
		if !tcp && !udp || len(f) < 6 {
			continue
		}
		var user, inode any = int64(0), int64(0)
		program := ""
		for i := 6; i < len(f)-1; i++ {
			parts := strings.Split(f[i], ":")
			if len(parts) < 2 {
				continue
			}
			switch parts[0] {
			case "users":
				if q := strings.Split(strings.Split(parts[1], ",")[0], `"`); len(q) > 1 {
					program = q[1]
				}
			case "uid":
				user = parts[1]
			case "ino":
				inode = parts[1]
			}
		}
		m := body.Map{{Key: "proto", Value: f[0]}, {Key: "recv-q", Value: f[2]}, {Key: "send-q", Value: f[3]},
			{Key: "local-address", Value: f[4]}, {Key: "remote-address", Value: f[5]}}
		if tcp {
			state := f[1]
			if state == "ESTAB" {
				state = "ESTABLISHED"
			}
			m.Set("state", state)
		}
		m = append(m, body.Map{{Key: "user", Value: user}, {Key: "inode", Value: inode}, {Key: "program", Value: program}}...)
		ret = append(ret, m)
	}
	return ret
}

// activeTCP is utils.network.active_tcp: the established connections,
// numbered from 0 in file order (keys are ints in Salt, strings on the
// wire here, as msgpack maps of a job return carry them).
func activeTCP() body.Map {
	ret := body.Map{}
	for _, path := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		for _, line := range py.SplitLines(readProc(path)) {
			f := strings.Fields(line)
			if len(f) < 4 || f[0] == "sl" {
				continue
			}
			if st, err := strconv.ParseInt(f[3], 16, 64); err != nil || st != 1 {
				continue
			}
			la, lp, _ := strings.Cut(f[1], ":")
			ra, rp, _ := strings.Cut(f[2], ":")
			lport, _ := strconv.ParseInt(lp, 16, 64)
			rport, _ := strconv.ParseInt(rp, 16, 64)
			ret.Set(strconv.Itoa(len(ret)), body.Map{{Key: "local_addr", Value: hex2ip(la)}, {Key: "local_port", Value: lport},
				{Key: "remote_addr", Value: hex2ip(ra)}, {Key: "remote_port", Value: rport}})
		}
	}
	return ret
}

// hex2ip is utils.network.hex2ip with invert=True: /proc's
// little-endian words; an IPv4-mapped IPv6 address as IPv4.
func hex2ip(h string) string {
	if len(h) == 32 {
		var b [16]byte
		for w := 0; w < 4; w++ {
			for i := 0; i < 4; i++ {
				v, err := strconv.ParseUint(h[w*8+i*2:w*8+i*2+2], 16, 8)
				if err != nil {
					return h
				}
				b[w*4+3-i] = byte(v)
			}
		}
		return netip.AddrFrom16(b).Unmap().String()
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return h
	}
	return fmt.Sprintf("%d.%d.%d.%d", v&255, v>>8&255, v>>16&255, v>>24&255)
}

// sanitizeHost is utils.network.sanitize_host: RFC 952 characters only.
func sanitizeHost(h string) string {
	if len(h) > 255 {
		h = h[:255]
	}
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_", r)) {
			return r
		}
		return -1
	}, h)
}

func ping(c *Call) (any, error) {
	argv := []string{"ping", "-c", "4", sanitizeHost(py.Str(c.Arg("host")))}
	if t := c.Arg("timeout"); py.Truthy(t) {
		argv = []string{"ping", "-W", py.Str(t), "-c", "4", argv[3]}
	}
	out, errs, rc, err := hostRun(c.Ctx, argv...)
	if err != nil {
		return nil, cmdErr("Unable to run command '%s', reason: %s", py.Repr(stringsToAny(argv)), osErrorText(err, "ping"))
	}
	if isTrue(c.Arg("return_boolean")) {
		return rc == 0, nil
	}
	return strings.TrimRight(out+errs, " \t\r\n"), nil
}

func connect(c *Call) (any, error) {
	host, port := py.Str(c.Arg("host")), c.Arg("port")
	ret := func(ok bool, format string, args ...any) (any, error) {
		return body.Map{{Key: "result", Value: ok}, {Key: "comment", Value: fmt.Sprintf(format, args...)}}, nil
	}
	if !py.Truthy(c.Arg("host")) {
		return ret(false, "Required argument, host, is missing.")
	}
	if !py.Truthy(port) {
		return ret(false, "Required argument, port, is missing.")
	}
	proto := "tcp"
	if p, _ := c.Kwargs.Get("proto"); p == "udp" {
		proto = "udp"
	}
	timeout := 5 * time.Second
	if t, ok := c.Kwargs.Get("timeout"); ok {
		if f, err := py.Float(t); err == nil {
			timeout = time.Duration(f * float64(time.Second))
		}
	}
	network := proto
	if fam, _ := c.Kwargs.Get("family"); fam == "ipv4" || fam == "ipv6" {
		network += map[any]string{"ipv4": "4", "ipv6": "6"}[fam]
	}
	address := host
	if _, err := netip.ParseAddr(host); err != nil {
		address = sanitizeHost(host)
	}
	ctx, cancel := context.WithTimeout(c.Ctx, timeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, map[string]string{"tcp": "ip", "udp": "ip", "tcp4": "ip4", "tcp6": "ip6", "udp4": "ip4", "udp6": "ip6"}[network], address)
	if err != nil || len(ips) == 0 {
		return ret(false, "Unable to resolve host %s on %s port %s", host, proto, py.Str(port))
	}
	ip := ips[0].Unmap().String()
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip, py.Str(port)))
	if err == nil && proto == "udp" {
		err = udpProbe(conn, timeout)
	}
	if err != nil {
		return ret(false, "Unable to connect to %s (%s) on %s port %s", host, ip, proto, py.Str(port))
	}
	conn.Close()
	return ret(true, "Successfully connected to %s (%s) on %s port %s", host, ip, proto, py.Str(port))
}

// udpProbe sends a datagram and waits for any answer, as connect's UDP
// test does.
func udpProbe(conn net.Conn, timeout time.Duration) error {
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte(strconv.FormatInt(time.Now().Unix(), 16))); err != nil {
		return err
	}
	_, err := conn.Read(make([]byte, 255))
	return err
}

func dnsCheck(c *Call) (any, error) {
	addr := py.Str(c.Arg("addr"))
	port := py.Str(c.Arg("port"))
	network := "ip"
	switch c.Arg("ipv6") {
	case true:
		network = "ip6"
	case false:
		network = "ip4"
	}
	ips, err := net.DefaultResolver.LookupNetIP(c.Ctx, network, addr)
	if err != nil && network == "ip6" {
		ips, err = net.DefaultResolver.LookupNetIP(c.Ctx, "ip4", addr)
	}
	if err != nil || len(ips) == 0 {
		return nil, cmdErr("DNS lookup or connection check of '%s' failed.", addr)
	}
	pick := ips[0].Unmap()
	for _, ip := range ips {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip.Unmap().String(), port), 2*time.Second)
		if err == nil {
			conn.Close()
			pick = ip.Unmap()
			break
		}
	}
	if pick.Is6() {
		return "[" + pick.String() + "]", nil
	}
	return pick.String(), nil
}
