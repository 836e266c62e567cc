package pki

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// A broken accepted/<id> makes the decision an error that names the file
// and says why, whatever is wrong with it; the file is left alone.
func TestBrokenKeyFileNamedInErrors(t *testing.T) {
	good := encodeKeyFile("n1", hexA1, hexA2)
	for _, c := range []struct {
		name, why string
		make      func(path string) error
	}{
		{"garbage", "not a msgpack map", func(p string) error { return os.WriteFile(p, []byte("\x00\xffgarbage"), 0o600) }},
		{"truncated", "truncated", func(p string) error { return os.WriteFile(p, good[:len(good)/2], 0o600) }},
		{"wrong fields", `no "pub" field`, func(p string) error { return os.WriteFile(p, encodeMap("minion_id", "n1", "public", hexA1), 0o600) }},
		{"fifo", "not a regular file", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t, Options{AutoAccept: true})
			p := s.Path(raet.Accepted, "n1")
			if err := c.make(p); err != nil {
				t.Fatal(err)
			}
			_, err := s.Decide("n1", hexA1, hexA2)
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != p || fe.ID != "n1" || fe.Status != raet.Accepted {
				t.Fatalf("Decide = %v, want a FileError for %s", err, p)
			}
			if msg := err.Error(); !strings.Contains(msg, "key file "+p+" is unreadable") || !strings.Contains(msg, c.why) {
				t.Errorf("error %q does not name the file and %q", msg, c.why)
			}
			if c.name != "fifo" && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%v is not ErrInvalidKey", err)
			}
			if fi, err := os.Lstat(p); err != nil || (c.name != "fifo" && !fi.Mode().IsRegular()) {
				t.Errorf("the broken file was changed: %v", err)
			}
		})
	}
}

func TestUnreadableKeyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode 0000 file")
	}
	s := openStore(t, Options{})
	putKey(t, s, raet.Accepted, "n1", keysA)
	if err := os.Chmod(s.Path(raet.Accepted, "n1"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := s.Read("n1", raet.Accepted)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, fs.ErrPermission) || errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Read = %v, want a FileError for permission denied", err)
	}
}

// Problems lists the listed key files Read cannot use, and only those.
func TestProblems(t *testing.T) {
	s := openStore(t, Options{})
	putKey(t, s, raet.Accepted, "ok1", keysA)
	putKey(t, s, raet.Pending, "ok2", keysB)
	if err := os.WriteFile(s.Path(raet.Accepted, "bad1"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(raet.Rejected, "bad2"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Problems()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "bad1" || got[0].Status != raet.Accepted || got[1].ID != "bad2" || got[1].Status != raet.Rejected {
		t.Fatalf("Problems = %v", got)
	}
	if got, err := s.Problems(raet.Pending); err != nil || len(got) != 0 {
		t.Fatalf("Problems(pending) = %v, %v", got, err)
	}
}
