package pki

import "strings"

// ColonHex writes a hex digest as Salt 3006 writes fingerprints: pairs of
// digits joined by colons.
func ColonHex(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i:min(i+2, len(h))])
	}
	return b.String()
}
