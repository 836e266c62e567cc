package output

import "testing"

// TestAnalyzeScalar: the analysis PyYAML 6.0.3's Emitter.analyze_scalar
// (allow_unicode) makes of each text, generated with it.
func TestAnalyzeScalar(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want scalarAnalysis
	}{
		{"", scalarAnalysis{true, false, false, true, true, false}},
		{"a", scalarAnalysis{false, false, true, true, true, true}},
		{" a", scalarAnalysis{false, false, false, false, true, true}},
		{"a ", scalarAnalysis{false, false, false, false, true, false}},
		{"a\n b", scalarAnalysis{false, true, false, false, false, true}},
		{"a \nb", scalarAnalysis{false, true, false, false, false, false}},
		{"\na", scalarAnalysis{false, true, false, false, true, true}},
		{"a\n", scalarAnalysis{false, true, false, false, true, true}},
		{"- a", scalarAnalysis{false, false, false, false, true, true}},
		{"-a", scalarAnalysis{false, false, true, true, true, true}},
		{"a: b", scalarAnalysis{false, false, false, false, true, true}},
		{"a:b", scalarAnalysis{false, false, false, true, true, true}},
		{"#x", scalarAnalysis{false, false, false, false, true, true}},
		{"a #b", scalarAnalysis{false, false, false, false, true, true}},
		{"a#b", scalarAnalysis{false, false, true, true, true, true}},
		{"---x", scalarAnalysis{false, false, false, false, true, true}},
		{"? x", scalarAnalysis{false, false, false, false, true, true}},
		{":x", scalarAnalysis{false, false, false, true, true, true}},
		{"[x", scalarAnalysis{false, false, false, false, true, true}},
		{"a,b", scalarAnalysis{false, false, false, true, true, true}},
		{"a\tb", scalarAnalysis{false, false, false, false, false, false}},
		{"\u00e9", scalarAnalysis{false, false, true, true, true, true}},
		{"\u0007", scalarAnalysis{false, false, false, false, false, false}},
		{"\ufeff", scalarAnalysis{false, false, false, false, false, false}},
		{"a\u2028b", scalarAnalysis{false, true, false, false, true, true}},
		{"x:", scalarAnalysis{false, false, false, false, true, true}},
		{"yes", scalarAnalysis{false, false, true, true, true, true}},
	} {
		if got := analyzeScalar(tc.s); got != tc.want {
			t.Errorf("analyzeScalar(%q) = %+v, want %+v", tc.s, got, tc.want)
		}
	}
}
