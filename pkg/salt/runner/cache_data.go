package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// The master's minion data cache, as the master writes it (master
// pillar.go, mine.go): <cachedir>/minions/<id>/data.p = {"grains": ...,
// "pillar": ...} and mine.p = {alias: data}, msgpack as Salt's localfs
// cache keeps the banks minions/<id>, keys data and mine.
const (
	dataFile = "data.p"
	mineFile = "mine.p"
	// maxCacheFile bounds what is read of one cache file.
	maxCacheFile = 16 << 20
)

func (e *Env) minionsDir() string { return filepath.Join(e.Opts.Cachedir, "minions") }

// cachedMinions lists the ids with a bank under minions/ (cache.list).
func (e *Env) cachedMinions() ([]string, error) {
	ents, err := os.ReadDir(e.minionsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("minion data cache: %w", err)
	}
	var ids []string
	for _, ent := range ents {
		if ent.IsDir() && job.ValidID(ent.Name()) == nil {
			ids = append(ids, ent.Name())
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// readBank reads <cachedir>/minions/<id>/<file>: nil, nil when there is
// none; an error naming the file when it is not a msgpack mapping.
func (e *Env) readBank(id, file string) (body.Map, error) {
	if job.ValidID(id) != nil {
		return nil, nil // valid_id: such an id is skipped, as Salt skips it
	}
	path := filepath.Join(e.minionsDir(), id, file)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("minion data cache: %w", err)
	}
	if fi.Size() > maxCacheFile {
		return nil, fmt.Errorf("minion data cache: %s is %d bytes, more than %d", path, fi.Size(), maxCacheFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("minion data cache: %w", err)
	}
	v, err := body.DecodeMsgpack(b)
	if err != nil {
		return nil, fmt.Errorf("there was an error reading the cache file %s: %w", path, err)
	}
	m, ok := v.(body.Map)
	if !ok {
		return nil, fmt.Errorf("the cache file %s holds a %s, not a mapping", path, py.TypeName(v))
	}
	return m, nil
}

// writeBank replaces <cachedir>/minions/<id>/<file> with m.
func (e *Env) writeBank(id, file string, m body.Map) error {
	data, err := body.AppendMsgpack(nil, m)
	if err != nil {
		return err
	}
	dir := filepath.Join(e.minionsDir(), id)
	if err := mkdir.All(dir, 0o700); err != nil {
		return err
	}
	return fsutil.WriteFile(dir, file, data, fsutil.WriteOptions{Mode: 0o600, TempPrefix: "." + strings.TrimSuffix(file, ".p") + "-tmp-"}) // the master's own prefixes
}

// flushBank removes <cachedir>/minions/<id>/<file> (cache.flush).
func (e *Env) flushBank(id, file string) error {
	err := os.Remove(filepath.Join(e.minionsDir(), id, file))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("minion data cache: %w", err)
	}
	return nil
}

// cachedData reads the grains and pillar of the given minions (all cached
// minions when ids is empty), as MasterPillarUtil._get_cached_minion_data:
// each id given starts with empty ones; nothing is read unless
// minion_data_cache is on.
func (e *Env) cachedData(ids []string) (grains, pillars map[string]body.Map, err error) {
	grains, pillars = map[string]body.Map{}, map[string]body.Map{}
	for _, id := range ids {
		grains[id], pillars[id] = body.Map{}, body.Map{}
	}
	if !e.Opts.MinionDataCache {
		return grains, pillars, nil
	}
	if len(ids) == 0 {
		if ids, err = e.cachedMinions(); err != nil {
			return nil, nil, err
		}
	}
	for _, id := range ids {
		data, err := e.readBank(id, dataFile)
		if err != nil {
			return nil, nil, err
		}
		if data == nil {
			continue
		}
		if g, ok := data.Get("grains"); ok {
			grains[id] = bankMap(g)
		}
		if p, ok := data.Get("pillar"); ok {
			pillars[id] = bankMap(p)
		}
	}
	return grains, pillars, nil
}

// bankMap is v as a mapping; an empty one when it is something else.
func bankMap(v any) body.Map {
	if m, ok := v.(body.Map); ok {
		return m
	}
	return body.Map{}
}

// accepted lists the ids of the accepted keys in pki_dir.
func (e *Env) accepted() ([]string, error) {
	store, err := pki.Open(e.Opts.PKIDir, pki.Options{PermissivePKIAccess: e.Opts.PermissivePKIAccess})
	if err != nil {
		return nil, fmt.Errorf("pki_dir %s: %w", e.Opts.PKIDir, err)
	}
	all, err := store.List()
	if err != nil {
		return nil, err
	}
	ids := all[raet.Accepted]
	slices.Sort(ids)
	return ids, nil
}
