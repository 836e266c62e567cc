package grains

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// osNameMap is core.py _OS_NAME_MAP: the first ten characters (no spaces,
// lowercased) of osfullname, stripped of "Linux", to the os grain.
var osNameMap = map[string]string{
	"redhatente": "RedHat",
	"gentoobase": "Gentoo",
	"archarm":    "Arch ARM",
	"arch":       "Arch",
	"debian":     "Debian",
	"Junos":      "Junos",
	"raspbian":   "Raspbian",
	"fedoraremi": "Fedora",
	"chapeau":    "Chapeau",
	"korora":     "Korora",
	"amazonami":  "Amazon",
	"alt":        "ALT",
	"enterprise": "OEL",
	"oracleserv": "OEL",
	"cloudserve": "CloudLinux",
	"cloudlinux": "CloudLinux",
	"almalinux":  "AlmaLinux",
	"pidora":     "Fedora",
	"scientific": "ScientificLinux",
	"synology":   "Synology",
	"nilrt":      "NILinuxRT",
	"poky":       "Poky",
	"manjaro":    "Manjaro",
	"manjarolin": "Manjaro",
	"univention": "Univention",
	"antergos":   "Antergos",
	"sles":       "SUSE",
	"void":       "Void",
	"slesexpand": "RES",
	"linuxmint":  "Mint",
	"neon":       "KDE neon",
	"pop":        "Pop",
	"rocky":      "Rocky",
	"alibabaclo": "Alinux",
	"mendel":     "Mendel",
}

// idAndNameToOS is core.py _ID_AND_NAME_TO_OS_NAME_MAP.
var idAndNameToOS = map[[2]string]string{
	{"astra", "Astra Linux (Orel)"}:     "AstraLinuxCE",
	{"astra", "Astra Linux (Smolensk)"}: "AstraLinuxSE",
	{"pop", "Pop!_OS"}:                  "Pop",
}

// osFamilyMap is core.py _OS_FAMILY_MAP: the os grain to os_family.
var osFamilyMap = map[string]string{
	"Ubuntu": "Debian", "Fedora": "RedHat", "Chapeau": "RedHat", "Korora": "RedHat",
	"FedBerry": "RedHat", "CentOS": "RedHat", "CentOS Stream": "RedHat", "GoOSe": "RedHat",
	"Scientific": "RedHat", "Amazon": "RedHat", "CloudLinux": "RedHat", "AlmaLinux": "RedHat",
	"OVS": "RedHat", "OEL": "RedHat", "XCP": "RedHat", "XCP-ng": "RedHat", "XenServer": "RedHat",
	"RES": "RedHat", "Sangoma": "RedHat", "VMware Photon OS": "RedHat", "Mandrake": "Mandriva",
	"Mint": "Debian", "VMwareESX": "VMware", "Bluewhite64": "Bluewhite", "Slamd64": "Slackware",
	"SLES": "Suse", "SUSE Enterprise Server": "Suse", "SUSE  Enterprise Server": "Suse",
	"SLED": "Suse", "openSUSE": "Suse", "SUSE": "Suse", "openSUSE Leap": "Suse",
	"openSUSE Tumbleweed": "Suse", "SLES_SAP": "Suse", "Arch ARM": "Arch", "Manjaro": "Arch",
	"Manjaro ARM": "Arch", "Antergos": "Arch", "EndeavourOS": "Arch", "ALT": "RedHat",
	"Trisquel": "Debian", "GCEL": "Debian", "Linaro": "Debian", "elementary OS": "Debian",
	"elementary": "Debian", "Univention": "Debian", "ScientificLinux": "RedHat",
	"Raspbian": "Debian", "Devuan": "Debian", "antiX": "Debian", "Kali": "Debian",
	"Parrot OS": "Debian", "neon": "Debian", "Cumulus": "Debian", "Deepin": "Debian",
	"NILinuxRT": "NILinuxRT", "KDE neon": "Debian", "Void": "Void", "IDMS": "Debian",
	"Funtoo": "Gentoo", "TurnKey": "Debian", "Pop": "Debian", "Rocky": "RedHat",
	"AstraLinuxCE": "Debian", "AstraLinuxSE": "Debian", "Alinux": "RedHat", "Mendel": "Debian",
	"OSMC": "Debian",
}

// osReleaseOnly lists the os-release IDs for which Salt derives the OS
// grains from os-release alone (_linux_distribution_data); for the rest it
// keeps its older heuristics, which also report lsb_distrib_* grains. The
// observed Debian 12 minion (06-grains.items.json) has no lsb_distrib_*
// grains, which is this path.
var osReleaseOnly = map[string]bool{
	"almalinux": true, "astra": true, "debian": true, "linuxmint": true,
	"mendel": true, "pop": true, "rocky": true, "ubuntu": true,
}

var (
	replaceLinuxRE    = regexp.MustCompile(`(?i)\W(?:gnu/)?linux`)
	versionCodenameRE = regexp.MustCompile(`^\d[\d.+\-a-z]* \((.+)\)`)
)

