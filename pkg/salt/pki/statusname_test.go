package pki

import (
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// salt-key prints the statuses under the names of their directories.
func TestStatusNameIsTheDirectoryName(t *testing.T) {
	s := &Store{dir: "/pki"}
	for st, want := range map[raet.Acceptance]string{
		raet.Accepted: "accepted", raet.Pending: "pending", raet.Rejected: "rejected",
	} {
		if got := StatusName(st); got != want {
			t.Errorf("StatusName(%v) = %q, want %q", st, got, want)
		}
		if got := s.Path(st, "web1"); got != filepath.Join("/pki", want, "web1") {
			t.Errorf("Path(%v, web1) = %q, want it under %s", st, got, want)
		}
	}
}
