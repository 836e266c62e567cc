package grains

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// osData is core.py os_data() for Linux, in its order: uname, init, the
// distribution, CPU, osarch, memory, hardware, virtualisation, ps, and the
// values derived from osrelease.
func (c *collector) osData() {
	g := c.g
	u := c.opts.Uname
	if u == nil {
		u = systemUname()
	}
	if u != nil {
		g["kernel"] = u.Sysname
		g["nodename"] = u.Nodename
		g["kernelrelease"] = u.Release
		g["kernelversion"] = u.Version
		g["cpuarch"] = u.Machine
	}
	if init := c.initSystem(); init != "" {
		g["init"] = init
	}
	c.distroData()
	c.cpuData()
	if cpuarch, ok := g["cpuarch"].(string); ok {
		family, _ := g["os_family"].(string)
		g["osarch"] = osarch(family, cpuarch)
	}
	c.memData()
	c.hwData()
	c.virtual()
	if g["virtual"] == "openvzhn" {
		g["ps"] = `ps -fH -p $(grep -l "^envID:[[:space:]]*0\$" /proc/[0-9]*/status | sed -e "s=/proc/\([0-9]*\)/.*=\1=")  | awk '{ $7=""; print }'`
	} else {
		g["ps"] = "ps -efHww"
	}
	osreleaseData(g)
}

// cpuData is _linux_cpudata: the processor count and the model and flags
// of the last processor listed. Only the text up to a second colon is a
// value, as Salt splits each line on every colon.
func (c *collector) cpuData() {
	s, ok := c.read("/proc/cpuinfo")
	if !ok {
		return
	}
	g := c.g
	num := 0
	model := "Unknown"
	flags := []any{}
	for _, line := range strings.Split(s, "\n") {
		comps := strings.Split(line, ":")
		if len(comps) < 2 {
			continue
		}
		key := strings.TrimSpace(comps[0])
		val := strings.TrimSpace(comps[1])
		switch key {
		case "processor":
			num++
		case "# processors":
			if n, err := strconv.Atoi(val); err == nil {
				num = n
			}
		case "vendor_id", "model name", "cpu":
			model = val
		case "flags", "Features":
			flags = []any{}
			for _, f := range strings.Fields(val) {
				flags = append(flags, f)
			}
		case "Processor":
			model, _, _ = strings.Cut(val, "-")
			num = 1
		}
	}
	g["num_cpus"] = num
	g["cpu_model"] = model
	g["cpu_flags"] = flags
}

// memData is _linux_memdata: MemTotal and SwapTotal in MiB (KiB floor
// divided by 1024).
func (c *collector) memData() {
	s, ok := c.read("/proc/meminfo")
	if !ok {
		return
	}
	g := c.g
	g["mem_total"] = 0
	g["swap_total"] = 0
	for _, line := range strings.Split(s, "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		switch strings.TrimSpace(key) {
		case "MemTotal":
			g["mem_total"] = n / 1024
		case "SwapTotal":
			g["swap_total"] = n / 1024
		}
	}
}

// hwData is the Linux branch of _hw_data: firmware data from
// /sys/class/dmi/id. Files the minion may not read (serial, uuid as a
// non-root user) are left out.
func (c *collector) hwData() {
	if !c.exists("/sys/class/dmi/id") {
		return
	}
	files := []struct{ grain, file string }{
		{"biosversion", "bios_version"},
		{"biosvendor", "bios_vendor"},
		{"boardname", "board_name"},
		{"productname", "product_name"},
		{"manufacturer", "sys_vendor"},
		{"biosreleasedate", "bios_date"},
		{"uuid", "product_uuid"},
		{"serialnumber", "product_serial"},
	}
	for _, f := range files {
		s, ok := c.read("/sys/class/dmi/id/" + f.file)
		if !ok {
			continue
		}
		s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
		if f.grain == "uuid" {
			s = strings.ToLower(s)
		}
		c.g[f.grain] = s
	}
}

