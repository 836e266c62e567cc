package fileclient

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Requester sends a load to the master and returns the master's return:
// one reply per request (the minion's request channel).
type Requester interface {
	Request(ctx context.Context, load body.Map) (any, error)
}

// DefaultBufferSize is Salt's file_buffer_size, the size of cp.push's
// chunks.
const DefaultBufferSize = 262144

// Client is the minion's file client: what it fetched from the master is
// cached under <cachedir>/files/<saltenv>/.
type Client struct {
	cachedir string
	req      Requester
	hashType string
	// BufferSize is the size of the chunks cp.push sends
	// (file_buffer_size); 0 means DefaultBufferSize.
	BufferSize int
}

// New makes a file client caching under cachedir, asking the master
// through req; hashType is the minion's hash_type, used for the hashes of
// local files ("" means sha256, Salt's default).
func New(cachedir string, req Requester, hashType string) *Client {
	if hashType == "" {
		hashType = "sha256"
	}
	return &Client{cachedir: cachedir, req: req, hashType: hashType}
}

// Cachedir is the minion's cachedir the client caches under.
func (c *Client) Cachedir() string { return c.cachedir }

// cachePath is where a file of the master's saltenv is cached:
// <cachedir>/files/<saltenv>/<rel>.
func (c *Client) cachePath(rel, saltenv string) (string, error) {
	env, err := cleanRel(saltenv)
	if err != nil {
		return "", err
	}
	p, err := cleanRel(rel)
	if err != nil {
		return "", err
	}
	return filepath.Join(c.cachedir, "files", env, filepath.FromSlash(p)), nil
}

// strings asks the master for a list of strings (the file server's lists,
// its environments).
func (c *Client) strings(ctx context.Context, load body.Map) ([]string, error) {
	ret, err := c.req.Request(ctx, load)
	if err != nil {
		return nil, err
	}
	list, ok := ret.([]any)
	if !ok && ret != nil {
		return nil, fmt.Errorf("%v: the master returned %T, not a list", load, ret)
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		switch s := v.(type) {
		case string:
			out = append(out, s)
		case []byte:
			out = append(out, string(s))
		}
	}
	return out, nil
}

// ListMaster is cp.list_master: the files of the master's saltenv under
// prefix (_file_list).
func (c *Client) ListMaster(ctx context.Context, saltenv, prefix string) ([]string, error) {
	return c.strings(ctx, listLoad(protocol.CmdFileList, saltenv, prefix))
}

// ListMasterDirs is cp.list_master_dirs: the directories (_dir_list).
func (c *Client) ListMasterDirs(ctx context.Context, saltenv, prefix string) ([]string, error) {
	return c.strings(ctx, listLoad(protocol.CmdDirList, saltenv, prefix))
}

// ListEmptyDirs is the empty directories (_file_list_emptydirs).
func (c *Client) ListEmptyDirs(ctx context.Context, saltenv, prefix string) ([]string, error) {
	return c.strings(ctx, listLoad(protocol.CmdFileListEmptyDirs, saltenv, prefix))
}

// ListMasterSymlinks is cp.list_master_symlinks: {link: target}
// (_symlink_list), as the master returned it.
func (c *Client) ListMasterSymlinks(ctx context.Context, saltenv, prefix string) (any, error) {
	return c.req.Request(ctx, listLoad(protocol.CmdSymlinkList, saltenv, prefix))
}

// Envs is cp.envs: the master's environments (_file_envs).
func (c *Client) Envs(ctx context.Context) ([]string, error) {
	return c.strings(ctx, envsLoad())
}

// ListStates is Client.list_states: the sls names of the saltenv's files
// ending in .sls (dir/init.sls is "dir"), sorted and without repeats.
func (c *Client) ListStates(ctx context.Context, saltenv string) ([]string, error) {
	files, err := c.ListMaster(ctx, saltenv, "")
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, "/init.sls"):
			set[strings.ReplaceAll(f, "/", ".")[:len(f)-9]] = true
		case strings.HasSuffix(f, ".sls"):
			set[strings.ReplaceAll(f, "/", ".")[:len(f)-4]] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

// masterHash is the master's _file_hash of rel: ok is false when the
// master has no such file (it returns "").
func (c *Client) masterHash(ctx context.Context, rel, saltenv string) (hsum, hashType string, ok bool, err error) {
	ret, err := c.req.Request(ctx, fileHashLoad(rel, saltenv))
	if err != nil {
		return "", "", false, err
	}
	m, isMap := ret.(body.Map)
	if !isMap {
		return "", "", false, nil
	}
	hsum, _ = m.String("hsum")
	hashType, _ = m.String("hash_type")
	return hsum, hashType, hsum != "", nil
}

// HashFile is cp.hash_file with Salt's returns: for salt:// the master's
// answer ({"hsum", "hash_type"}, or "" when it has no such file); for a
// local file its hash with the minion's hash_type, and for a local path
// that is no file [{}, null], the tuple Salt 3006 returns there.
func (c *Client) HashFile(ctx context.Context, url, saltenv string) (any, error) {
	rel, env, ok := ParseURL(url)
	if !ok {
		if st, err := os.Stat(url); err != nil || !st.Mode().IsRegular() {
			return []any{body.Map{}, nil}, nil
		}
		sum, err := fileHash(url, c.hashType)
		if err != nil {
			return nil, err
		}
		return body.Map{{Key: "hsum", Value: sum}, {Key: "hash_type", Value: c.hashType}}, nil
	}
	if env != "" {
		saltenv = env
	}
	return c.req.Request(ctx, fileHashLoad(rel, saltenv))
}

// newHash returns the hash of Salt's hash_type names.
func newHash(hashType string) (hash.Hash, error) {
	if h, ok := py.NewHash(hashType); ok {
		return h, nil
	}
	return nil, fmt.Errorf("invalid hash type %q", hashType)
}

// fileHash is salt.utils.hashutils.get_hash: the hex digest of a file.
func fileHash(path, hashType string) (string, error) {
	h, err := newHash(hashType)
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
