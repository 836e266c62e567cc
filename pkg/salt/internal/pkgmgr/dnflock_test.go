package pkgmgr

import "testing"

// HoldName against what Salt 3006.3's _get_hold(line, full=False) returns
// for the same lines of `dnf versionlock list` (run by hand with Python).
func TestHoldName(t *testing.T) {
	for line, want := range map[string]string{
		"vim-enhanced-2:7.4.827-1.fc22.*":            "vim-enhanced",
		"!demo-0:1.0-1.*":                            "demo",
		"gcc-c++-0:11.4.1-2.1.el9.*":                 "gcc-c++",
		"python3-dnf-plugin-versionlock-0:4.3.0-1.*": "python3-dnf-plugin-versionlock",
		"Last metadata expiration check: 0:00:01 ago on Mon 07 Dec 2026 12:00:00 PM UTC.": "",
		"# Added lock on Mon Dec  7 12:13:59 2026":                                        "",
	} {
		if got := HoldName(line); got != want {
			t.Errorf("HoldName(%q) = %q, want %q", line, got, want)
		}
	}
}

// VersionlockPlugin is _versionlock_pkg for dnf, with int()'s errors.
func TestVersionlockPlugin(t *testing.T) {
	for _, c := range []struct {
		os, rel, major string
		want           string
	}{
		{"Fedora", "39", "39", "python3-dnf-plugin-versionlock"},
		{"Fedora", "25", "25", "python3-dnf-plugins-extras-versionlock"},
		{"Rocky", "9.3", "9", "python3-dnf-plugin-versionlock"},
		{"CentOS", "7.9", "7", "python2-dnf-plugin-versionlock"},
	} {
		if got, err := VersionlockPlugin(c.os, c.rel, c.major, true, true); got != c.want || err != nil {
			t.Errorf("%s %s: %q, %v; want %q", c.os, c.rel, got, err, c.want)
		}
	}
	if _, err := VersionlockPlugin("Fedora", "Rawhide", "", true, false); err == nil || err.Error() != "ValueError: invalid literal for int() with base 10: 'Rawhide'" {
		t.Errorf("Rawhide: %v", err)
	}
	if _, err := VersionlockPlugin("Rocky", "", "", false, false); err == nil || err.(*PyIntError).Type != "TypeError" {
		t.Errorf("no osmajorrelease: %v", err)
	}
}
