package fileclient

import (
	"fmt"
	"path"
	"strings"
)

// saltScheme starts the URLs of the master's file server.
const saltScheme = "salt://"

// MinionError is Salt's salt.exceptions.MinionError, which the file client
// raises for a path it cannot serve.
type MinionError struct{ Msg string }

func (e *MinionError) Error() string { return e.Msg }

// ParseURL is salt.utils.url.parse: the path of a salt:// URL and its
// saltenv query ("" when it has none; the old "?env=" is dropped, as Salt
// drops it). A path that is not salt:// comes back whole, with ok false.
func ParseURL(url string) (rel, saltenv string, ok bool) {
	if !strings.HasPrefix(url, saltScheme) {
		return url, "", false
	}
	res := strings.TrimPrefix(url, saltScheme)
	if p, _, found := strings.Cut(res, "?env="); found {
		return p, "", true
	}
	if p, env, found := strings.Cut(res, "?saltenv="); found {
		return p, env, true
	}
	return res, "", true
}

// URL is salt.utils.url.create: the salt:// URL of a path relative to an
// environment's root.
func URL(rel string) string { return saltScheme + strings.ReplaceAll(rel, "\\", "/") }

// checkProto is Client._check_proto: the relative path of a salt:// URL,
// or a MinionError.
func checkProto(url string) (string, error) {
	rel, _, ok := ParseURL(url)
	if !ok {
		return "", &MinionError{fmt.Sprintf("Unsupported path: %s", url)}
	}
	return rel, nil
}

// cleanRel is a relative path of the file server (or an environment's
// name) made safe to join under a cache directory: a leading "/" or "|" is
// dropped, as Salt strips them, and one that climbs out with ".." is
// refused.
func cleanRel(rel string) (string, error) {
	p := strings.TrimLeft(rel, "|/")
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return "", &MinionError{fmt.Sprintf("Invalid path: %s", rel)}
		}
	}
	return path.Clean(p), nil
}
