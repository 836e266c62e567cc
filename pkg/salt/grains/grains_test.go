package grains

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fixture writes files (path relative to the root → content) into a new
// root directory. A content of "<dir>" makes a directory.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if content == "<dir>" {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var testUname = &Uname{
	Sysname:  "Linux",
	Nodename: "web1",
	Release:  "5.15.0-91-generic",
	Version:  "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023",
	Machine:  "x86_64",
}

func noInterfaces() ([]Interface, error) { return nil, nil }

func coreAt(root string) map[string]any {
	return Core(Options{
		Root:       root,
		ID:         "min1",
		Uname:      testUname,
		Interfaces: noInterfaces,
		Getenv:     func(string) string { return "" },
	})
}

const (
	debian12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`
	ubuntu2204 = `PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`
	centos7 = `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
`
	rhel86 = `NAME="Red Hat Enterprise Linux"
VERSION="8.6 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.6"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.6 (Ootpa)"
CPE_NAME="cpe:/o:redhat:enterprise_linux:8::baseos"
`
	alpine318 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
`
	leap154 = `NAME="openSUSE Leap"
VERSION="15.4"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.4"
PRETTY_NAME="openSUSE Leap 15.4"
CPE_NAME="cpe:/o:opensuse:leap:15.4"
`
)