// dmiVendors is systemd-detect-virt's DMI table (src/basic/virt.c): the
// first of these prefixes found in the DMI vendor and product files names
// the hypervisor. Salt runs systemd-detect-virt first; this reads the same
// files instead of running it.
var dmiVendors = []struct{ prefix, virt string }{
	{"KVM", "kvm"}, {"OpenStack", "kvm"}, {"KubeVirt", "kvm"}, {"Amazon EC2", "amazon"},
	{"QEMU", "qemu"}, {"VMware", "vmware"}, {"VMW", "vmware"}, {"innotek GmbH", "oracle"},
	{"VirtualBox", "oracle"}, {"Xen", "xen"}, {"Bochs", "bochs"}, {"Parallels", "parallels"},
	{"BHYVE", "bhyve"}, {"Hyper-V", "microsoft"}, {"Apple Virtualization", "apple"},
	{"Google Compute Engine", "google"},
}

var envIDRE = regexp.MustCompile(`^envID:\s+(\d+)$`)

// virtual is _virtual for Linux without running commands: the DMI check
// systemd-detect-virt would make, mapped as Salt maps that tool's answer,
// then the file checks Salt itself makes (OpenVZ, Xen, QEMU CPU, DMI
// product name, container cgroups and environment, chroot). Each check
// may overrule the ones before it, so their order is Salt's.
func (c *collector) virtual() {
	v := virtGuess{virt: "physical"}
	for _, check := range []func(*virtGuess){
		c.dmiVirt, c.chrootVirt, c.openvzVirt, c.xenVirt, c.productVirt, c.containerVirt,
	} {
		check(&v)
	}
	if v.subtype != "" && v.virt == "physical" {
		v.virt = "virtual"
	}
	c.g["virtual"] = v.virt
	if v.subtype != "" {
		c.g["virtual_subtype"] = v.subtype
	}
}

// virtGuess is the virtual and virtual_subtype grains as the checks find
// them; an empty subtype is none.
type virtGuess struct{ virt, subtype string }

// virtMark is a text that, found in a file, names the virtualization:
// virt and subtype, each when not "".
type virtMark struct{ text, virt, subtype string }

// mark applies the first of marks whose text s contains.
func (v *virtGuess) mark(s string, marks []virtMark) {
	for _, m := range marks {
		if !strings.Contains(s, m.text) {
			continue
		}
		if m.virt != "" {
			v.virt = m.virt
		}
		if m.subtype != "" {
			v.subtype = m.subtype
		}
		return
	}
}

// dmiVirt maps systemd-detect-virt's answer as Salt does.
func (c *collector) dmiVirt(v *virtGuess) {
	switch d := c.detectDMIVirt(); d {
	case "qemu", "kvm", "oracle", "xen", "bochs":
		v.virt = d
	case "vmware":
		v.virt = "VMware"
	case "microsoft":
		v.virt = "VirtualPC"
	case "amazon":
		v.virt, v.subtype = "Nitro", "Amazon EC2"
	}
}

// chrootVirt: a root that is not init's root is a chroot.
func (c *collector) chrootVirt(v *virtGuess) {
	if !c.isDir("/proc") {
		return
	}
	var root, initRoot syscall.Stat_t
	if syscall.Stat(c.path("/"), &root) == nil && syscall.Stat(c.path("/proc/1/root/."), &initRoot) == nil {
		if root.Dev != initRoot.Dev || root.Ino != initRoot.Ino {
			v.subtype = "chroot"
		}
	}
}

// openvzVirt tells an OpenVZ host node from a container, by /proc/vz and
// by the envID in /proc/self/status.
func (c *collector) openvzVirt(v *virtGuess) {
	if c.isDir("/proc/vz") {
		if c.isFile("/proc/vz/version") {
			v.virt = "openvzhn"
		} else if c.isFile("/proc/vz/veinfo") {
			v.virt = "openvzve"
		}
	}
	s, ok := c.read("/proc/self/status")
	if !ok {
		return
	}
	for _, line := range strings.Split(s, "\n") {
		if m := envIDRE.FindStringSubmatch(line); m != nil {
			if m[1] != "0" && strings.TrimLeft(m[1], "0") != "" {
				v.virt = "openvzve"
			} else {
				v.virt = "openvzhn"
			}
		}
	}
}