// osRelease reads /etc/os-release, else /usr/lib/os-release, as Python's
// platform.freedesktop_os_release does: NAME, ID and PRETTY_NAME default
// to Linux, linux and Linux; matching outer quotes are removed and the
// five shell-special characters unescaped. ok is false when neither file
// can be read.
func (c *collector) osRelease() (map[string]string, bool) {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		s, ok := c.read(p)
		if !ok {
			continue
		}
		info := map[string]string{"NAME": "Linux", "ID": "linux", "PRETTY_NAME": "Linux"}
		for _, line := range strings.Split(s, "\n") {
			name, value, ok := strings.Cut(line, "=")
			if !ok || name == "" || strings.IndexFunc(name, func(r rune) bool {
				return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}) >= 0 {
				continue
			}
			if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
				value = value[1 : len(value)-1]
			}
			info[name] = unescapeOSRelease(value)
		}
		return info, true
	}
	return nil, false
}

func unescapeOSRelease(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\$\"'`", s[i+1]) >= 0 {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// deriveOS is _derive_os_grain.
func deriveOS(fullname, id string) string {
	if os, ok := idAndNameToOS[[2]string{id, fullname}]; ok {
		return os
	}
	distro := strings.TrimSpace(replaceLinuxRE.ReplaceAllString(fullname, ""))
	short := []rune(strings.ToLower(strings.ReplaceAll(distro, " ", "")))
	if len(short) > 10 {
		short = short[:10]
	}
	if os, ok := osNameMap[string(short)]; ok {
		return os
	}
	return distro
}

// familyID is _family_id: the oldest ancestor named in ID_LIKE, with any
// Debian or Ubuntu descendant counted as Debian.
func familyID(id, idLike string) string {
	if idLike == "" {
		return id
	}
	ids := append([]string{id}, strings.Fields(idLike)...)
	for _, x := range ids {
		if x == "debian" || x == "ubuntu" {
			return "debian"
		}
	}
	return ids[len(ids)-1]
}

// prettifyFamily is _prettify_os_family: fedora is RedHat, anything else
// capitalised as Python's str.capitalize does.
func prettifyFamily(fid string) string {
	if fid == "fedora" {
		return "RedHat"
	}
	r, size := utf8.DecodeRuneInString(fid)
	if r == utf8.RuneError {
		return fid
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(fid[size:])
}

// distroData sets os, os_family, osfullname, osrelease and oscodename the
// way _linux_distribution_data does, and the lsb_distrib_* grains where
// Salt's legacy path reports them.
func (c *collector) distroData() {
	g := c.g
	rel, haveRel := c.osRelease()
	if haveRel {
		fid := familyID(rel["ID"], rel["ID_LIKE"])
		g["os"] = deriveOS(rel["NAME"], rel["ID"])
		g["os_family"] = prettifyFamily(fid)
		g["osfullname"] = strings.TrimSpace(rel["NAME"])
		codename := rel["VERSION_CODENAME"]
		if codename == "" {
			switch rel["ID"] {
			case "astra":
				codename = rel["VARIANT_ID"]
			case "almalinux", "rocky":
				if m := versionCodenameRE.FindStringSubmatch(rel["VERSION"]); m != nil {
					codename = m[1]
				}
			}
		}
		setNonEmpty(g, "oscodename", codename)
		release := rel["VERSION_ID"]
		if release == "" && rel["ID"] == "mendel" {
			if f := strings.Fields(rel["PRETTY_NAME"]); len(f) >= 3 {
				release = f[2]
			}
		}
		setNonEmpty(g, "osrelease", release)
		if osReleaseOnly[rel["ID"]] {
			return
		}
	}
	c.legacyDistroData(rel)
}

func setNonEmpty(g map[string]any, k, v string) {
	if v != "" {
		g[k] = v
	}
}

// osreleaseData is _osrelease_data: osrelease_info (numeric parts as
// ints), osmajorrelease and osfinger.
func osreleaseData(g map[string]any) {
	osrelease, _ := g["osrelease"].(string)
	if osrelease == "" {
		return
	}
	osname, _ := g["os"].(string)
	fullname, _ := g["osfullname"].(string)
	info := []any{}
	for _, p := range strings.Split(osrelease, ".") {
		if isASCIIDigits(p) {
			n, err := strconv.Atoi(p)
			if err == nil {
				info = append(info, n)
				continue
			}
		}
		info = append(info, p)
	}
	g["osrelease_info"] = info
	if n, ok := info[0].(int); ok {
		g["osmajorrelease"] = n
	}
	finger := fullname
	switch osname {
	case "Debian", "FreeBSD", "OpenBSD", "NetBSD", "Mac", "Raspbian":
		finger = osname
	}
	ver := ""
	switch osname {
	case "Ubuntu", "Pop":
		ver = osrelease
	default:
		switch x := info[0].(type) {
		case int:
			ver = strconv.Itoa(x)
		case string:
			ver = x
		}
	}
	g["osfinger"] = finger + "-" + ver
}

func isASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// debianArch maps the machine name to what `dpkg --print-architecture`
// prints, which Salt reports as osarch on Debian-family systems.
var debianArch = map[string]string{
	"x86_64": "amd64", "i386": "i386", "i486": "i386", "i586": "i386", "i686": "i386",
	"aarch64": "arm64", "arm64": "arm64", "armv7l": "armhf", "armv8l": "armhf", "armv6l": "armhf",
	"ppc64le": "ppc64el", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64",
	"mips64": "mips64el", "loongarch64": "loong64", "sparc64": "sparc64",
}

// osarch is _osarch without running dpkg or rpm: Debian families get the
// dpkg name of the machine, everything else (RPM's %{_host_cpu} included)
// the machine name itself.
func osarch(family, cpuarch string) string {
	if family == "Debian" {
		if a, ok := debianArch[cpuarch]; ok {
			return a
		}
	}
	return cpuarch
}
