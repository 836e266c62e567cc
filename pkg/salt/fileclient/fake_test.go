package fileclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// fakeMaster answers the file server's commands from a directory per
// environment, as the master's roots backend does, and counts them.
type fakeMaster struct {
	t     *testing.T
	roots map[string]string // saltenv: root directory
	chunk int               // file_buffer_size
	// corrupt makes every served chunk differ from the file, hash kept.
	corrupt bool
	// recv is what _file_recv answers; received collects its chunks.
	recv     any
	received []body.Map

	mu    sync.Mutex
	calls map[string]int
	loads []body.Map
}

func newFakeMaster(t *testing.T, envs ...string) *fakeMaster {
	fm := &fakeMaster{t: t, roots: map[string]string{}, chunk: 256 << 10, calls: map[string]int{}, recv: true}
	for _, env := range append([]string{"base"}, envs...) {
		fm.roots[env] = t.TempDir()
	}
	return fm
}

// write puts a file under an environment's root.
func (fm *fakeMaster) write(env, rel string, data []byte) {
	fm.t.Helper()
	p := filepath.Join(fm.roots[env], filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		fm.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		fm.t.Fatal(err)
	}
}

func (fm *fakeMaster) count(cmd string) int {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	return fm.calls[cmd]
}

func (fm *fakeMaster) reset() {
	fm.mu.Lock()
	fm.calls = map[string]int{}
	fm.loads = nil
	fm.mu.Unlock()
}

func (fm *fakeMaster) Request(_ context.Context, load body.Map) (any, error) {
	cmd, _ := load.String("cmd")
	fm.mu.Lock()
	fm.calls[cmd]++
	fm.loads = append(fm.loads, load)
	fm.mu.Unlock()
	env, _ := load.String("saltenv")
	rel, _ := load.String("path")
	prefix, _ := load.String("prefix")
	root := fm.roots[env]
	switch cmd {
	case "_file_hash":
		data, err := os.ReadFile(filepath.Join(root, rel))
		if root == "" || err != nil {
			return "", nil
		}
		sum := sha256.Sum256(data)
		return body.Map{{Key: "hsum", Value: hex.EncodeToString(sum[:])}, {Key: "hash_type", Value: "sha256"}}, nil
	case "_serve_file":
		return fm.serve(root, rel, load), nil
	case "_file_list", "_file_list_emptydirs", "_dir_list":
		return fm.list(root, cmd, prefix), nil
	case "_file_envs":
		var envs []any
		for e := range fm.roots {
			envs = append(envs, e)
		}
		return envs, nil
	case "_file_recv":
		fm.received = append(fm.received, load)
		return fm.recv, nil
	}
	fm.t.Errorf("unexpected command %q", cmd)
	return nil, nil
}

func (fm *fakeMaster) serve(root, rel string, load body.Map) body.Map {
	loc, _ := load.Int("loc")
	data, err := os.ReadFile(filepath.Join(root, rel))
	if root == "" || err != nil {
		return body.Map{{Key: "data", Value: ""}, {Key: "dest", Value: ""}}
	}
	end := min(int(loc)+fm.chunk, len(data))
	chunk := append([]byte(nil), data[min(int(loc), len(data)):end]...)
	if fm.corrupt && len(chunk) > 0 {
		chunk[0] ^= 0xff
	}
	return body.Map{{Key: "data", Value: chunk}, {Key: "dest", Value: rel}}
}

func (fm *fakeMaster) list(root, cmd, prefix string) []any {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err != nil || rel == "." || !strings.HasPrefix(rel, prefix) {
			return nil
		}
		switch {
		case cmd == "_file_list" && !d.IsDir(),
			cmd == "_dir_list" && d.IsDir():
			out = append(out, rel)
		case cmd == "_file_list_emptydirs" && d.IsDir():
			if ents, _ := os.ReadDir(p); len(ents) == 0 {
				out = append(out, rel)
			}
		}
		return nil
	})
	sort.Strings(out)
	res := make([]any, len(out))
	for i, s := range out {
		res[i] = s
	}
	return res
}
