package fileclient

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// GetFile is RemoteClient.get_file: it fetches the salt:// url from the
// master's saltenv (the url's own ?saltenv= wins) to dest, or to the cache
// when dest is "", and returns where the file now is. A dest that is a
// directory, or ends in "/", gets the file's base name. The file is not
// fetched again when the copy there has the master's hash. It returns ""
// (Salt's False) when the master has no such file, and when dest's
// directory is missing and makedirs is false.
func (c *Client) GetFile(ctx context.Context, url, dest string, makedirs bool, saltenv string) (string, error) {
	rel, err := checkProto(url)
	if err != nil {
		return "", err
	}
	if _, err := cleanRel(rel); err != nil {
		return "", err
	}
	if _, env, _ := ParseURL(url); env != "" {
		saltenv = env
	}
	hsum, hashType, ok, err := c.masterHash(ctx, rel, saltenv)
	if err != nil || !ok {
		return "", err
	}
	if dest != "" && (strings.HasSuffix(dest, "/") || isDir(dest)) {
		dest = filepath.Join(dest, path.Base(rel))
	}
	target, perm := dest, fs.FileMode(0o644)
	if target == "" {
		if target, err = c.cachePath(rel, saltenv); err != nil {
			return "", err
		}
		perm = 0o600 // Salt caches under umask 077
		makedirs = true
	}
	if same, err := sameHash(target, hashType, hsum); err != nil || same {
		return target, err
	}
	if dir := filepath.Dir(target); !isDir(dir) {
		if !makedirs {
			return "", nil
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
	}
	found, err := c.fetch(ctx, rel, saltenv, target, perm, hashType, hsum)
	if err != nil || !found {
		return "", err
	}
	return target, nil
}

// sameHash reports whether the regular file at p has the hash hsum.
func sameHash(p, hashType, hsum string) (bool, error) {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false, nil
	}
	sum, err := fileHash(p, hashType)
	if err != nil {
		return false, err
	}
	return sum == hsum, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// ErrHashMismatch is why a fetched file was thrown away: what arrived does
// not have the hash the master gave for it.
var ErrHashMismatch = errors.New("the fetched file does not have the master's hash")

// fetch asks the master for rel's chunks (_serve_file from offset 0 until
// a chunk without data), writes them to a temporary file beside target,
// checks its hash against hsum and renames it into place. found is false
// when the master no longer serves the file.
func (c *Client) fetch(ctx context.Context, rel, saltenv, target string, perm fs.FileMode, hashType, hsum string) (found bool, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".part*")
	if err != nil {
		return false, err
	}
	defer func() {
		tmp.Close()
		if !found || err != nil {
			os.Remove(tmp.Name())
		}
	}()
	var loc int64
	for {
		data, dest, err := c.serveChunk(ctx, rel, saltenv, loc)
		if err != nil {
			return false, err
		}
		if len(data) == 0 {
			if loc == 0 && dest == "" {
				return false, nil // gone since its hash was asked
			}
			break
		}
		if _, err := tmp.Write(data); err != nil {
			return false, err
		}
		loc += int64(len(data))
	}
	if err := tmp.Chmod(perm); err != nil {
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if sum, err := fileHash(tmp.Name(), hashType); err != nil {
		return false, err
	} else if sum != hsum {
		return false, fmt.Errorf("%s%s (saltenv %s): %w (%s %s, want %s)", saltScheme, rel, saltenv, ErrHashMismatch, hashType, sum, hsum)
	}
	if isDir(target) { // a directory was cached at this path before
		if err := os.RemoveAll(target); err != nil {
			return false, err
		}
	}
	return true, os.Rename(tmp.Name(), target)
}

// serveChunk is one _serve_file request: the data at loc and the master's
// dest (its name for the file, "" when it does not serve it).
func (c *Client) serveChunk(ctx context.Context, rel, saltenv string, loc int64) ([]byte, string, error) {
	ret, err := c.req.Request(ctx, serveFileLoad(rel, saltenv, loc))
	if err != nil {
		return nil, "", err
	}
	m, ok := ret.(body.Map)
	if !ok {
		return nil, "", fmt.Errorf("%s%s: data transport is broken: the master returned %T", saltScheme, rel, ret)
	}
	dest, _ := m.String("dest")
	switch d, _ := m.Get("data"); d := d.(type) {
	case []byte:
		return d, dest, nil
	case string:
		return []byte(d), dest, nil
	case nil:
		return nil, dest, nil
	default:
		return nil, "", fmt.Errorf("%s%s: data transport is broken: data is %T", saltScheme, rel, d)
	}
}

// CacheFile is cp.cache_file: GetURL to the cache. "" when the master has
// no such file.
func (c *Client) CacheFile(ctx context.Context, url, saltenv string) (string, error) {
	return c.GetURL(ctx, url, "", true, saltenv)
}

// GetURL is Client.get_url for the schemes this minion serves: salt://
// (GetFile) and local paths, plain or file://, which must be absolute and
// are returned as they are, as Salt returns them (nothing is copied).
func (c *Client) GetURL(ctx context.Context, url, dest string, makedirs bool, saltenv string) (string, error) {
	scheme, rest, hasScheme := strings.Cut(url, "://")
	switch {
	case hasScheme && scheme == "salt":
		return c.GetFile(ctx, url, dest, makedirs, saltenv)
	case hasScheme && scheme == "file":
		url = rest
	case hasScheme:
		return "", &MinionError{fmt.Sprintf("Unsupported URL scheme for this minion: %s", url)}
	}
	p := strings.TrimRight(url, "/")
	if !filepath.IsAbs(p) {
		return "", &CommandExecutionError{fmt.Sprintf("Path '%s' is not absolute", p)}
	}
	return p, nil
}

// CommandExecutionError is Salt's CommandExecutionError, which a few of the
// file client's checks raise.
type CommandExecutionError struct{ Msg string }

func (e *CommandExecutionError) Error() string { return e.Msg }

// IsCached is Client.is_cached: where the cache holds url (a salt:// URL or
// a path of the saltenv), under files/<saltenv> or localfiles, or "".
func (c *Client) IsCached(url, saltenv string) string {
	rel := url
	if r, env, ok := ParseURL(url); ok {
		rel = r
		if env != "" {
			saltenv = env
		}
	}
	p, err := cleanRel(rel)
	env, envErr := cleanRel(saltenv)
	if err != nil || envErr != nil {
		return ""
	}
	for _, cand := range []string{filepath.Join(c.cachedir, "files", env, p), filepath.Join(c.cachedir, "localfiles", p)} {
		if _, err := os.Stat(cand); err == nil {
			return cand
		}
	}
	return ""
}
