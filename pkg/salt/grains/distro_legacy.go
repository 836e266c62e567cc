package grains

import (
	"maps"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// The legacy path of the distribution grains: what Salt reads when
// os-release alone does not decide (_legacy_linux_distribution_data and
// the parts of the distro library it relies on).

var (
	lsbLineRE = regexp.MustCompile(`^(DISTRIB_(?:ID|RELEASE|CODENAME|DESCRIPTION))=(?:'|")?([\w\s.\-_]+)(?:'|")?`)
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

// legacyDistroData is _legacy_linux_distribution_data as it runs without
// Python's lsb_release module: lsb_distrib_* come from /etc/lsb-release,
// else from os-release, else from /etc/centos-release; the release and
// codename then come from them, or from what the distro library would
// find (the most precise version of all sources).
func (c *collector) legacyDistroData(rel map[string]string) {
	delete(c.g, "osrelease")
	lsbFile := c.lsbRelease()
	lsb := maps.Clone(lsbFile)
	c.lsbFallback(lsb, rel)
	name, version, codename := c.distroInfo(rel, lsbFile)
	c.legacyFullname(lsb, name)
	c.legacyRelease(lsb, version)
	c.legacyCodename(lsb, codename)
	c.legacyOS()
	for k, v := range lsb {
		c.g[k] = v
	}
}

// lsbRelease is what /etc/lsb-release says, standing in for the
// lsb_release command: lsb_distrib_id, _release, _codename and
// _description as they are set.
func (c *collector) lsbRelease() map[string]string {
	lsb := map[string]string{}
	if s, ok := c.read("/etc/lsb-release"); ok {
		for _, line := range strings.Split(s, "\n") {
			if m := lsbLineRE.FindStringSubmatch(line); m != nil {
				lsb["lsb_"+strings.ToLower(m[1])] = strings.TrimRightFunc(m[2], unicode.IsSpace)
			}
		}
	}
	return lsb
}

// lsbFallback fills lsb_distrib_* when /etc/lsb-release names no
// distribution: from os-release, else from /etc/centos-release. Antergos
// is recognised by its description alone.
func (c *collector) lsbFallback(lsb, rel map[string]string) {
	if strings.HasPrefix(strings.ToLower(lsb["lsb_distrib_description"]), "antergos") {
		c.g["osfullname"] = "Antergos Linux"
		return
	}
	if _, ok := lsb["lsb_distrib_id"]; ok {
		return
	}
	switch {
	case rel != nil:
		c.lsbFromOSRelease(lsb, rel)
	case c.isFile("/etc/centos-release"):
		c.lsbFromCentOS(lsb)
	}
}

// lsbFromOSRelease takes lsb_distrib_* from os-release; a SUSE CPE also
// sets os, osfullname and (openSUSE) the release.
func (c *collector) lsbFromOSRelease(lsb, rel map[string]string) {
	g := c.g
	lsb["lsb_distrib_id"] = strings.TrimSpace(rel["NAME"])
	if v, ok := rel["VERSION_ID"]; ok {
		lsb["lsb_distrib_release"] = v
	}
	if v, ok := rel["VERSION_CODENAME"]; ok {
		lsb["lsb_distrib_codename"] = v
	} else if v, ok := rel["PRETTY_NAME"]; ok {
		lsb["lsb_distrib_codename"] = v
	}
	cpe := parseCPE(rel["CPE_NAME"])
	if cpe == nil {
		return
	}
	if vendor := strings.ToLower(cpe["vendor"]); vendor != "suse" && vendor != "opensuse" {
		return
	}
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

// lsbFromCentOS takes lsb_distrib_* from /etc/centos-release.
func (c *collector) lsbFromCentOS(lsb map[string]string) {
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

// legacyFullname sets osfullname, unless set already: lsb's id (nilrt
// for NI Linux RT), else the distro library's name.
func (c *collector) legacyFullname(lsb map[string]string, name string) {
	g := c.g
	if _, ok := g["osfullname"]; ok {
		return
	}
	if strings.HasPrefix(strings.ToLower(lsb["lsb_distrib_id"]), "nilrt") {
		g["osfullname"] = "nilrt"
	} else if v, ok := lsb["lsb_distrib_id"]; ok {
		g["osfullname"] = strings.TrimSpace(v)
	} else {
		g["osfullname"] = strings.TrimSpace(name)
	}
}

// legacyRelease sets osrelease: lsb's release, else the distro library's
// version.
func (c *collector) legacyRelease(lsb map[string]string, version string) {
	// CentOS 7 and 8 name only the major release in os-release; Salt then
	// takes the full one (7.9.2009) from /etc/centos-release.
	cn := lsb["lsb_distrib_codename"]
	if strings.Contains(cn, "CentOS Linux 7") || strings.Contains(cn, "CentOS Linux 8") {
		delete(lsb, "lsb_distrib_release")
	}
	if v, ok := lsb["lsb_distrib_release"]; ok {
		setNonEmpty(c.g, "osrelease", strings.TrimSpace(v))
	} else {
		setNonEmpty(c.g, "osrelease", strings.TrimSpace(version))
	}
}

// legacyCodename sets oscodename: lsb's codename (for Rocky, AlmaLinux
// and Astra the part in parentheses), else the distro library's.
func (c *collector) legacyCodename(lsb map[string]string, codename string) {
	cn := lsb["lsb_distrib_codename"]
	os, _ := c.g["os"].(string)
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
	setNonEmpty(c.g, "oscodename", oscodename)
}

// legacyOS sets os from osfullname unless set, and os_family from os.
func (c *collector) legacyOS() {
	g := c.g
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