// TestOSGrains pins os, os_family, osfullname, osrelease, oscodename and
// what derives from them for each family of os-release, with the values Salt
// 3006 reports (Debian 12 as observed in 06-grains.items.json).
func TestOSGrains(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  map[string]any
		// absent lists grains that must not be reported.
		absent []string
	}{
		{
			name:  "debian 12",
			files: map[string]string{"etc/os-release": debian12},
			want: map[string]any{
				"os": "Debian", "os_family": "Debian", "osfullname": "Debian GNU/Linux",
				"osrelease": "12", "oscodename": "bookworm", "osrelease_info": []any{12},
				"osmajorrelease": 12, "osfinger": "Debian-12", "osarch": "amd64",
			},
			absent: []string{"lsb_distrib_id", "lsb_distrib_release"},
		},
		{
			name:  "ubuntu 22.04 from /usr/lib",
			files: map[string]string{"usr/lib/os-release": ubuntu2204},
			want: map[string]any{
				"os": "Ubuntu", "os_family": "Debian", "osfullname": "Ubuntu",
				"osrelease": "22.04", "oscodename": "jammy", "osrelease_info": []any{22, 4},
				"osmajorrelease": 22, "osfinger": "Ubuntu-22.04", "osarch": "amd64",
			},
			absent: []string{"lsb_distrib_id"},
		},
		{
			name: "centos 7 takes the full release from centos-release",
			files: map[string]string{
				"etc/os-release":     centos7,
				"etc/centos-release": "CentOS Linux release 7.9.2009 (Core)\n",
				"etc/redhat-release": "CentOS Linux release 7.9.2009 (Core)\n",
			},
			want: map[string]any{
				"os": "CentOS", "os_family": "RedHat", "osfullname": "CentOS Linux",
				"osrelease": "7.9.2009", "oscodename": "CentOS Linux 7 (Core)",
				"osrelease_info": []any{7, 9, 2009}, "osmajorrelease": 7,
				"osfinger": "CentOS Linux-7", "osarch": "x86_64",
				"lsb_distrib_id": "CentOS Linux", "lsb_distrib_codename": "CentOS Linux 7 (Core)",
			},
			absent: []string{"lsb_distrib_release"},
		},
		{
			name: "rhel 8 codename from VERSION",
			files: map[string]string{
				"etc/os-release":     rhel86,
				"etc/redhat-release": "Red Hat Enterprise Linux release 8.6 (Ootpa)\n",
			},
			want: map[string]any{
				"os": "RedHat", "os_family": "RedHat", "osfullname": "Red Hat Enterprise Linux",
				"osrelease": "8.6", "oscodename": "Ootpa", "osrelease_info": []any{8, 6},
				"osmajorrelease": 8, "osfinger": "Red Hat Enterprise Linux-8",
				"lsb_distrib_id": "Red Hat Enterprise Linux", "lsb_distrib_release": "8.6",
			},
		},
		{
			name:  "alpine",
			files: map[string]string{"etc/os-release": alpine318, "etc/alpine-release": "3.18.4\n"},
			want: map[string]any{
				"os": "Alpine", "os_family": "Alpine", "osfullname": "Alpine Linux",
				"osrelease": "3.18.4", "oscodename": "Alpine Linux v3.18",
				"osrelease_info": []any{3, 18, 4}, "osmajorrelease": 3,
				"osfinger": "Alpine Linux-3", "osarch": "x86_64",
			},
		},
		{
			name:  "opensuse leap",
			files: map[string]string{"etc/os-release": leap154},
			want: map[string]any{
				"os": "SUSE", "os_family": "Suse", "osfullname": "Leap",
				"osrelease": "15.4", "osfinger": "Leap-15", "osmajorrelease": 15,
			},
		},
		{
			name: "centos 6 without os-release",
			files: map[string]string{
				"etc/centos-release": "CentOS release 6.10 (Final)\n",
				"etc/redhat-release": "CentOS release 6.10 (Final)\n",
			},
			want: map[string]any{
				"os": "CentOS", "os_family": "RedHat", "osfullname": "CentOS",
				"osrelease": "6.10", "oscodename": "Final", "osfinger": "CentOS-6",
			},
		},
		{
			name:   "ubuntu with lsb-release file stays on os-release",
			files:  map[string]string{"etc/os-release": ubuntu2204, "etc/lsb-release": "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\n"},
			want:   map[string]any{"os": "Ubuntu", "osrelease": "22.04"},
			absent: []string{"lsb_distrib_id", "lsb_distrib_release"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := coreAt(fixture(t, c.files))
			for k, want := range c.want {
				if got := g[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			for _, k := range c.absent {
				if v, ok := g[k]; ok {
					t.Errorf("%s = %#v, want it absent", k, v)
				}
			}
		})
	}
}

func TestDeriveOSAndFamily(t *testing.T) {
	for _, c := range []struct{ name, id, idLike, os, family string }{
		{"Debian GNU/Linux", "debian", "", "Debian", "Debian"},
		{"Fedora Linux", "fedora", "", "Fedora", "RedHat"},
		{"Rocky Linux", "rocky", "rhel centos fedora", "Rocky", "RedHat"},
		{"Linux Mint", "linuxmint", "ubuntu", "Mint", "Debian"},
		{"Arch Linux", "arch", "", "Arch", "Arch"},
		{"Pop!_OS", "pop", "ubuntu debian", "Pop", "Debian"},
		{"Amazon Linux", "amzn", "centos rhel fedora", "Amazon", "RedHat"},
	} {
		if got := deriveOS(c.name, c.id); got != c.os {
			t.Errorf("deriveOS(%q) = %q, want %q", c.name, got, c.os)
		}
		if got := prettifyFamily(familyID(c.id, c.idLike)); got != c.family {
			t.Errorf("family of %q = %q, want %q", c.id, got, c.family)
		}
	}
}

const cpuinfoX86 = `processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model name	: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz
flags		: fpu vme de pse
cpu cores	: 2

processor	: 1
vendor_id	: GenuineIntel
cpu family	: 6
model name	: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz
flags		: fpu vme de pse sse2
cpu cores	: 2
`

const meminfo = `MemTotal:       16318412 kB
MemFree:         1051200 kB
SwapTotal:       2097148 kB
SwapFree:        2097148 kB
`

func TestCPUAndMemory(t *testing.T) {
	g := coreAt(fixture(t, map[string]string{"proc/cpuinfo": cpuinfoX86, "proc/meminfo": meminfo}))
	want := map[string]any{
		"num_cpus":   2,
		"cpu_model":  "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz",
		"cpu_flags":  []any{"fpu", "vme", "de", "pse", "sse2"},
		"mem_total":  15935,
		"swap_total": 2047,
	}
	for k, w := range want {
		if got := g[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}

	// s390x counts processors in one line; ARM names the model "Processor".
	g = coreAt(fixture(t, map[string]string{"proc/cpuinfo": "vendor_id       : IBM/S390\n# processors    : 4\n"}))
	if g["num_cpus"] != 4 || g["cpu_model"] != "IBM/S390" {
		t.Errorf("s390: num_cpus %v cpu_model %v", g["num_cpus"], g["cpu_model"])
	}
	g = coreAt(fixture(t, map[string]string{"proc/cpuinfo": "Processor\t: ARMv6-compatible processor rev 7 (v6l)\nFeatures\t: swp half thumb\n"}))
	if g["num_cpus"] != 1 || g["cpu_model"] != "ARMv6" || !reflect.DeepEqual(g["cpu_flags"], []any{"swp", "half", "thumb"}) {
		t.Errorf("arm: %v %v %v", g["num_cpus"], g["cpu_model"], g["cpu_flags"])
	}
}

func TestMissingFilesOmitGrains(t *testing.T) {
	g := coreAt(t.TempDir())
	for _, k := range []string{"num_cpus", "cpu_model", "mem_total", "swap_total", "os", "osrelease", "machine_id", "dns", "kernelparams", "biosversion", "uuid"} {
		if v, ok := g[k]; ok {
			t.Errorf("%s = %#v from an empty root, want it absent", k, v)
		}
	}
	// What needs no file is still there.
	if g["id"] != "min1" || g["kernel"] != "Linux" || g["init"] != "unknown" || g["virtual"] != "physical" {
		t.Errorf("id %v kernel %v init %v virtual %v", g["id"], g["kernel"], g["init"], g["virtual"])
	}
}

func TestIdentityAndStatic(t *testing.T) {
	root := fixture(t, map[string]string{
		"etc/hosts":      "127.0.0.1 localhost\n127.0.1.1 web1.example.org web1 # this host\n::1 localhost ip6-localhost\n",
		"etc/machine-id": "3d1219c7c4c5404aaa1f6d2a48adfda4\n",
	})
	g := Core(Options{
		Root:       root,
		ID:         "min1",
		Master:     "127.0.0.1",
		Uname:      testUname,
		Interfaces: noInterfaces,
		Getenv:     func(k string) string { return map[string]string{"PATH": " /usr/bin:/bin ", "SHELL": "/bin/zsh"}[k] },
		Static:     map[string]any{"roles": []any{"web"}, "os": "Overridden"},
	})
	want := map[string]any{
		"id":         "min1",
		"server_id":  1052453602, // as Salt computed it for min1 (06-grains.items.json)
		"master":     "127.0.0.1",
		"machine_id": "3d1219c7c4c5404aaa1f6d2a48adfda4",
		"localhost":  "web1",
		"nodename":   "web1",
		"fqdn":       "web1.example.org",
		"host":       "web1",
		"domain":     "example.org",
		"path":       "/usr/bin:/bin",
		"systempath": []any{"/usr/bin", "/bin"},
		"shell":      "/bin/zsh",
		"roles":      []any{"web"},
		"os":         "Overridden",
		"kernel":     "Linux",
		"cpuarch":    "x86_64",
	}
	for k, w := range want {
		if got := g[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if _, ok := g["saltversion"]; ok {
		t.Error("saltversion reported without Options.SaltVersion")
	}
	g = Core(Options{Root: root, Uname: testUname, Interfaces: noInterfaces, SaltVersion: "3006.3"})
	if g["saltversion"] != "3006.3" || !reflect.DeepEqual(g["saltversioninfo"], []any{3006, 3}) {
		t.Errorf("saltversion %v saltversioninfo %v", g["saltversion"], g["saltversioninfo"])
	}
}

func TestNetworkGrains(t *testing.T) {
	ifs := func() ([]Interface, error) {
		return []Interface{
			{Name: "lo", Loopback: true, Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}},
			{Name: "eth0", HardwareAddr: "02:FC:00:00:00:01", Addrs: []netip.Addr{
				netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.9"),
				netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fd00::2"),
			}},
			{Name: "tun0"},
		}, nil
	}
	root := fixture(t, map[string]string{
		"etc/hosts": "10.0.0.9 web1\n",
		"etc/resolv.conf": "# generated\nnameserver 10.255.255.53\nnameserver fd00::53\nnameserver 10.255.255.53\n" +
			"search example.org corp.example.org ; comment\noptions ndots:2 timeout:1\nsortlist 130.155.160.0/255.255.240.0 10.0.0.0\n",
		"proc/net/route":      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
		"proc/net/ipv6_route": "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n",
	})
	g := Core(Options{Root: root, ID: "m", Uname: testUname, Interfaces: ifs})
	want := map[string]any{
		// Sorted as addresses, not as text: 10.0.0.9 before 10.0.0.10.
		"ipv4": []any{"10.0.0.9", "10.0.0.10", "127.0.0.1"},
		"ipv6": []any{"::1", "fd00::2", "fe80::1"},
		"ip4_interfaces": map[string]any{
			"lo": []any{"127.0.0.1"}, "eth0": []any{"10.0.0.10", "10.0.0.9"}, "tun0": []any{},
		},
		"ip6_interfaces": map[string]any{
			"lo": []any{"::1"}, "eth0": []any{"fe80::1", "fd00::2"}, "tun0": []any{},
		},
		"ip_interfaces": map[string]any{
			"lo": []any{"127.0.0.1", "::1"}, "eth0": []any{"10.0.0.10", "10.0.0.9", "fe80::1", "fd00::2"}, "tun0": []any{},
		},
		"hwaddr_interfaces": map[string]any{"lo": "00:00:00:00:00:00", "eth0": "02:fc:00:00:00:01"},
		"fqdn_ip4":          []any{"10.0.0.9"},
		"fqdn_ip6":          []any{},
		"ip_gw":             true,
		"ip4_gw":            "192.0.2.1",
		"ip6_gw":            "fd00::1",
		"dns": map[string]any{
			"nameservers":     []any{"10.255.255.53", "fd00::53"},
			"ip4_nameservers": []any{"10.255.255.53"},
			"ip6_nameservers": []any{"fd00::53"},
			"sortlist":        []any{"130.155.160.0/255.255.240.0", "10.0.0.0/255.0.0.0"},
			"domain":          "",
			"search":          []any{"example.org", "corp.example.org"},
			"options":         []any{"ndots:2"},
		},
	}
	for k, w := range want {
		if got := g[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
}

func TestInitVirtualHardware(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  map[string]any
	}{
		{"systemd", map[string]string{"run/systemd/system": "<dir>"}, map[string]any{"init": "systemd"}},
		{"init binary names upstart", map[string]string{
			"proc/1/cmdline": "/sbin/init\x00splash\x00",
			"sbin/init":      "\x7fELF....Upstart is an event-based replacement",
		}, map[string]any{"init": "upstart"}},
		{"tini in a container", map[string]string{"proc/1/cmdline": "/usr/bin/tini\x00--\x00salt-minion\x00"}, map[string]any{"init": "tini"}},
		{"kvm from DMI", map[string]string{"sys/class/dmi/id/sys_vendor": "QEMU\n", "sys/class/dmi/id/product_name": "KVM\n"},
			map[string]any{"virtual": "kvm", "manufacturer": "QEMU", "productname": "KVM"}},
		{"vmware from DMI", map[string]string{"sys/class/dmi/id/sys_vendor": "VMware, Inc.\n"}, map[string]any{"virtual": "VMware"}},
		{"virtualbox product", map[string]string{"sys/devices/virtual/dmi/id/product_name": "VirtualBox\n"}, map[string]any{"virtual": "VirtualBox"}},
		{"docker cgroup", map[string]string{"proc/1/cgroup": "12:cpuset:/docker/0123abcd\n"},
			map[string]any{"virtual": "container", "virtual_subtype": "Docker"}},
		{"lxc environ", map[string]string{"proc/1/environ": "PATH=/bin\x00container=lxc\x00"},
			map[string]any{"virtual": "container", "virtual_subtype": "LXC"}},
		{"kubernetes only subtype", map[string]string{"proc/1/cgroup": "1:name=systemd:/kubepods/burstable/pod1\n"},
			map[string]any{"virtual": "virtual", "virtual_subtype": "kubernetes"}},
		{"dmi uuid lowercased", map[string]string{"sys/class/dmi/id/product_uuid": "4C4C4544-0042-3510\n", "sys/class/dmi/id/bios_version": " 1.2.3 \n"},
			map[string]any{"uuid": "4c4c4544-0042-3510", "biosversion": "1.2.3"}},
		{"kernel params", map[string]string{"proc/cmdline": "BOOT_IMAGE=/vmlinuz root=UUID=ab-cd ro quiet console=\"ttyS0,115200\" a=b=c\n"},
			map[string]any{"kernelparams": []any{
				// Salt splits on every '=': two of them leave no value.
				[]any{"BOOT_IMAGE", "/vmlinuz"}, []any{"root", nil}, []any{"ro", nil}, []any{"quiet", nil},
				[]any{"console", "ttyS0,115200"}, []any{"a", nil},
			}}},
		{"disks", map[string]string{"sys/block/sda/queue/rotational": "1\n", "sys/block/nvme0n1/queue/rotational": "0\n"},
			map[string]any{"disks": []any{"sda"}, "ssds": []any{"nvme0n1"}}},
		{"efi", map[string]string{"sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c/data": "\x06\x00\x00\x00\x01"},
			map[string]any{"efi": true, "efi-secure-boot": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := coreAt(fixture(t, c.files))
			for k, w := range c.want {
				if got := g[k]; !reflect.DeepEqual(got, w) {
					t.Errorf("%s = %#v, want %#v", k, got, w)
				}
			}
		})
	}
}

// TestLiveMachine runs against the real host: every grain that any Linux
// machine has must be present with Salt's type.
func TestLiveMachine(t *testing.T) {
	if _, err := os.Stat("/proc/cpuinfo"); err != nil {
		t.Skip("no /proc: not Linux")
	}
	g := Core(Options{ID: "live", Master: "salt"})
	types := map[string]string{
		"id": "string", "kernel": "string", "kernelrelease": "string", "kernelversion": "string",
		"nodename": "string", "localhost": "string", "fqdn": "string", "host": "string", "domain": "string",
		"cpuarch": "string", "osarch": "string", "num_cpus": "int", "cpu_model": "string", "cpu_flags": "list",
		"mem_total": "int", "swap_total": "int", "ipv4": "list", "ipv6": "list",
		"ip4_interfaces": "map", "ip6_interfaces": "map", "ip_interfaces": "map", "hwaddr_interfaces": "map",
		"virtual": "string", "init": "string", "path": "string", "systempath": "list", "shell": "string",
		"uid": "int", "gid": "int", "pid": "int", "server_id": "int", "master": "string", "ps": "string",
		"os": "string", "os_family": "string",
	}
	for k, typ := range types {
		v, ok := g[k]
		if !ok {
			t.Errorf("grain %s missing on the live machine", k)
			continue
		}
		var good bool
		switch typ {
		case "string":
			_, good = v.(string)
		case "int":
			_, good = v.(int)
		case "list":
			_, good = v.([]any)
		case "map":
			_, good = v.(map[string]any)
		}
		if !good {
			t.Errorf("grain %s = %#v, want a %s", k, v, typ)
		}
	}
	if n, _ := g["num_cpus"].(int); n < 1 {
		t.Errorf("num_cpus = %v", g["num_cpus"])
	}
	if n, _ := g["mem_total"].(int); n < 1 {
		t.Errorf("mem_total = %v", g["mem_total"])
	}
	if ips, _ := g["ipv4"].([]any); len(ips) == 0 || ips[0] == "" {
		t.Errorf("ipv4 = %v, want at least the loopback address", g["ipv4"])
	}
}
