package grains

import "testing"

// TestLegacyDistroFallbacks: without os-release, /etc/centos-release names
// the distribution; an Antergos lsb-release names its full name.
func TestLegacyDistroFallbacks(t *testing.T) {
	g := coreAt(fixture(t, map[string]string{
		"etc/centos-release": "CentOS release 6.10 (Final)\n",
	}))
	for k, want := range map[string]any{
		"lsb_distrib_id": "CentOS", "lsb_distrib_release": "6.10", "lsb_distrib_codename": "Final",
		"osfullname": "CentOS", "osrelease": "6.10", "oscodename": "Final", "os": "CentOS", "os_family": "RedHat",
	} {
		if g[k] != want {
			t.Errorf("centos-release only: %s = %#v, want %#v", k, g[k], want)
		}
	}

	g = coreAt(fixture(t, map[string]string{
		"etc/lsb-release": "DISTRIB_ID=Antergos\nDISTRIB_RELEASE=rolling\nDISTRIB_DESCRIPTION=\"Antergos Linux\"\n",
	}))
	for k, want := range map[string]any{
		"osfullname": "Antergos Linux", "lsb_distrib_id": "Antergos", "osrelease": "rolling",
	} {
		if g[k] != want {
			t.Errorf("antergos: %s = %#v, want %#v", k, g[k], want)
		}
	}
}
