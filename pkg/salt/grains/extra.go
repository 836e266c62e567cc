package grains

import (
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// extras collects the smaller grains Salt 3006 reports from its other
// grain modules, where files alone answer them: efi (extra.py uefi),
// transactional (extra.py), disks and ssds (disks.py), zfs_support
// (zfs.py), the default gateways (core.py default_gateway, from the
// kernel's routing tables instead of `ip route`) and fqdn_ip4/fqdn_ip6
// (from the hosts file instead of getaddrinfo).
func (c *collector) extras() {
	c.uefi()
	c.g["transactional"] = c.which("transactional-update") != ""
	c.disks()
	c.zfs()
	c.gateways()
	c.fqdnIPs()
}

func (c *collector) uefi() {
	dir := ""
	for _, d := range []string{"/sys/firmware/efi/efivars", "/sys/firmware/efi/vars"} {
		if c.exists(d) {
			dir = d
			break
		}
	}
	c.g["efi"] = dir != ""
	secure := false
	if dir != "" {
		matches, _ := filepath.Glob(filepath.Join(c.path(dir), "SecureBoot-*", "data"))
		if len(matches) == 1 {
			if b, err := os.ReadFile(matches[0]); err == nil && len(b) > 0 {
				secure = b[len(b)-1] == 1
			}
		}
	}
	c.g["efi-secure-boot"] = secure
}

// disks is _linux_disks: every block device that is not virtual, sorted
// into disks (rotational) and ssds by its queue/rotational flag. Salt lists
// them in directory order; they are sorted here so the grain is stable.
func (c *collector) disks() {
	entries, err := os.ReadDir(c.path("/sys/block"))
	if err != nil {
		return
	}
	disks, ssds := []string{}, []string{}
	for _, e := range entries {
		link, err := os.Readlink(c.path("/sys/block/" + e.Name()))
		if err == nil && strings.HasPrefix(link, "../devices/virtual/") {
			continue
		}
		flag, ok := c.read("/sys/block/" + e.Name() + "/queue/rotational")
		if !ok || flag == "" {
			continue
		}
		switch flag[0] {
		case '0':
			ssds = append(ssds, e.Name())
		case '1':
			disks = append(disks, e.Name())
		}
	}
	sort.Strings(disks)
	sort.Strings(ssds)
	c.g["disks"] = toAny(disks)
	c.g["ssds"] = toAny(ssds)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// zfs is zfs.py: support means the kernel module is loaded and zpool is
// installed. Feature flags, which Salt asks zpool about, exist in every
// OpenZFS that Linux runs, so they follow support.
func (c *collector) zfs() {
	ok := c.exists("/sys/module/zfs") && c.which("zpool") != ""
	c.g["zfs_support"] = ok
	c.g["zfs_feature_flags"] = ok
}

// gateways is default_gateway(): ip_gw tells whether there is a default
// route at all; ip4_gw and ip6_gw hold the gateway address of the first
// default route, true for one without a gateway, false for none.
func (c *collector) gateways() {
	s4, ok4 := c.read("/proc/net/route")
	s6, ok6 := c.read("/proc/net/ipv6_route")
	if !ok4 && !ok6 {
		return
	}
	var gw4, gw6 any = false, false
	for i, line := range strings.Split(s4, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		flags, _ := strconv.ParseUint(f[3], 16, 32)
		if flags&0x0001 == 0 || flags&0x0200 != 0 { // RTF_UP, RTF_REJECT
			continue
		}
		gw4 = true
		if b, err := hex.DecodeString(f[2]); err == nil && len(b) == 4 && flags&0x0002 != 0 {
			gw4 = netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]}).String()
		}
		break
	}
	for _, line := range strings.Split(s6, "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != strings.Repeat("0", 32) || f[1] != "00" {
			continue
		}
		flags, _ := strconv.ParseUint(f[8], 16, 32)
		if flags&0x0001 == 0 || flags&0x0200 != 0 {
			continue
		}
		gw6 = true
		if b, err := hex.DecodeString(f[4]); err == nil && len(b) == 16 && flags&0x0002 != 0 {
			gw6 = netip.AddrFrom16([16]byte(b)).String()
		}
		break
	}
	c.g["ip_gw"] = gw4 != false || gw6 != false
	c.g["ip4_gw"] = gw4
	c.g["ip6_gw"] = gw6
}

// fqdnIPs answers ip_fqdn()'s fqdn_ip4 and fqdn_ip6 from the hosts file:
// the address of the first line naming the fqdn, per family; none when the
// minion has no address of that family.
func (c *collector) fqdnIPs() {
	fqdn, _ := c.g["fqdn"].(string)
	v4, _ := c.g["ipv4"].([]any)
	v6, _ := c.g["ipv6"].([]any)
	ip4, ip6 := []any{}, []any{}
	var hosts [][]string
	if fqdn != "" {
		hosts = c.hostsLines()
	}
	for _, f := range hosts {
		a, err := netip.ParseAddr(f[0])
		if err != nil || !slices.Contains(f[1:], fqdn) {
			continue
		}
		if a.Is4() && len(ip4) == 0 {
			ip4 = append(ip4, a.String())
		} else if a.Is6() && len(ip6) == 0 {
			ip6 = append(ip6, a.String())
		}
	}
	if len(v4) == 0 {
		ip4 = []any{}
	}
	if len(v6) == 0 {
		ip6 = []any{}
	}
	c.g["fqdn_ip4"] = ip4
	c.g["fqdn_ip6"] = ip6
}
