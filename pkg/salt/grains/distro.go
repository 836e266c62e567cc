package grains

import (
	"os"
	"regexp"
	"sort"
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
	lsbLineRE         = regexp.MustCompile(`^(DISTRIB_(?:ID|RELEASE|CODENAME|DESCRIPTION))=(?:'|")?([\w\s.\-_]+)(?:'|")?`)
	// distro's _DISTRO_RELEASE_CONTENT_REVERSED_PATTERN, applied to the
	// reversed first line of a /etc/*-release file.
	distroReleaseReversedRE = regexp.MustCompile(`^(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)`)
	distroReleaseNameRE     = regexp.MustCompile(`^(\w+)[-_](release|version)$`)
	distroCodenameRE        = regexp.MustCompile(`\((\D+)\)|,\s*(\D+)`)
	centosReleaseRE         = regexp.MustCompile(`\d+\.\d+`)
	centosCodenameRE        = regexp.MustCompile(`\((.*?)\)`)
)

var distroReleaseIgnore = map[string]bool{
	"debian_version": true, "lsb-release": true, "oem-release": true, "os-release": true,
	"system-release": true, "plesk-release": true, "iredmail-release": true,
	"board-release": true, "ec2_version": true,
}

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

// legacyDistroData is _legacy_linux_distribution_data as it runs without
// Python's lsb_release module: lsb_distrib_* come from /etc/lsb-release,
// else from os-release, else from /etc/centos-release; the release and
// codename then come from them, or from what the distro library would
// find (the most precise version of all sources).
func (c *collector) legacyDistroData(rel map[string]string) {
	g := c.g
	delete(g, "osrelease")
	lsb := map[string]string{}
	if s, ok := c.read("/etc/lsb-release"); ok {
		for _, line := range strings.Split(s, "\n") {
			if m := lsbLineRE.FindStringSubmatch(line); m != nil {
				lsb["lsb_"+strings.ToLower(m[1])] = strings.TrimRightFunc(m[2], unicode.IsSpace)
			}
		}
	}
	lsbFile := make(map[string]string, len(lsb))
	for k, v := range lsb {
		lsbFile[k] = v
	}
	if strings.HasPrefix(strings.ToLower(lsb["lsb_distrib_description"]), "antergos") {
		g["osfullname"] = "Antergos Linux"
	} else if _, ok := lsb["lsb_distrib_id"]; !ok {
		switch {
		case rel != nil:
			lsb["lsb_distrib_id"] = strings.TrimSpace(rel["NAME"])
			if v, ok := rel["VERSION_ID"]; ok {
				lsb["lsb_distrib_release"] = v
			}
			if v, ok := rel["VERSION_CODENAME"]; ok {
				lsb["lsb_distrib_codename"] = v
			} else if v, ok := rel["PRETTY_NAME"]; ok {
				lsb["lsb_distrib_codename"] = v
			}
			if cpe := parseCPE(rel["CPE_NAME"]); cpe != nil {
				vendor := strings.ToLower(cpe["vendor"])
				if vendor == "suse" || vendor == "opensuse" {
					g["os"] = "SUSE"
					if rel["NAME"] == "openSUSE Leap" {
						g["osfullname"] = "Leap"
					} else if rel["VERSION"] == "Tumbleweed" {
						g["osfullname"] = rel["VERSION"]
					}
					if cpe["version"] != "" && cpe["vendor"] == "opensuse" {
						lsb["lsb_distrib_release"] = cpe["version"]
					}
				}
			}
		case c.isFile("/etc/centos-release"):
			lsb["lsb_distrib_id"] = "CentOS"
			s, _ := c.read("/etc/centos-release")
			for _, line := range strings.Split(s, "\n") {
				if m := centosReleaseRE.FindString(line); m != "" {
					lsb["lsb_distrib_release"] = m
				}
				if m := centosCodenameRE.FindStringSubmatch(line); m != nil {
					lsb["lsb_distrib_codename"] = m[1]
				}
			}
		}
	}
	name, version, codename := c.distroInfo(rel, lsbFile)
	if _, ok := g["osfullname"]; !ok {
		if strings.HasPrefix(strings.ToLower(lsb["lsb_distrib_id"]), "nilrt") {
			g["osfullname"] = "nilrt"
		} else if v, ok := lsb["lsb_distrib_id"]; ok {
			g["osfullname"] = strings.TrimSpace(v)
		} else {
			g["osfullname"] = strings.TrimSpace(name)
		}
	}
	// CentOS 7 and 8 name only the major release in os-release; Salt then
	// takes the full one (7.9.2009) from /etc/centos-release.
	cn := lsb["lsb_distrib_codename"]
	if strings.Contains(cn, "CentOS Linux 7") || strings.Contains(cn, "CentOS Linux 8") {
		delete(lsb, "lsb_distrib_release")
	}
	if v, ok := lsb["lsb_distrib_release"]; ok {
		setNonEmpty(g, "osrelease", strings.TrimSpace(v))
	} else {
		setNonEmpty(g, "osrelease", strings.TrimSpace(version))
	}
	os, _ := g["os"].(string)
	if cn != "" && (strings.Contains(os, "Rocky") || strings.Contains(os, "AlmaLinux") || strings.Contains(os, "AstraLinuxSE")) {
		if _, rest, ok := strings.Cut(cn, "("); ok {
			inner, _, _ := strings.Cut(rest, ")")
			if os == "AstraLinuxSE" {
				if f := strings.Fields(inner); len(f) > 0 {
					inner = strings.ToLower(f[0])
				}
			}
			lsb["lsb_distrib_codename"] = inner
		}
	}
	oscodename := strings.TrimSpace(lsb["lsb_distrib_codename"])
	if oscodename == "" || strings.Contains(oscodename, "Red Hat") {
		oscodename = codename
	}
	setNonEmpty(g, "oscodename", oscodename)
	if _, ok := g["os"]; !ok {
		full, _ := g["osfullname"].(string)
		if full != "" {
			g["os"] = deriveOS(full, "")
		}
	}
	if os, ok := g["os"].(string); ok {
		if fam, ok := osFamilyMap[os]; ok {
			g["os_family"] = fam
		} else {
			g["os_family"] = os
		}
	}
	for k, v := range lsb {
		g[k] = v
	}
}

