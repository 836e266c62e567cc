package modules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"gopkg.in/yaml.v3"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// The write side of Salt's grains module: grains set here are kept in
// <config_dir>/grains, a YAML mapping the minion reads under its core
// grains (and the grains option over them), then the minion reloads its
// grains (Options.RefreshGrains) as saltutil.refresh_grains does. The
// grains a function reads are the minion's in memory, never modified here:
// every value that is changed is a copy.

// grainsFilePath is where setvals keeps grains: the grains file beside the
// minion's config file.
func grainsFilePath(c *Call) string {
	dir := config.DefaultConfigDir
	if cfg := c.exec.opts.Config; cfg != nil && cfg.ConfigDir != "" {
		dir = cfg.ConfigDir
	}
	return filepath.Join(dir, "grains")
}

// maxGrainsNodes bounds what aliases may expand a grains file to.
const maxGrainsNodes = 1 << 20

// ReadGrainsFile reads a grains file as Salt's safe_load does (YAML 1.1
// scalars: yes is True): no file, an empty one or one that is not a
// mapping holds no grains. The minion reads its static grains with it and
// grains.setvals the file it rewrites, so both see the same values.
func ReadGrainsFile(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return map[string]any{}, nil
	}
	v, err := job.YAMLValue(doc.Content[0], maxGrainsNodes)
	if err != nil {
		return nil, err
	}
	if m, ok := py.Plain(v).(map[string]any); ok {
		return m, nil
	}
	return map[string]any{}, nil
}

// setvals is grains.setvals: the given grains are written over those of
// the grains file (a None value with destructive removes the key), the
// minion's grains are reloaded, and the given grains are returned.
func setvals(c *Call, newGrains any, destructive, refreshPillar bool) (any, error) {
	items, ok := py.DictItems(newGrains)
	if !ok {
		return nil, &Exception{Type: "salt.exceptions.SaltException", Msg: "setvals grains must be a dictionary."}
	}
	path := grainsFilePath(c)
	file, err := ReadGrainsFile(path)
	if err != nil {
		return "Unable to read existing grains file: " + err.Error(), nil
	}
	for _, it := range items {
		if it.Value == nil && destructive {
			delete(file, it.Key)
			continue
		}
		file[it.Key] = py.Plain(it.Value)
	}
	text, err := output.YAML(file)
	if err != nil {
		return nil, err
	}
	if err := writeGrainsFile(path, text); err != nil {
		return nil, cmdErr("Unable to write to grains file at %s: %v", path, err)
	}
	if err := reloadGrainsAfterWrite(c, refreshPillar); err != nil {
		return nil, err
	}
	return newGrains, nil
}

// writeGrainsFile replaces the grains file whole (fsutil.WriteFile), so
// that the minion reloading its grains never reads it half-written; it
// keeps the mode of the file it replaces, 0644 for a new one as Salt's
// open(..., "w+") gives.
func writeGrainsFile(path, text string) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	return fsutil.WriteFile(filepath.Dir(path), filepath.Base(path), []byte(text), fsutil.WriteOptions{Mode: mode, TempPrefix: "."})
}

// reloadGrainsAfterWrite is saltutil.refresh_grains(refresh_pillar=...) after a
// write: the minion reloads its grains, then its pillar. Salt's pillar
// refresh is an event the minion acts on later, whose failure the caller
// never sees, so a failed pillar refresh does not fail the write either.
func reloadGrainsAfterWrite(c *Call, refreshPillar bool) error {
	o := c.exec.opts
	if o.RefreshGrains == nil {
		return nil
	}
	if err := o.RefreshGrains(c.Ctx); err != nil {
		return cmdErr("the grains were written to %s but not reloaded: %v", grainsFilePath(c), err)
	}
	if refreshPillar && o.RefreshPillar != nil {
		_ = o.RefreshPillar(c.Ctx)
	}
	return nil
}

// grainCopy is grains.get(key, def, delimiter) as a copy the caller may
// change.
func grainCopy(c *Call, key string, def any, delim string) any {
	return py.Plain(traverseGrains(c, key, def, delim))
}

// pyEqual is Python's == over plain data, near enough for grain values.
func pyEqual(a, b any) bool { return reflect.DeepEqual(py.Plain(a), py.Plain(b)) }

// pyIn is Python's `x in list`.
func pyIn(x any, list []any) bool {
	for _, y := range list {
		if pyEqual(x, y) {
			return true
		}
	}
	return false
}

// setval is grains.setval: setvals({key: val}).
func setval(c *Call, key string, val any, destructive, refreshPillar bool) (any, error) {
	return setvals(c, body.Map{{Key: key, Value: val}}, destructive, refreshPillar)
}

// traverseGrains is salt.utils.data.traverse_dict_and_list over the
// minion's grains.
func traverseGrains(c *Call, key string, def any, delim string) any {
	return target.Traverse(c.Grains(), key, delim, def)
}
