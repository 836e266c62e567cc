package pki

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Fixed keys: A is a minion's key pair; B changes its public key and C its
// verify key, the two ways a re-keyed minion differs.
var (
	hexA1 = strings.Repeat("0123456789abcdef", 4)
	hexA2 = strings.Repeat("fedcba9876543210", 4)
	hexB  = strings.Repeat("11", 32)
	hexC  = strings.Repeat("22", 32)
)

type pair struct{ pub, ver string }

var (
	keysA = pair{hexA1, hexA2}
	keysB = pair{hexB, hexA2}
	keysC = pair{hexA1, hexC}
)

func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "pki"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// putKey writes a key file directly, the way Salt would have left it.
func putKey(t *testing.T, s *Store, st raet.Acceptance, id string, k pair) {
	t.Helper()
	if err := os.WriteFile(s.Path(st, id), encodeKeyFile(id, k.pub, k.ver), 0o600); err != nil {
		t.Fatal(err)
	}
}

// noTemps fails if a temporary file was left in any directory of s.
func noTemps(t *testing.T, s *Store) {
	t.Helper()
	for _, d := range []string{s.Dir(), s.statusDir(raet.Accepted), s.statusDir(raet.Pending), s.statusDir(raet.Rejected)} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("temporary file left behind: %s", filepath.Join(d, e.Name()))
			}
		}
	}
}

// writeMode writes a file and forces its mode past the umask.
func writeMode(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
