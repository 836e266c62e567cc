//go:build !(linux && cgo)

package auth

import (
	"errors"
	"testing"
)

// Without cgo, PAM says it is unavailable, and a pam login is refused.
func TestPAMUnavailable(t *testing.T) {
	if PAMAvailable() {
		t.Fatal("PAM available without cgo")
	}
	if ok, err := (pamAuth{service: "login"}).auth("root", "x"); ok || !errors.Is(err, ErrPAMUnavailable) {
		t.Fatalf("pam auth = %v, %v", ok, err)
	}
}
