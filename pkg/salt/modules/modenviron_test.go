package modules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestEnviron: setval changes the process's environment, which get and
// a command the job runs then see.
func TestEnviron(t *testing.T) {
	const key = "SALTRAET_T_ENVIRON"
	t.Cleanup(func() { os.Unsetenv(key) })
	e := New(Options{})
	wantOK(t, run(e, "environ.get", key, kw("default", "none")), "none")
	wantOK(t, run(e, "environ.setval", key, "v1"), "v1")
	wantOK(t, run(e, "environ.get", key), "v1")
	wantOK(t, run(e, "cmd.run", "echo $"+key), "v1")
	wantOK(t, run(e, "environ.has_value", key, "v1"), true)
	wantOK(t, run(e, "environ.has_value", key, "v2"), false)
	wantOK(t, run(e, "environ.item", []any{key, "SALTRAET_T_NONE"}), body.Map{{Key: key, Value: "v1"}, {Key: "SALTRAET_T_NONE", Value: ""}})
	// False sets "", or unsets with false_unsets (returning None).
	wantOK(t, run(e, "environ.setval", key, false), "")
	if v, ok := os.LookupEnv(key); !ok || v != "" {
		t.Errorf("after setval False: %q %v", v, ok)
	}
	wantOK(t, run(e, "environ.setval", key, false, kw("false_unsets", true)), nil)
	if _, ok := os.LookupEnv(key); ok {
		t.Errorf("false_unsets left %s set", key)
	}
	// A value that is neither a string nor False is refused.
	r := run(e, "environ.setval", key, int64(3))
	if r.Return != false {
		t.Errorf("setval 3 = %#v", r.Return)
	}
	wantOK(t, run(e, "environ.get", int64(3)), false)
}

// TestTimezoneAndLocale: without systemd the zone and the locale are read
// from the os_family's files (temp files here).
func TestTimezoneAndLocale(t *testing.T) {
	dir := t.TempDir()
	restore := []*string{&systemdRunDir, &tzEtcTimezone, &tzEtcLocaltime, &tzSysconfig}
	saved := make([]string, len(restore))
	for i, p := range restore {
		saved[i] = *p
	}
	savedLocale := localeFiles["Debian"]
	t.Cleanup(func() {
		for i, p := range restore {
			*p = saved[i]
		}
		localeFiles["Debian"] = savedLocale
	})
	systemdRunDir = filepath.Join(dir, "no-systemd")
	tzEtcTimezone = filepath.Join(dir, "timezone")
	tzEtcLocaltime = filepath.Join(dir, "localtime")
	tzSysconfig = filepath.Join(dir, "clock")
	localeFiles["Debian"] = struct{ path, prefix string }{filepath.Join(dir, "locale"), "LANG="}
	grains := map[string]any{"os": "Debian", "os_family": "Debian", "oscodename": "bookworm"}
	e := New(Options{Grains: func() map[string]any { return grains }})

	wantError(t, run(e, "timezone.get_zone"), "ERROR: Problem reading timezone file "+tzEtcTimezone+": No such file or directory")
	os.WriteFile(tzEtcTimezone, []byte("Europe/Berlin\n"), 0o644)
	wantOK(t, run(e, "timezone.get_zone"), "Europe/Berlin")
	grains["os"], grains["os_family"] = "CentOS", "RedHat"
	os.Symlink("/usr/share/zoneinfo/America/Denver", tzEtcLocaltime)
	wantOK(t, run(e, "timezone.get_zone"), "America/Denver")
	grains["os"] = "Fedora"
	os.WriteFile(tzSysconfig, []byte("# ZONE=no\nZONE=\"Asia/Tokyo\"\n"), 0o644)
	wantOK(t, run(e, "timezone.get_zone"), "Asia/Tokyo")

	grains["os"], grains["os_family"] = "Debian", "Debian"
	wantOK(t, run(e, "locale.get_locale"), "")
	os.WriteFile(localeFiles["Debian"].path, []byte("# x\nLANG=\"de_DE.UTF-8\"\nLANGUAGE=de\n"), 0o644)
	wantOK(t, run(e, "locale.get_locale"), "de_DE.UTF-8")
	grains["os_family"] = "Plan9"
	wantError(t, run(e, "locale.get_locale"), `ERROR: Error: "bookworm" is unsupported!`)
}
