package modules

import (
	"os"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// localeFiles are the files locale.get_locale greps for LANG by os_family
// when systemd does not run (localemod.get_locale).
var localeFiles = map[string]struct{ path, prefix string }{
	"Suse":    {"/etc/sysconfig/language", "RC_LANG"},
	"RedHat":  {"/etc/sysconfig/i18n", "LANG="},
	"Debian":  {"/etc/default/locale", "LANG="},
	"Solaris": {"/etc/default/init", "LANG="},
}

// localeFuncs is locale.get_locale: localectl's System Locale LANG where
// systemd runs, else the LANG line of the os_family's file, as Salt's grep
// and split("=")[1] read it ("" when there is none).
func localeFuncs() []Func {
	return []Func{{
		Name: "locale.get_locale",
		Doc:  "Get the current system locale.\n\nCLI Example: salt '*' locale.get_locale",
		Call: getLocale,
	}}
}

func getLocale(c *Call) (any, error) {
	g := c.Grains()
	family := py.Str(g["os_family"])
	if systemdBooted() && !(family == "Suse" && py.Str(g["osmajorrelease"]) == "12") {
		return localectlLang(c)
	}
	if strings.Contains(family, "Gentoo") {
		return strings.TrimSpace(hostOutput(c.Ctx, "eselect", "--brief", "locale", "show")), nil
	}
	for _, fam := range []string{"Suse", "RedHat", "Debian", "Solaris"} {
		if !strings.Contains(family, fam) {
			continue
		}
		lf := localeFiles[fam]
		data, _ := os.ReadFile(lf.path)
		var hits []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, lf.prefix) {
				hits = append(hits, line)
			}
		}
		parts := strings.Split(strings.TrimRight(strings.Join(hits, "\n"), " \t\r\n"), "=")
		if len(parts) < 2 {
			return "", nil
		}
		return strings.ReplaceAll(parts[1], `"`, ""), nil
	}
	return nil, cmdErr(`Error: "%s" is unsupported!`, py.Str(g["oscodename"]))
}

var localeLine = regexp.MustCompile(`^([A-Z_]+)=(.*)$`)

// localectlLang is _localectl_status()["system_locale"]["LANG"].
func localectlLang(c *Call) (any, error) {
	if lookPath("localectl", os.Getenv("PATH")) == "" {
		return nil, cmdErr(`Unable to find "localectl"`)
	}
	key := ""
	for _, line := range strings.Split(hostOutput(c.Ctx, "localectl", "status"), "\n") {
		data := strings.TrimSpace(line)
		if k, v, ok := strings.Cut(line, ": "); ok {
			key, data = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), " ", "_"), v
		}
		if key == "system_locale" {
			if m := localeLine.FindStringSubmatch(strings.TrimSpace(data)); m != nil && m[1] == "LANG" {
				return m[2], nil
			}
		}
	}
	return "", nil
}
