package modules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The files timezone.get_zone and locale.get_locale read, by os_family as
// salt/modules/timezone.py and localemod.py choose them. Tests point them
// at temp files; the minion never changes them.
var (
	systemdRunDir  = "/run/systemd/system"
	tzEtcTimezone  = "/etc/timezone"
	tzEtcLocaltime = "/etc/localtime"
	tzSysconfig    = "/etc/sysconfig/clock"
)

// timezoneFuncs is timezone.get_zone. Salt asks timedatectl whenever it is
// installed, which fails on a host not booted with systemd; here
// timedatectl is asked only when systemd runs, the files otherwise.
func timezoneFuncs() []Func {
	return []Func{{
		Name: "timezone.get_zone",
		Doc:  "Get current timezone (i.e. America/Denver).\n\nCLI Example: salt '*' timezone.get_zone",
		Call: func(c *Call) (any, error) { return getZone(c) },
	}}
}

func systemdBooted() bool {
	_, err := os.Stat(systemdRunDir)
	return err == nil
}

var timedatectlZone = regexp.MustCompile(`^Time ?zone:\s+(\S+)`)

func getZone(c *Call) (any, error) {
	if systemdBooted() && lookPath("timedatectl", os.Getenv("PATH")) != "" {
		out, stderr, rc, err := hostRun(c.Ctx, "timedatectl")
		if err != nil || rc != 0 {
			return nil, cmdErr("timedatectl failed: %s", strings.TrimSpace(stderr))
		}
		for _, line := range strings.Split(out, "\n") {
			if m := timedatectlZone.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				return m[1], nil
			}
		}
		return nil, cmdErr("Failed to parse timedatectl output: %s\nPlease file an issue with SaltStack", out)
	}
	g := c.Grains()
	family := py.Str(g["os_family"])
	switch {
	case strings.ToLower(py.Str(g["os"])) == "centos":
		return zoneEtcLocaltime()
	case strings.Contains(family, "RedHat") || strings.Contains(family, "Suse"):
		return zoneSysconfig()
	case strings.Contains(family, "Debian") || strings.Contains(family, "Gentoo"):
		data, err := os.ReadFile(tzEtcTimezone)
		if err != nil {
			return nil, cmdErr("Problem reading timezone file %s: %s", tzEtcTimezone, pyStrerror(err))
		}
		return strings.TrimSpace(string(data)), nil
	case family == "FreeBSD" || family == "OpenBSD" || family == "NetBSD" || family == "NILinuxRT" || family == "Slackware":
		return zoneEtcLocaltime()
	}
	return nil, cmdErr("Unable to get timezone")
}

// pyStrerror is an OSError's strerror: the errno's text alone.
func pyStrerror(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		s := pe.Err.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// zoneEtcLocaltime is _get_zone_etc_localtime for a symlink into
// /usr/share/zoneinfo. A copied zone file (Salt compares hashes with every
// zone) is reported as not found.
func zoneEtcLocaltime() (any, error) {
	const tzdir = "/usr/share/zoneinfo/"
	link, err := os.Readlink(tzEtcLocaltime)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, cmdErr("%s does not exist", tzEtcLocaltime)
		}
		return nil, cmdErr("Unable to determine timezone")
	}
	if !filepath.IsAbs(link) {
		link = filepath.Join(filepath.Dir(tzEtcLocaltime), link)
	}
	if name := filepath.Clean(link); strings.HasPrefix(name, tzdir) {
		return name[len(tzdir):], nil
	}
	return nil, cmdErr("Unable to determine timezone")
}

func zoneSysconfig() (any, error) {
	data, err := os.ReadFile(tzSysconfig)
	if err != nil {
		return nil, &Exception{Type: "FileNotFoundError", Msg: err.Error()}
	}
	comment := regexp.MustCompile(`^\s*#`)
	for _, line := range strings.Split(string(data), "\n") {
		if comment.MatchString(line) {
			continue
		}
		if strings.Contains(line, "ZONE") && strings.Contains(line, "=") {
			parts := strings.Split(line, "=")
			if z := strings.Trim(parts[len(parts)-1], `'"`); z != "" {
				return z, nil
			}
			return "UTC", nil
		}
	}
	return nil, cmdErr("Unable to get timezone from %s", tzSysconfig)
}
