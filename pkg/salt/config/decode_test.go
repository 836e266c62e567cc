package config

import "testing"

// TestChecks: each shared check refuses what it names, with its message,
// and takes the rest.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{checkPort(0), "port 0 is outside 1-65535"},
		{checkPort(65536), "port 65536 is outside 1-65535"},
		{checkPort(4506), ""},
		{checkNonNegative(-1), "-1 is negative"},
		{checkNonNegative(0), ""},
		{checkAtLeastOne(0), "want at least 1, got 0"},
		{checkAtLeastOne(1), ""},
		{checkPositive(0), "want more than 0 seconds, got 0"},
		{checkPositive(0.5), ""},
		{checkNonNegativeFloat(-0.5), "-0.5 is negative"},
		{checkNonNegativeFloat(0), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("check said %q, want %q", tc.got, tc.want)
		}
	}
}
