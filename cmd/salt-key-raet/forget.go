package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// maxEstateFile bounds what is read of a road estate file; a real one is
// a few hundred bytes.
const maxEstateFile = 1 << 20

// forget clears what the master remembers of a minion whose key was
// deleted, as RaetKey.delete_key does through check_minion_cache
// (spec/salt-raet.md 2.2), so that its next join is judged as a new id:
//
//   - the data cache <cachedir>/minions/<id> (grains, pillar);
//   - the road estate files <cachedir>/raet/<stack>/remote/estate.*.json
//     (and .msgpack) whose role is the id.
//
// Salt sweeps every cache entry and estate whose role has no key left; this
// clears only those of the ids just deleted, so a key moved by hand
// elsewhere in the meantime never costs another minion its estate. Every
// stack directory under <cachedir>/raet is looked at, which spares working
// out the master's estate name from its id. Nothing is cleared while the
// id still has a key in some status (a join may have just written a new
// pending key). Problems are logged as warnings: the key itself is gone.
func (k *keyCLI) forget(id string) {
	if _, err := k.store.Get(id); err == nil {
		k.log.debugf("%s still has a key; keeping its cache and road estate", id)
		return
	} else if !errors.Is(err, pki.ErrNotFound) {
		k.log.warnf("Key: cannot tell whether %s still has a key, so its cache is kept: %v", id, err)
		return
	}
	if pki.ValidID(id) != nil {
		return
	}
	cache := filepath.Join(k.cfg.Cachedir, "minions", id)
	if _, err := os.Lstat(cache); err == nil {
		if err := os.RemoveAll(cache); err != nil {
			k.log.warnf("Key: Delete cache for %s got OSError/IOError: %v", id, err)
		} else {
			k.log.debugf("removed the minion cache %s", cache)
		}
	}
	stacks, err := filepath.Glob(filepath.Join(globEscape(filepath.Join(k.cfg.Cachedir, "raet")), "*", "remote"))
	if err != nil {
		return
	}
	for _, dir := range stacks {
		ents, err := os.ReadDir(dir)
		if err != nil {
			k.log.warnf("Key: cannot read the road estates in %s: %v", dir, err)
			continue
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
				k.log.warnf("Key: cannot read the road estate %s: %v", path, err)
				continue
			}
			if role != id {
				continue
			}
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				k.log.warnf("Key: cannot remove the road estate %s of %s: %v", path, id, err)
			} else {
				k.log.debugf("removed the road estate %s", path)
			}
		}
	}
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
