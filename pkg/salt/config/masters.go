package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// HostPort is one road address a minion sends its join to.
type HostPort struct {
	Host string
	Port int
}

// String is host:port, with brackets around an IPv6 host, ready for net.Dial
// or net.ResolveUDPAddr. The zero HostPort is "".
func (h HostPort) String() string {
	if h.Host == "" && h.Port == 0 {
		return ""
	}
	return net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
}

// MasterAddr is one master of the minion's master option, in the shape of
// salt.daemons.extract_masters: the address to join (External) and, for a
// master behind NAT, the address it has on its own network (Internal, zero
// when not given).
type MasterAddr struct {
	External HostPort
	Internal HostPort
}

// MasterOption is the minion's master option. Salt accepts four forms
// (salt/daemons/__init__.py extract_masters): "host", "host port", a list of
// those, and {external: "host [port]", internal: "host [port]"} mappings, on
// their own or in the list. Raw keeps the form as written; Addrs is what the
// minion joins, in order, with master_port filled in where no port was given.
type MasterOption struct {
	Raw   any // string, []any or map[string]any as read; "salt" by default
	Addrs []MasterAddr
}

// HostPorts lists the external host:port of every master, the addresses the
// minion sends its join to.
func (m MasterOption) HostPorts() []string {
	out := make([]string, len(m.Addrs))
	for i, a := range m.Addrs {
		out[i] = a.External.String()
	}
	return out
}

// parseHostPort is salt.daemons.parse_hostname: "host port", else
// "host:port" when there is exactly one colon (two or more mean an IPv6
// address), else just the host with the default port. Where Salt quietly
// drops an entry it cannot read, this returns why. Beyond Salt, "[v6]:port"
// and "[v6]" are understood.
func parseHostPort(s string, defaultPort int) (HostPort, string) {
	parts := strings.Fields(s)
	var host, port string
	switch len(parts) {
	case 0:
		return HostPort{}, "no host given"
	case 1:
		host = parts[0]
		switch {
		case strings.HasPrefix(host, "["):
			if h, p, err := net.SplitHostPort(host); err == nil {
				host, port = h, p
			} else if strings.HasSuffix(host, "]") {
				host = host[1 : len(host)-1]
			} else {
				return HostPort{}, fmt.Sprintf("%q is not a host, host:port or [IPv6]:port", s)
			}
		case strings.Count(host, ":") == 1:
			host, port, _ = strings.Cut(host, ":")
			if host == "" {
				return HostPort{}, fmt.Sprintf("%q has a port but no host", s)
			}
		}
	case 2:
		host, port = parts[0], parts[1]
	default:
		return HostPort{}, fmt.Sprintf("%q: want \"host\" or \"host port\"", s)
	}
	if host == "" {
		return HostPort{}, "no host given"
	}
	p := defaultPort
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil {
			return HostPort{}, fmt.Sprintf("%q: port %q is not a number", s, port)
		}
		if msg := checkPort(n); msg != "" {
			return HostPort{}, fmt.Sprintf("%q: %s", s, msg)
		}
		p = n
	}
	return HostPort{Host: host, Port: p}, ""
}

// masters decodes the master option with the already decoded master_port.
func (d *decoder) masters(key string, dst *MasterOption, defaultPort int) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	var addrs []MasterAddr
	ok := true
	add := func(v *value) {
		a, good := d.masterEntry(f, v, defaultPort)
		if good {
			addrs = append(addrs, a)
		} else {
			ok = false
		}
	}
	if f.val.kind == kindSeq {
		for _, it := range f.val.items {
			add(it)
		}
	} else {
		add(f.val)
	}
	if !ok {
		return
	}
	if len(addrs) == 0 {
		// extract_masters: "Invalid or missing opts['master']".
		d.fail(f, f.val, "no master address given")
		return
	}
	*dst = MasterOption{Raw: f.val.raw(), Addrs: addrs}
}

func (d *decoder) masterEntry(f *field, v *value, defaultPort int) (MasterAddr, bool) {
	if s, isScalar := scalarText(v); isScalar {
		hp, msg := parseHostPort(s, defaultPort)
		if msg != "" {
			d.fail(f, v, "%s", msg)
			return MasterAddr{}, false
		}
		return MasterAddr{External: hp}, true
	}
	if v.kind != kindMap {
		d.fail(f, v, "want \"host [port]\", a list of them, or {external: \"host [port]\", internal: \"host [port]\"}, got %s", v.describe())
		return MasterAddr{}, false
	}
	var a MasterAddr
	ok := true
	for _, sub := range v.fields {
		sf := &field{key: f.key + "." + sub.key, file: sub.file, line: sub.line, val: sub.val}
		var dst *HostPort
		switch sub.key {
		case "external":
			dst = &a.External
		case "internal":
			dst = &a.Internal
		default:
			d.fail(sf, nil, "unknown key; a master mapping has external and internal")
			ok = false
			continue
		}
		if sub.val.kind == kindNull {
			continue
		}
		s, isScalar := scalarText(sub.val)
		if !isScalar {
			d.fail(sf, sub.val, "want \"host [port]\", got %s", sub.val.describe())
			ok = false
			continue
		}
		if strings.TrimSpace(s) == "" {
			continue // parse_hostname("") is None: no address
		}
		hp, msg := parseHostPort(s, defaultPort)
		if msg != "" {
			d.fail(sf, sub.val, "%s", msg)
			ok = false
			continue
		}
		*dst = hp
	}
	if ok && a.External.Host == "" {
		d.fail(f, v, "a master mapping needs external: \"host [port]\"")
		ok = false
	}
	return a, ok
}
