package job

import (
	"math/rand"
	"strings"
	"testing"
)

// The arguments plainText lets past the YAML parser are those the parser
// reads as themselves; numbers, short words and anything with an
// indicator still go through it.
func TestPlainTextIsWhatYAMLReads(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	const alphabets = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=._-"
	for _, chars := range []string{alphabets, "0123456789abcdefxXoOeE+-._", "0123456789g", "-.+/=0123456789eE"} {
		for range 3000 {
			b := make([]byte, 64+rng.Intn(200))
			for i := range b {
				b[i] = chars[rng.Intn(len(chars))]
			}
			arg := string(b)
			if !plainText(arg) {
				continue
			}
			v, err := safeLoad(arg)
			if err != nil || v != arg {
				t.Fatalf("plainText(%q), but YAML reads %#v (%v)", arg, v, err)
			}
		}
	}
	for _, arg := range []string{strings.Repeat("1", 80), "0x" + strings.Repeat("f", 80), strings.Repeat("1", 70) + "e5",
		"a: " + strings.Repeat("b", 80), strings.Repeat("x", 63), "[" + strings.Repeat("y", 80) + "]", strings.Repeat("z", 70) + " #c"} {
		if plainText(arg) {
			t.Errorf("plainText(%.20q...) is true", arg)
		}
	}
}
