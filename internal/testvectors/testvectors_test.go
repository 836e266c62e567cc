package testvectors

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCopyMatchesShared keeps testdata/shared honest: where ../shared lies
// beside the checkout (a developer's machine), every captured file the
// tests read must be the same bytes here. A fresh clone has no ../shared,
// and then there is nothing to compare.
func TestCopyMatchesShared(t *testing.T) {
	root := ModuleRoot(t)
	outside := filepath.Join(filepath.Dir(root), "shared")
	if _, err := os.Stat(filepath.Join(outside, "vectors")); err != nil {
		t.Skipf("no ../shared beside the checkout to compare with: %v", err)
	}
	inside := filepath.Join(root, "testdata", "shared")
	for _, sub := range []string{"vectors", "spec/salt-payloads", "spec/salt-3006-observed"} {
		n := 0
		err := filepath.WalkDir(filepath.Join(outside, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(outside, p)
			want, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got, err := os.ReadFile(filepath.Join(inside, rel))
			if err != nil {
				t.Errorf("%s is in ../shared but not in testdata/shared: copy it", rel)
				return nil
			}
			if !bytes.Equal(got, want) {
				t.Errorf("testdata/shared/%s differs from ../shared/%s: copy it again", rel, rel)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("../shared/%s holds no files", sub)
		}
	}
}

func TestSharedIsInTheRepository(t *testing.T) {
	t.Setenv(EnvShared, "")
	got := Shared(t)
	if want := filepath.Join(ModuleRoot(t), "testdata", "shared"); got != want {
		t.Fatalf("Shared = %s, want %s", got, want)
	}
	if _, err := os.Stat(Path(t, "road-exchange.jsonl")); err != nil {
		t.Fatal(err)
	}
}