// parseCPE is _parse_cpe_name, reduced to what the caller uses.
func parseCPE(cpe string) map[string]string {
	parts := strings.Split(cpe, ":")
	if len(parts) <= 4 || parts[0] != "cpe" {
		return nil
	}
	star := func(s string) string {
		if s == "*" {
			return ""
		}
		return s
	}
	switch {
	case strings.HasPrefix(parts[1], "/"):
		return map[string]string{"vendor": parts[2], "product": parts[3], "version": parts[4]}
	case parts[1] == "2.3" && len(parts) >= 6 && len(parts) <= 13 && len(parts) != 7:
		return map[string]string{"vendor": star(parts[3]), "product": star(parts[4]), "version": star(parts[5])}
	}
	return nil
}

// distroInfo is what Salt's linux_distribution() gets from the distro
// library: the name, the most precise version of all sources (os-release,
// lsb, the distro release file, the pretty name), and the codename
// (os-release's own, else lsb's, else the distro release file's). lsb is
// what /etc/lsb-release says, standing in for the lsb_release command.
func (c *collector) distroInfo(rel, lsb map[string]string) (name, version, codename string) {
	file := c.distroReleaseFile()
	name = rel["NAME"]
	if name == "" {
		name = lsb["lsb_distrib_id"]
	}
	if name == "" {
		name = file["name"]
	}
	candidates := []string{
		rel["VERSION_ID"],
		lsb["lsb_distrib_release"],
		file["version_id"],
		parseDistroReleaseContent(rel["PRETTY_NAME"])["version_id"],
		parseDistroReleaseContent(lsb["lsb_distrib_description"])["version_id"],
	}
	for _, v := range candidates {
		if version == "" || strings.Count(v, ".") > strings.Count(version, ".") {
			version = v
		}
	}
	switch {
	case rel["VERSION_CODENAME"] != "":
		codename = rel["VERSION_CODENAME"]
	case rel["UBUNTU_CODENAME"] != "":
		codename = rel["UBUNTU_CODENAME"]
	case rel["VERSION"] != "":
		if m := distroCodenameRE.FindStringSubmatch(rel["VERSION"]); m != nil {
			codename = m[1] + m[2]
		}
	}
	if codename == "" {
		codename = lsb["lsb_distrib_codename"]
	}
	if codename == "" {
		codename = file["codename"]
	}
	return strings.Trim(strings.Trim(name, `"`), "'"), strings.Trim(strings.Trim(version, `"`), "'"), strings.Trim(strings.Trim(codename, `"`), "'")
}

// distroReleaseFile finds /etc/<name>-release the way the distro library
// does: the first file by sorted name whose first line names something.
func (c *collector) distroReleaseFile() map[string]string {
	entries, err := os.ReadDir(c.path("/etc"))
	if err != nil {
		return map[string]string{}
	}
	var names []string
	for _, e := range entries {
		if !distroReleaseIgnore[e.Name()] && distroReleaseNameRE.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if !c.isFile("/etc/" + n) {
			continue
		}
		s, ok := c.read("/etc/" + n)
		if !ok {
			continue
		}
		first, _, _ := strings.Cut(s, "\n")
		info := parseDistroReleaseContent(first)
		if info["name"] != "" {
			return info
		}
	}
	return map[string]string{}
}

func parseDistroReleaseContent(line string) map[string]string {
	line = strings.TrimSpace(line)
	info := map[string]string{}
	if m := distroReleaseReversedRE.FindStringSubmatch(reverse(line)); m != nil {
		info["name"] = reverse(m[3])
		if m[2] != "" {
			info["version_id"] = reverse(m[2])
		}
		if m[1] != "" {
			info["codename"] = reverse(m[1])
		}
	} else if line != "" {
		info["name"] = line
	}
	return info
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
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
