package testvectors

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedIsInTheRepository(t *testing.T) {
	t.Setenv(EnvTestdata, "")
	got := Shared(t)
	if want := filepath.Join(ModuleRoot(t), "testdata", "shared"); got != want {
		t.Fatalf("Shared = %s, want %s", got, want)
	}
	if _, err := os.Stat(Path(t, "road-exchange.jsonl")); err != nil {
		t.Fatal(err)
	}
}

func TestTestdataOverride(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvTestdata, dir)
	if got := Path(t, "lane"); got != filepath.Join(dir, "vectors", "lane") {
		t.Fatalf("Path = %s under %s=%s", got, EnvTestdata, dir)
	}
}
