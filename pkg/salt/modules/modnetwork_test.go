package modules

import (
	"net"
	"net/netip"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

const ipAddrShow = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: ifb0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default qlen 32
    link/ether 7a:e7:1c:1f:13:fe brd ff:ff:ff:ff:ff:ff
4: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000
    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet 192.0.2.9/24 scope global secondary eth0:1
       valid_lft forever preferred_lft forever
    inet6 fe80::fc:ff:fe00:1/64 scope link 
       valid_lft forever preferred_lft forever
`

// TestParseInterfacesIP: ip addr show parsed to Salt's shape, secondary
// addresses apart, the parent of a veth kept.
func TestParseInterfacesIP(t *testing.T) {
	got := parseInterfacesIP(ipAddrShow)
	want := body.Map{
		{Key: "lo", Value: body.Map{{Key: "up", Value: true}, {Key: "hwaddr", Value: "00:00:00:00:00:00"},
			{Key: "inet", Value: []any{body.Map{{Key: "address", Value: "127.0.0.1"}, {Key: "netmask", Value: "255.0.0.0"}, {Key: "broadcast", Value: nil}, {Key: "label", Value: "lo"}}}},
			{Key: "inet6", Value: []any{body.Map{{Key: "address", Value: "::1"}, {Key: "prefixlen", Value: "128"}, {Key: "scope", Value: "host"}}}}}},
		{Key: "ifb0", Value: body.Map{{Key: "up", Value: false}, {Key: "hwaddr", Value: "7a:e7:1c:1f:13:fe"}}},
		{Key: "eth0", Value: body.Map{{Key: "up", Value: true}, {Key: "parent", Value: "if9"}, {Key: "hwaddr", Value: "02:fc:00:00:00:01"},
			{Key: "inet", Value: []any{body.Map{{Key: "address", Value: "192.0.2.2"}, {Key: "netmask", Value: "255.255.255.0"}, {Key: "broadcast", Value: "192.0.2.255"}, {Key: "label", Value: "eth0"}}}},
			{Key: "secondary", Value: []any{body.Map{{Key: "type", Value: "inet"}, {Key: "address", Value: "192.0.2.9"}, {Key: "netmask", Value: "255.255.255.0"}, {Key: "broadcast", Value: nil}, {Key: "label", Value: "eth0:1"}}}},
			{Key: "inet6", Value: []any{body.Map{{Key: "address", Value: "fe80::fc:ff:fe00:1"}, {Key: "prefixlen", Value: "64"}, {Key: "scope", Value: "link"}}}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseInterfacesIP =\n%#v\nwant\n%#v", got, want)
	}
	addrs := ifaceAddrs(filterInterfaces(got, "eth*"), "inet")
	if len(addrs) != 2 {
		t.Errorf("eth* inet addresses %v, want the primary and the secondary", addrs)
	}
	for bits, mask := range map[int]string{8: "255.0.0.0", 20: "255.255.240.0", 32: "255.255.255.255", 0: ""} {
		if m := cidrToIPv4Netmask(bits); m != mask {
			t.Errorf("cidrToIPv4Netmask(%d) = %q, want %q", bits, m, mask)
		}
	}
	if h := hex2ip("0100007F"); h != "127.0.0.1" {
		t.Errorf("hex2ip = %s", h)
	}
	if h := hex2ip("0000000000000000FFFF00000100007F"); h != "127.0.0.1" {
		t.Errorf("hex2ip mapped = %s", h)
	}
	if h := hex2ip("00000000000000000000000001000000"); h != "::1" {
		t.Errorf("hex2ip v6 = %s", h)
	}
}

// TestNetworkLive: the loopback interface as this host has it.
func TestNetworkLive(t *testing.T) {
	e := New(Options{})
	ifaces := mapOf(t, run(e, "network.interfaces").Return)
	if !ifaces.Has("lo") {
		t.Skipf("no lo interface here (ip(8) missing?): %v", ifaces.Keys())
	}
	wantOK(t, run(e, "network.interface_ip", "lo"), "127.0.0.1")
	wantOK(t, run(e, "network.hw_addr", "no-such-if0"), `Interface "no-such-if0" not in available interfaces: "`+strings.Join(ifaces.Keys(), `", "`)+`"`)
	with := run(e, "network.ip_addrs", kw("include_loopback", true)).Return.([]any)
	without := run(e, "network.ip_addrs").Return.([]any)
	if !contains(with, "127.0.0.1") || contains(without, "127.0.0.1") {
		t.Errorf("ip_addrs with loopback %v, without %v", with, without)
	}
	wantOK(t, run(e, "network.ip_addrs", kw("include_loopback", true, "cidr", "127.0.0.0/8")), []any{"127.0.0.1"})
	wantError(t, run(e, "network.routes", "inet5"), "ERROR: Invalid address family inet5")
}

func contains(l []any, v any) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// TestNetworkConnect: a listener this test opens answers, a closed port
// does not; active_tcp shows the established connection.
func TestNetworkConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }() // stays established until the test ends
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	e := New(Options{})
	wantOK(t, run(e, "network.connect", "127.0.0.1", port),
		body.Map{{Key: "result", Value: true}, {Key: "comment", Value: "Successfully connected to 127.0.0.1 (127.0.0.1) on tcp port " + port}})
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := strconv.Itoa(ln2.Addr().(*net.TCPAddr).Port)
	ln2.Close()
	r := run(e, "network.connect", "127.0.0.1", closed, kw("timeout", 2))
	if !reflect.DeepEqual(r.Return, body.Map{{Key: "result", Value: false}, {Key: "comment", Value: "Unable to connect to 127.0.0.1 (127.0.0.1) on tcp port " + closed}}) || r.Retcode != 1 {
		t.Errorf("connect to a closed port = %#v retcode %d", r.Return, r.Retcode)
	}
	if r := run(e, "network.connect", "127.0.0.1"); !reflect.DeepEqual(r.Return, body.Map{{Key: "result", Value: false}, {Key: "comment", Value: "Required argument, port, is missing."}}) {
		t.Errorf("connect without a port = %#v", r.Return)
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.TCPAddr).Port
	found := false
	for _, it := range mapOf(t, run(e, "network.active_tcp").Return) {
		c := it.Value.(body.Map)
		lp, _ := c.Get("local_port")
		rp, _ := c.Get("remote_port")
		la, _ := c.Get("local_addr")
		found = found || lp == int64(local) && strconv.FormatInt(rp.(int64), 10) == port && la == "127.0.0.1"
	}
	if !found {
		t.Errorf("active_tcp lacks the connection 127.0.0.1:%d -> %s", local, port)
	}
}

// TestNetworkPing runs a ping(8) the test puts on PATH (CI has no
// network): the host is sanitized as Salt's sanitize_host does, timeout
// becomes -W, return_boolean reports the exit code.
func TestNetworkPing(t *testing.T) {
	fakeCommand(t, "ping", "echo \"ping $*\"\nfor a; do last=$a; done\n[ \"$last\" != down ]\n")
	e := New(Options{})
	wantOK(t, run(e, "network.ping", "host;rm -rf /"), "ping -c 4 hostrm-rf")
	wantOK(t, run(e, "network.ping", "h1", kw("timeout", 2)), "ping -W 2 -c 4 h1")
	wantOK(t, run(e, "network.ping", "h1", kw("return_boolean", true)), true)
	wantOK(t, run(e, "network.ping", "down", kw("return_boolean", true)), false)
}

// TestNetworkSockets: a listener this test opens shows in network.netstat
// (netstat, or ss without it), and dns_check finds localhost's address
// that accepts on its port.
func TestNetworkSockets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	e := New(Options{})
	wantOK(t, run(e, "network.dns_check", "localhost", port, kw("ipv6", false)), "127.0.0.1")
	if _, err := exec.LookPath("netstat"); err != nil {
		if _, err := exec.LookPath("ss"); err != nil {
			t.Skip("neither netstat nor ss here")
		}
	}
	found := false
	for _, s := range run(e, "network.netstat").Return.([]any) {
		m := s.(body.Map)
		la, _ := m.Get("local-address")
		st, _ := m.Get("state")
		found = found || la == "127.0.0.1:"+port && (st == "LISTEN")
	}
	if !found {
		t.Errorf("netstat lacks the listener on 127.0.0.1:%s", port)
	}
}

// TestNetworkRoutes reads the routes from a netstat(8) the test puts on
// PATH, printing what this host's printed when Salt 3006.3 read the same
// routes (its network.routes and default_route returns are the wants).
func TestNetworkRoutes(t *testing.T) {
	fakeCommand(t, "netstat", `if [ "$2" = inet ]; then cat <<'X'
Kernel IP routing table
Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface
0.0.0.0         192.0.2.1       0.0.0.0         UG        0 0          0 eth0
192.0.2.0       0.0.0.0         255.255.255.0   U         0 0          0 eth0
X
else cat <<'X'
Kernel IPv6 routing table
Destination                    Next Hop                   Flag Met Ref  Use If
fd00::/64                      ::                         U    256 1      0 eth0
::/0                           fd00::1                    UG   1024 2      0 eth0
::/0                           ::                         !n   -1  1      0 lo
X
fi
`)
	e := New(Options{})
	r := func(fam, dest, gw, mask, flags, iface string) any { return route(fam, dest, gw, mask, flags, iface) }
	defaults := []any{r("inet", "0.0.0.0", "192.0.2.1", "0.0.0.0", "UG", "eth0"), r("inet6", "::/0", "fd00::1", "", "UG", "eth0"),
		r("inet6", "::/0", "::", "", "!n", "lo")}
	wantOK(t, run(e, "network.default_route"), defaults)
	wantOK(t, run(e, "network.default_route", "inet"), defaults[:1])
	wantOK(t, run(e, "network.routes", "inet"), []any{defaults[0], r("inet", "192.0.2.0", "0.0.0.0", "255.255.255.0", "U", "eth0")})
	if all := run(e, "network.routes").Return.([]any); len(all) != 5 {
		t.Errorf("routes = %v", all)
	}
}

// TestNetInterfacesFallback: without ip(8) the interfaces come from the
// kernel through Go in the same shape; where ip(8) is here, both agree on
// the loopback's and every interface's addresses.
func TestNetInterfacesFallback(t *testing.T) {
	got := netInterfaces()
	lo, ok := got.Get("lo")
	if !ok {
		t.Skip("no lo interface")
	}
	want := body.Map{{Key: "address", Value: "127.0.0.1"}, {Key: "netmask", Value: "255.0.0.0"}, {Key: "broadcast", Value: nil}, {Key: "label", Value: "lo"}}
	if inet, _ := lo.(body.Map).Get("inet"); !reflect.DeepEqual(inet, []any{want}) {
		t.Errorf("lo inet = %#v", inet)
	}
	if b := broadcastOf(netip.MustParsePrefix("192.0.2.2/24")); b != "192.0.2.255" {
		t.Errorf("broadcast = %s", b)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return
	}
	viaIP := linuxInterfaces(t.Context())
	for _, proto := range []string{"inet", "inet6"} {
		a, b := ifaceAddrs(viaIP, proto), ifaceAddrs(got, proto)
		if len(a) != len(b) {
			t.Errorf("%s: ip(8) has %v, the kernel %v", proto, a, b)
		}
	}
	if !reflect.DeepEqual(viaIP.Keys(), got.Keys()) {
		t.Errorf("interfaces: ip(8) %v, the kernel %v", viaIP.Keys(), got.Keys())
	}
}
