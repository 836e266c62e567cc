package runner

import "testing"

// TestCompareVersions: Salt's SaltStackVersion comparison as
// manage.versions labels minions by it.
func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"3006.3", "3006.3", 0},
		{"3006.3", "3006.3.0", 0},
		{"2018.3.0", "3006.3", -1},
		{"3007.0", "3006.3", 1},
		{"3006.10", "3006.9", 1},
		{"3007.0rc1", "3007.0", -1},
		{"3007.0rc2", "3007.0rc1", 1},
	} {
		a, b := parseVersion(tc.a), parseVersion(tc.b)
		if a == nil || b == nil {
			t.Fatalf("parseVersion(%q or %q) = nil", tc.a, tc.b)
		}
		if got := compareVersions(a, b); got != tc.want {
			t.Errorf("compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if again := compareVersions(a, b); again != tc.want {
			t.Errorf("compare(%s, %s) changed its operands: %d the second time", tc.a, tc.b, again)
		}
	}
	if v := parseVersion("not a version"); v != nil {
		t.Errorf("parseVersion(junk) = %v, want nil", v)
	}
}
