package state

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/fileclient"
)

// ErrNoSLS is what a Source returns for an sls it has no file of.
var ErrNoSLS = errors.New("no such sls")

// Source is where SLS files come from: the minion's file client (remote)
// or file_roots (local), as Salt's fileclient.get_state serves both.
type Source interface {
	// Fetch is the file of an sls: "a.b" is a/b.sls, else a/b/init.sls;
	// file is the path the renderer and errors name (ending in
	// "/init.sls" for the second), ErrNoSLS when neither exists.
	Fetch(ctx context.Context, saltenv, sls string) (file string, text []byte, err error)
	// ListStates is the sls names of saltenv, sorted (list_states).
	ListStates(ctx context.Context, saltenv string) ([]string, error)
}

// slsPaths are the two files an sls may be, in the order Salt tries them.
func slsPaths(sls string) []string {
	rel := strings.ReplaceAll(sls, ".", "/")
	return []string{rel + ".sls", rel + "/init.sls"}
}

// RemoteSource fetches SLS files from the master's file server through
// the minion's file client (cached under cachedir/files/<saltenv>).
type RemoteSource struct {
	Client *fileclient.Client
}

// Fetch caches the sls's file and reads it.
func (s RemoteSource) Fetch(ctx context.Context, saltenv, sls string) (string, []byte, error) {
	for _, rel := range slsPaths(sls) {
		p, err := s.Client.CacheFile(ctx, fileclient.URL(rel), saltenv)
		if err != nil {
			return "", nil, err
		}
		if p == "" {
			continue
		}
		text, err := os.ReadFile(p)
		return p, text, err
	}
	return "", nil, ErrNoSLS
}

// ListStates is the master's list of the saltenv's sls names.
func (s RemoteSource) ListStates(ctx context.Context, saltenv string) ([]string, error) {
	return s.Client.ListStates(ctx, saltenv)
}

// LocalSource reads SLS files from file_roots directly (file_client:
// local): the first root of the environment that has the file wins.
type LocalSource struct {
	Roots map[string][]string // file_roots: saltenv → directories
}

// Fetch reads the sls's file from the first root that has it.
func (s LocalSource) Fetch(_ context.Context, saltenv, sls string) (string, []byte, error) {
	for _, rel := range slsPaths(sls) {
		if p := s.find(saltenv, rel); p != "" {
			text, err := os.ReadFile(p)
			return p, text, err
		}
	}
	return "", nil, ErrNoSLS
}

// find is the path of rel in one of saltenv's roots, "" when none has
// it; rel never leaves the root.
func (s LocalSource) find(saltenv, rel string) string {
	rel = path.Clean("/" + rel)[1:]
	if rel == "" {
		return ""
	}
	for _, root := range s.Roots[saltenv] {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// Load reads a file of saltenv for the renderer's imports
// (render.Loader).
func (s LocalSource) Load(saltenv, rel string) ([]byte, string, error) {
	p := s.find(saltenv, rel)
	if p == "" {
		return nil, rel, &fs.PathError{Op: "open", Path: rel, Err: fs.ErrNotExist}
	}
	b, err := os.ReadFile(p)
	return b, p, err
}

// ListStates walks the environment's roots for .sls files.
func (s LocalSource) ListStates(_ context.Context, saltenv string) ([]string, error) {
	seen := map[string]bool{}
	for _, root := range s.Roots[saltenv] {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sls") {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return nil
			}
			seen[slsName(filepath.ToSlash(rel))] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// slsName is the sls name of a file path: a/b.sls and a/b/init.sls are
// both "a.b".
func slsName(rel string) string {
	if strings.HasSuffix(rel, "/init.sls") {
		rel = strings.TrimSuffix(rel, "/init.sls")
	} else {
		rel = strings.TrimSuffix(rel, ".sls")
	}
	return strings.ReplaceAll(rel, "/", ".")
}

// Envs is the master's environments, for include's check of {env: sls}.
func (s RemoteSource) Envs(ctx context.Context) ([]string, error) { return s.Client.Envs(ctx) }

// Envs is the environments of file_roots.
func (s LocalSource) Envs(context.Context) ([]string, error) {
	out := make([]string, 0, len(s.Roots))
	for env := range s.Roots {
		out = append(out, env)
	}
	slices.Sort(out)
	return out, nil
}

// Load reads a file of saltenv for the renderer's imports
// (render.Loader), cached from the master.
func (s RemoteSource) Load(saltenv, rel string) ([]byte, string, error) {
	p, err := s.Client.CacheFile(context.Background(), fileclient.URL(rel), saltenv)
	if err != nil {
		return nil, rel, err
	}
	if p == "" {
		return nil, rel, &fs.PathError{Op: "open", Path: rel, Err: fs.ErrNotExist}
	}
	b, err := os.ReadFile(p)
	return b, p, err
}
