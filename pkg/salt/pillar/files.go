package pillar

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// The files of pillar_roots, read directly (the master's own file client
// for pillar, as Salt's Pillar uses a local one): the first root of an
// environment that has a file wins.

// envs is Pillar._get_envs: base first, then the other environments of
// pillar_roots (sorted here, where Salt keeps the config's order).
func (r *run) envs() []string {
	out := []string{"base"}
	keys := make([]string, 0, len(r.c.o.Roots))
	for env := range r.c.o.Roots {
		if env != "base" {
			keys = append(keys, env)
		}
	}
	sort.Strings(keys)
	return append(out, keys...)
}

// find is the absolute path of rel in env, or "" when no root has it. rel
// must stay inside the root.
func (r *run) find(env, rel string) string {
	rel = path.Clean("/" + filepath.ToSlash(rel))[1:]
	if rel == "" {
		return ""
	}
	for _, root := range r.c.o.Roots[env] {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// load is the renderer's Loader: a template imported by a pillar file.
func (r *run) load(env, rel string) ([]byte, string, error) {
	p := r.find(env, rel)
	if p == "" {
		return nil, rel, &fs.PathError{Op: "open", Path: rel, Err: errors.New("template not found in pillar_roots of " + env)}
	}
	b, err := os.ReadFile(p)
	return b, p, err
}

// state is fileclient.get_state: the file of an SLS name (a.b is a/b.sls,
// else a/b/init.sls), and whether it was an init.sls.
func (r *run) state(env, sls string) (file string, isInit bool) {
	rel := strings.ReplaceAll(sls, ".", "/")
	if p := r.find(env, rel+".sls"); p != "" {
		return p, false
	}
	if p := r.find(env, rel+"/init.sls"); p != "" {
		return p, true
	}
	return "", false
}

// gatherAvail is Pillar.__gather_avail: the SLS names of each environment
// (fileclient.list_states), sorted.
func (r *run) gatherAvail() map[string][]string {
	avail := map[string][]string{}
	for _, env := range r.envs() {
		seen := map[string]bool{}
		for _, root := range r.c.o.Roots[env] {
			_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sls") {
					return nil
				}
				rel, err := filepath.Rel(root, p)
				if err != nil {
					return nil
				}
				rel = filepath.ToSlash(rel)
				if strings.HasSuffix(rel, "/init.sls") {
					rel = strings.TrimSuffix(rel, "/init.sls")
				} else {
					rel = strings.TrimSuffix(rel, ".sls")
				}
				seen[strings.ReplaceAll(rel, "/", ".")] = true
				return nil
			})
		}
		names := make([]string, 0, len(seen))
		for n := range seen {
			names = append(names, n)
		}
		slices.Sort(names)
		avail[env] = names
	}
	return avail
}
