package master

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// AccessKeySize is how many random bytes an access key holds: 56, which
// base64 writes in 76 characters (salt.crypt.Crypticle.generate_key_string).
const AccessKeySize = 56

// AccessKeyPath is the file of a user's access key: <cachedir>/.<user>_key.
func AccessKeyPath(cachedir, user string) string {
	return filepath.Join(cachedir, "."+user+"_key")
}

// accessUsers are the users the master writes access keys for: the
// configured user and the user running the master (masterapi.access_keys;
// the users named in publisher_acl are added by aclKeyUsers).
func accessUsers(configured string) []string {
	users := []string{}
	if configured != "" {
		users = append(users, configured)
	}
	if u, err := user.Current(); err == nil && u.Username != configured {
		users = append(users, u.Username)
	}
	return users
}

// accessKeys are the keys a publish may carry, by user.
type accessKeys struct {
	byUser map[string]string
}

// check reports whether key is one of the access keys, in constant time
// for keys of the right length.
func (a *accessKeys) check(key string) bool {
	ok := 0
	for _, k := range a.byUser {
		ok |= subtle.ConstantTimeCompare([]byte(k), []byte(key))
	}
	return ok == 1 && key != ""
}

// writeAccessKeys writes a fresh key for each user, as the master does at
// every start (mk_key): a previous key stops working.
func writeAccessKeys(cachedir string, users []string) (*accessKeys, error) {
	a := &accessKeys{byUser: map[string]string{}}
	for _, u := range users {
		key, err := WriteAccessKey(cachedir, u)
		if err != nil {
			return nil, err
		}
		a.byUser[u] = key
	}
	return a, nil
}

// WriteAccessKey makes a new access key for user and writes it to
// <cachedir>/.<user>_key, mode 0400, replacing the old one at once (a new
// file renamed over it), and returns it. When the master runs as root for
// another user, the file is given to that user, who must exist.
func WriteAccessKey(cachedir, username string) (string, error) {
	if username == "" || strings.ContainsAny(username, "/\x00") || username == "." || username == ".." {
		return "", fmt.Errorf("access key: invalid user name %q", username)
	}
	raw := make([]byte, AccessKeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("access key: %w", err)
	}
	key := base64.StdEncoding.EncodeToString(raw)
	if err := mkdir.All(cachedir, 0o700); err != nil {
		return "", fmt.Errorf("access key: %w", err)
	}
	uid := -1
	if os.Geteuid() == 0 {
		if cur, err := user.Current(); err == nil && cur.Username != username {
			u, err := user.Lookup(username)
			if err != nil {
				return "", fmt.Errorf("access key for user %q (the user option): %w", username, err)
			}
			if uid, err = strconv.Atoi(u.Uid); err != nil {
				return "", fmt.Errorf("access key for user %q: uid %q: %w", username, u.Uid, err)
			}
		}
	}
	path := AccessKeyPath(cachedir, username)
	err := fsutil.WriteFile(filepath.Dir(path), filepath.Base(path), []byte(key), fsutil.WriteOptions{
		Mode:       0o400,
		TempPrefix: ".key-tmp-",
		Prepare: func(f *os.File) error {
			if uid < 0 {
				return nil
			}
			return f.Chown(uid, -1)
		},
	})
	if err != nil {
		return "", fmt.Errorf("access key %s: %w", path, err)
	}
	return key, nil
}

// ReadAccessKey reads a user's access key, as the salt command does.
func ReadAccessKey(cachedir, user string) (string, error) {
	b, err := os.ReadFile(AccessKeyPath(cachedir, user))
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", errors.New("access key: empty file " + AccessKeyPath(cachedir, user))
	}
	return key, nil
}
