package hosts

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const sample = "# a comment\n127.0.0.1\tlocalhost  # loop\n10.0.0.1  a b\n10.0.0.1  c\n"

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRead(t *testing.T) {
	h := Read(write(t, sample))
	if e := h.Get("10.0.0.1"); e == nil || !reflect.DeepEqual(e.Aliases, []string{"a", "b", "c"}) {
		t.Fatalf("10.0.0.1 = %#v: lines of one address merge", e)
	}
	if e := h.Get("127.0.0.1"); !e.HasComment || e.Comment != "loop" {
		t.Errorf("127.0.0.1 = %#v", e)
	}
	if h.IPOf("c") != "10.0.0.1" || h.IPOf("zz") != "" || !h.HasPair("10.0.0.1", "b") || h.HasPair("10.0.0.1", "localhost") {
		t.Errorf("lookups wrong")
	}
	if len(Read(filepath.Join(t.TempDir(), "none")).Entries) != 0 {
		t.Errorf("a missing file has entries")
	}
}

// The layouts below are what Salt 3006.3's hosts module writes for the
// same calls on the same file (compared by hand).
func TestWriteRemoveSet(t *testing.T) {
	p := write(t, sample)
	h := Read(p)
	h.AddAlias("10.0.0.1", "d")
	h.AddAlias("10.0.0.2", "e")
	if err := h.Write(); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, p), "# a comment\n127.0.0.1\t\tlocalhost\t\t# loop\n10.0.0.1\t\ta b c d\n10.0.0.2\t\te\n"; got != want {
		t.Errorf("after add:\n%q\nwant\n%q", got, want)
	}

	p = write(t, sample)
	if err := Read(p).Remove("10.0.0.1", "b"); err != nil {
		t.Fatal(err)
	}
	if err := Read(p).Remove("127.0.0.1", "localhost"); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, p), "# a comment\n10.0.0.1\t\ta \n10.0.0.1\t\tc \n"; got != want {
		t.Errorf("after remove:\n%q\nwant\n%q", got, want)
	}

	p = write(t, sample)
	for _, s := range [][3]string{{"10.0.0.1", "z", ""}, {"127.0.0.1", "q", "hi"}, {"10.9.9.9", "n", ""}} {
		if err := Set(p, s[0], s[1], s[2]); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := read(t, p), "# a comment\n127.0.0.1\t\tq\t\t# hi\n10.0.0.1\t\tz\n10.9.9.9\t\tn\n"; got != want {
		t.Errorf("after set:\n%q\nwant\n%q", got, want)
	}
	if err := Set(p, "10.0.0.1", " ", ""); err != nil {
		t.Fatal(err)
	}
	if Read(p).Get("10.0.0.1") != nil {
		t.Errorf("an empty alias did not remove the address")
	}
}