// xenVirt tells Xen's dom0 from its guests.
func (c *collector) xenVirt(v *virtGuess) {
	if !c.isDir("/proc/sys/xen") && !c.isDir("/sys/bus/xen") && !c.isDir("/proc/xen") {
		return
	}
	if c.isFile("/proc/xen/xsd_kva") {
		v.subtype = "Xen Dom0"
	} else if c.g["productname"] == "HVM domU" {
		v.subtype = "Xen HVM DomU"
	} else if s, ok := c.read("/proc/xen/capabilities"); ok {
		if !strings.Contains(s, "control_d") {
			v.subtype = "Xen PV DomU"
		} else {
			v.subtype = "Xen Dom0"
		}
	} else if c.isDir("/sys/bus/xen") && c.isDir("/sys/bus/xen/drivers/xenconsole") {
		v.subtype = "Xen PV DomU"
	}
	if strings.Contains(strings.ToLower(v.subtype), "dom") {
		v.virt = "xen"
	}
}

var productMarks = []virtMark{
	{"VirtualBox", "VirtualBox", ""}, {"RHEV Hypervisor", "kvm", "rhev"}, {"oVirt Node", "kvm", "ovirt"},
	{"Google", "gce", ""}, {"BHYVE", "bhyve", ""},
}

// productVirt reads the QEMU CPU model and the DMI product name.
func (c *collector) productVirt(v *virtGuess) {
	if s, ok := c.read("/proc/cpuinfo"); ok && strings.Contains(s, "QEMU Virtual CPU") {
		v.virt = "kvm"
	}
	if s, ok := c.read("/sys/devices/virtual/dmi/id/product_name"); ok {
		v.mark(s, productMarks)
	}
}

var cgroupMarks = []virtMark{
	{":/lxc/", "container", "LXC"}, {":/kubepods/", "", "kubernetes"}, {":/libpod_parent/", "", "libpod"},
	{":/system.slice/docker", "container", "Docker"}, {":/docker/", "container", "Docker"},
	{":/docker-ce/", "container", "Docker"},
}

// containerVirt reads init's cgroups and, for LXC, its environment.
func (c *collector) containerVirt(v *virtGuess) {
	if s, ok := c.read("/proc/1/cgroup"); ok {
		v.mark(s, cgroupMarks)
	}
	if v.subtype != "LXC" {
		if b, err := os.ReadFile(c.path("/proc/1/environ")); err == nil && bytes.Contains(b, []byte("container=lxc")) {
			v.virt, v.subtype = "container", "LXC"
		}
	}
}

func (c *collector) detectDMIVirt() string {
	for _, f := range []string{"product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"} {
		s, ok := c.read("/sys/class/dmi/id/" + f)
		if !ok {
			continue
		}
		for _, v := range dmiVendors {
			if strings.HasPrefix(s, v.prefix) {
				return v.virt
			}
		}
	}
	return ""
}

// initSystem is _linux_init_system: systemd when /run/systemd/system
// exists; else judged from PID 1's command line: an init binary is
// searched for the names of the init systems it may be, and a few
// container inits are recognised by name.
func (c *collector) initSystem() string {
	if c.exists("/run/systemd/system") {
		return "systemd"
	}
	s, ok := c.read("/proc/1/cmdline")
	if !ok {
		return "unknown"
	}
	argv := strings.Fields(strings.ReplaceAll(s, "\x00", " "))
	if len(argv) == 0 {
		return "unknown"
	}
	if bin := c.which(argv[0]); bin != "" && strings.HasSuffix(bin, "bin/init") {
		if b, err := os.ReadFile(c.path(bin)); err == nil {
			lower := bytes.ToLower(b)
			for _, name := range []string{"upstart", "sysvinit", "systemd"} {
				if bytes.Contains(lower, []byte(name)) {
					return name
				}
			}
		}
		return "unknown"
	}
	for _, a := range argv {
		switch filepath.Base(a) {
		case "supervisord":
			return "supervisord"
		case "dumb-init":
			return "dumb-init"
		case "tini":
			return "tini"
		}
	}
	if len(argv) == 1 && argv[0] == "runit" {
		return "runit"
	}
	for _, a := range argv {
		if a == "/sbin/my_init" {
			return "runit"
		}
	}
	return "unknown"
}

// which resolves a command as salt.utils.path.which does: an absolute path
// must be an executable file, a bare name is looked up along PATH. Paths
// are returned as seen inside the root.
func (c *collector) which(name string) string {
	executable := func(p string) bool {
		fi, err := os.Stat(c.path(p))
		return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
	}
	if strings.Contains(name, "/") {
		if executable(name) {
			return name
		}
		return ""
	}
	path := c.getenv("PATH")
	if path == "" {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); executable(p) {
			return p
		}
	}
	return ""
}
