package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Token is the data Salt keeps for a token, as its dict: start, expire,
// name, eauth, then auth_list and groups when LoadAuth adds them, then
// token (salt/tokens/localfs.py mk_token), in that order on disk.
type Token = body.Map

// tokenStore is salt/tokens/localfs.py: one msgpack file per token in
// token_dir, named by the token.
type tokenStore struct {
	dir      string
	hashType string
}

// errBrokenToken is a token file that does not decode to a dict (Salt's
// SaltDeserializationError): LoadAuth removes it.
var errBrokenToken = errors.New("broken token file")

// mk writes tdata under a new token: the hex digest of hash_type over 512
// random bytes, written with umask 0177 to <token>.tmp and renamed into
// place, so a reader never sees half a token.
func (s *tokenStore) mk(tdata Token) (Token, error) {
	var tok, path string
	for {
		h, ok := py.NewHash(s.hashType)
		if !ok {
			return nil, fmt.Errorf("token: hash_type %q is not supported", s.hashType)
		}
		raw := make([]byte, 512)
		if _, err := rand.Read(raw); err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		h.Write(raw)
		tok = hex.EncodeToString(h.Sum(nil))
		path = filepath.Join(s.dir, tok)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	tdata.Set("token", tok)
	packed, err := appendPayload(nil, tdata, 0)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if err := mkdir.All(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("Authentication failure: can not write token file %q: %w", path, err)
	}
	tmp := path + ".tmp"
	// Mode 0600 as Salt's umask 0177 gives, without changing the
	// process's umask under other goroutines.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err == nil {
		if err = f.Chmod(0o600); err == nil {
			_, err = f.Write(packed)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("Authentication failure: can not write token file %q: %w", path, err)
	}
	return tdata, nil
}

// get reads a token's data; a token that names no file (or a path outside
// token_dir, as clean_path refuses) is nil, nil.
func (s *tokenStore) get(tok string) (Token, error) {
	if !validTokenName(tok) {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(s.dir, tok))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("Authentication failure: can not read token file %q: %w", filepath.Join(s.dir, tok), err)
	}
	v, err := body.DecodeMsgpack(b)
	if err != nil {
		return nil, errBrokenToken
	}
	m, ok := py.DictItems(v)
	if !ok {
		return nil, errBrokenToken
	}
	return m, nil
}

func (s *tokenStore) rm(tok string) error {
	if !validTokenName(tok) {
		return fmt.Errorf("Could not remove token %q: not a token name", tok)
	}
	if err := os.Remove(filepath.Join(s.dir, tok)); err != nil {
		return fmt.Errorf("Could not remove token %s: %w", tok, err)
	}
	return nil
}

// list is every file under token_dir, as localfs walks it.
func (s *tokenStore) list() ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == s.dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() {
			out = append(out, d.Name())
		}
		return nil
	})
	return out, err
}

// validTokenName is clean_path(token_dir, token): a name directly in
// token_dir, never a path out of it.
func validTokenName(tok string) bool {
	return tok != "" && tok != "." && tok != ".." && !strings.ContainsAny(tok, "/\x00")
}
