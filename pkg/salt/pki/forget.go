package pki

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmihailenco/msgpack/v5"
)

// maxEstateFile bounds what is read of a road estate file; a real one is
// a few hundred bytes.
const maxEstateFile = 1 << 20

// ErrStillKeyed says Forget kept a minion's cache because the id has a key
// again (a join may have just written a new pending key).
var ErrStillKeyed = errors.New("the id still has a key")

// Forget clears what the master remembers of a minion whose key was
// deleted, as RaetKey.delete_key does through check_minion_cache
// (spec/salt-raet.md 2.2), so that its next join is judged as a new id:
//
//   - the data cache <cachedir>/minions/<id> (grains, pillar, mine);
//   - the road estate files <cachedir>/raet/<stack>/remote/estate.*.json
//     (and .msgpack) whose role is the id.
//
// Salt sweeps every cache entry and estate whose role has no key left; this
// clears only id's, so a key moved by hand elsewhere in the meantime never
// costs another minion its estate. Every stack directory under
// <cachedir>/raet is looked at, which spares working out the master's
// estate name. Nothing is cleared while the id still has a key in some
// status (ErrStillKeyed). cleared lists the paths removed; problems, each
// naming its path, are joined in err: the key itself is gone either way.
// Shared by salt-key -d and the manage.down runner's removekeys.
func (s *Store) Forget(cachedir, id string) (cleared []string, err error) {
	if _, err := s.Get(id); err == nil {
		return nil, fmt.Errorf("%s: %w; its cache and road estate are kept", id, ErrStillKeyed)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("cannot tell whether %s still has a key, so its cache is kept: %w", id, err)
	}
	if ValidID(id) != nil {
		return nil, nil
	}
	var errs []error
	cache := filepath.Join(cachedir, "minions", id)
	if _, err := os.Lstat(cache); err == nil {
		if err := os.RemoveAll(cache); err != nil {
			errs = append(errs, fmt.Errorf("Delete cache for %s got OSError/IOError: %w", id, err))
		} else {
			cleared = append(cleared, cache)
		}
	}
	stacks, err := filepath.Glob(filepath.Join(globEscape(filepath.Join(cachedir, "raet")), "*", "remote"))
	if err != nil {
		return cleared, errors.Join(errs...)
	}
	for _, dir := range stacks {
		c, e := forgetEstates(dir, id)
		cleared, errs = append(cleared, c...), append(errs, e...)
	}
	return cleared, errors.Join(errs...)
}

// forgetEstates removes the estate files in a keep's remote directory
// whose role is id.
func forgetEstates(dir, id string) (cleared []string, errs []error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, []error{fmt.Errorf("cannot read the road estates in %s: %w", dir, err)}
	}
	for _, e := range ents {
		name := e.Name()
		ext := filepath.Ext(name)
		if !strings.HasPrefix(name, "estate.") || (ext != ".json" && ext != ".msgpack") || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, name)
		role, err := estateRole(path, ext)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot read the road estate %s: %w", path, err))
			continue
		}
		if role != id {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cannot remove the road estate %s of %s: %w", path, id, err))
		} else {
			cleared = append(cleared, path)
		}
	}
	return cleared, errs
}

// estateRole reads the role of a road keep's remote estate file
// (raet/keeping.py, json or msgpack).
func estateRole(path, ext string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEstateFile))
	if err != nil {
		return "", err
	}
	var data map[string]any
	if ext == ".json" {
		err = json.Unmarshal(b, &data)
	} else {
		err = msgpack.NewDecoder(bytes.NewReader(b)).Decode(&data)
	}
	if err != nil {
		return "", err
	}
	switch role := data["role"].(type) {
	case string:
		return role, nil
	case []byte:
		return string(role), nil
	}
	return "", nil
}

// globEscape quotes the glob metacharacters of a directory path.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
