// Package fileclienttest is a fake master's file server for the tests of
// the file client and of the cp module: it answers the file server's
// commands from a directory per environment, as the Roots backend does,
// and counts them.
package fileclienttest

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

// Master answers the file server's commands from a directory per
// environment, as the master's roots backend does, and counts them.
type Master struct {
	t     *testing.T
	Roots map[string]string // saltenv: root directory
	Chunk int               // file_buffer_size
	// Corrupt makes every served chunk differ from the file, hash kept.
	Corrupt bool
	// Recv is what _file_recv answers; Received collects its chunks.
	Recv     any
	Received []body.Map

	mu    sync.Mutex // guards calls and loads (Received is for one goroutine)
	calls map[string]int
	loads []body.Map
}

// New makes a fake master with a base environment and envs.
func New(t *testing.T, envs ...string) *Master {
	m := &Master{t: t, Roots: map[string]string{}, Chunk: 256 << 10, calls: map[string]int{}, Recv: true}
	for _, env := range append([]string{"base"}, envs...) {
		m.Roots[env] = t.TempDir()
	}
	return m
}

// Write puts a file under an environment's root.
func (m *Master) Write(env, rel string, data []byte) {
	m.t.Helper()
	p := filepath.Join(m.Roots[env], filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		m.t.Fatal(err)
	}
}

// Count is how many requests of cmd the master got.
func (m *Master) Count(cmd string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[cmd]
}

// Reset forgets the requests so far.
func (m *Master) Reset() {
	m.mu.Lock()
	m.calls = map[string]int{}
	m.loads = nil
	m.mu.Unlock()
}

// Loads returns the loads of the requests so far.
func (m *Master) Loads() []body.Map {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]body.Map(nil), m.loads...)
}

// Request answers a load as the master's file server does.
func (m *Master) Request(_ context.Context, load body.Map) (any, error) {
	cmd, _ := load.String("cmd")
	m.mu.Lock()
	m.calls[cmd]++
	m.loads = append(m.loads, load)
	m.mu.Unlock()
	env, _ := load.String("saltenv")
	rel, _ := load.String("path")
	prefix, _ := load.String("prefix")
	root := m.Roots[env]
	switch cmd {
	case "_file_hash":
		data, err := os.ReadFile(filepath.Join(root, rel))
		if root == "" || err != nil {
			return "", nil
		}
		sum := sha256.Sum256(data)
		return body.Map{{Key: "hsum", Value: hex.EncodeToString(sum[:])}, {Key: "hash_type", Value: "sha256"}}, nil
	case "_serve_file":
		return m.serve(root, rel, load), nil
	case "_file_list", "_file_list_emptydirs", "_dir_list":
		return m.list(root, cmd, prefix), nil
	case "_file_envs":
		var envs []any
		for e := range m.Roots {
			envs = append(envs, e)
		}
		return envs, nil
	case "_file_recv":
		m.Received = append(m.Received, load)
		return m.Recv, nil
	case "_pillar": // what a minion asks for after each allow
		return body.Map{}, nil
	}
	m.t.Errorf("unexpected command %q", cmd)
	return nil, nil
}

// serve is _serve_file: Chunk bytes at loc.
func (m *Master) serve(root, rel string, load body.Map) body.Map {
	loc, _ := load.Int("loc")
	data, err := os.ReadFile(filepath.Join(root, rel))
	if root == "" || err != nil {
		return body.Map{{Key: "data", Value: ""}, {Key: "dest", Value: ""}}
	}
	end := min(int(loc)+m.Chunk, len(data))
	chunk := append([]byte(nil), data[min(int(loc), len(data)):end]...)
	if m.Corrupt && len(chunk) > 0 {
		chunk[0] ^= 0xff
	}
	return body.Map{{Key: "data", Value: chunk}, {Key: "dest", Value: rel}}
}

// list is one of the lists under prefix.
func (m *Master) list(root, cmd, prefix string) []any {
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
