//go:build !(linux && cgo)

package auth

// pamAuthenticate without cgo: PAM is a C library, so this build refuses
// every pam login and says why.
func pamAuthenticate(service, username, password string) (bool, error) {
	return false, ErrPAMUnavailable
}

// PAMAvailable reports whether this build can authenticate with PAM.
func PAMAvailable() bool { return false }
