package master

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileserver"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The master's file server over the road: a minion's file client sends
// Salt's RemoteFuncs file commands to remote_cmd with a track share of its
// own, and gets each answer back on that track (protocol.RemoteReply).
// They run on the workers, as every remote_cmd does: disk reads and hashes
// never hold up the router.

// replyTimeout bounds the delivery of one answer to a minion's request: a
// chunk of file_buffer_size (a megabyte by default) is about a thousand
// segments, and mine.get's answer may hold every targeted minion's data.
const replyTimeout = 60 * time.Second

// newFileServer is the file server of the configuration; a bad option is
// reported where it was set.
func newFileServer(cfg *config.Master, log logrus.FieldLogger) (*fileserver.Server, error) {
	o := cfg.FileOptions()
	s, err := fileserver.New(fileserver.Options{
		Roots: cfg.FileRoots, Backends: o.FileserverBackend, HashType: cfg.HashType,
		BufferSize: o.FileBufferSize, IgnoreRegex: o.FileIgnoreRegex, IgnoreGlob: o.FileIgnoreGlob,
		TopFileMergingStrategy: o.TopFileMergingStrategy, Log: log,
	})
	if err != nil {
		key, msg, _ := strings.Cut(err.Error(), ": ")
		return nil, cfg.Errorf(key, "%s", msg)
	}
	return s, nil
}

// handleFiles answers a file command of the minion id, whose estate is rs,
// to the track of the request's route.
func (m *Master) handleFiles(id string, rs road.RemoteState, req route.Route, cmd string, load body.Map) {
	var ret any
	switch cmd {
	case protocol.CmdFileRecv:
		ret = m.fileRecv(id, load)
	case protocol.CmdMasterOpts:
		envOnly, _ := load.Get("env_only")
		ret = m.masterOpts(py.Truthy(envOnly))
	default:
		load = slices.Clone(load)
		load.Set("id", id)
		ret, _ = m.files.Serve(cmd, load)
		m.stats.Add("file_request")
		if cmd == protocol.CmdServeFile && chunkBytes(ret) > 0 {
			m.stats.Add("file_chunk_served")
		}
	}
	m.replyTo("file", id, rs, req, cmd, ret)
}

// chunkBytes is the size of the data of a _serve_file return: a chunk
// served is counted (file_chunk_served), so that a fetch the minion's cache
// spared shows as none.
func chunkBytes(ret any) int {
	c, err := protocol.ParseFileChunk(ret)
	if err != nil {
		return 0
	}
	return len(c.Data)
}

// masterOpts is RemoteFuncs._master_opts: the environments (each with no
// roots: a minion is not told the master's directories) and the options
// the minion's state system takes from its master. Options this master
// does not type are taken from its config as written, else Salt's
// defaults.
func (m *Master) masterOpts(envOnly bool) body.Map {
	roots := body.Map{}
	for _, env := range m.files.Envs() {
		roots = append(roots, body.Item{Key: env, Value: []any{}})
	}
	o := m.cfg.FileOptions()
	raw := func(key string, def any) body.Item {
		if v, ok := m.cfg.Raw[key]; ok {
			return body.Item{Key: key, Value: v}
		}
		return body.Item{Key: key, Value: def}
	}
	mopts := body.Map{
		{Key: "file_roots", Value: roots},
		{Key: "top_file_merging_strategy", Value: o.TopFileMergingStrategy},
		raw("env_order", []any{}),
		raw("default_top", "base"),
	}
	if envOnly {
		return mopts
	}
	return append(mopts,
		body.Item{Key: "renderer", Value: o.Renderer},
		raw("failhard", false), raw("state_top", "top.sls"), raw("state_top_saltenv", nil),
		body.Item{Key: "nodegroups", Value: o.Nodegroups},
		raw("state_auto_order", true), raw("state_events", false), raw("state_aggregate", false),
		raw("jinja_env", map[string]any{}), raw("jinja_sls_env", map[string]any{}),
		raw("jinja_lstrip_blocks", false), raw("jinja_trim_blocks", false))
}

// fileRecv is AESFuncs._file_recv (cp.push) for the minion id: a chunk of
// a file written under <cachedir>/minions/<id>/files/, only when file_recv
// is on, never past file_recv_max_size MB, never outside that directory.
// The id is the signing estate's; the load's is ignored, as is Salt's tok
// (the road's signature is the proof).
func (m *Master) fileRecv(id string, load body.Map) bool {
	o := m.cfg.FileOptions()
	if !o.FileRecv {
		m.refuse("file_recv_off", "Refused a file push from %s: file_recv is off in %s", id, m.cfg.ConfFile)
		return false
	}
	r, err := protocol.ParseFileRecv(load)
	if err != nil {
		m.refuse("bad_load", "Refused a file push from %s: %v", id, err)
		return false
	}
	if limit := int64(o.FileRecvMaxSize) << 20; int64(len(r.Data))+r.Loc > limit {
		m.refuse("file_recv_too_large", "Refused a file push from %s: file_recv_max_size limit of %d MB exceeded by %s",
			id, o.FileRecvMaxSize, clip(strings.Join(r.Path, "/")))
		return false
	}
	dest, err := m.pushPath(id, r.Path)
	if err != nil {
		m.refuse("file_recv_refused", "Refused a file push from %s to %q: %v", id, clip(strings.Join(r.Path, "/")), err)
		return false
	}
	if err := writeChunk(dest, r.Loc, r.Data); err != nil {
		m.stats.Add("cache_error")
		m.log.Errorf("File push from %s to %s: %v", id, dest, err)
		return false
	}
	m.stats.Add("file_recv")
	return true
}

// pushPath is where a pushed file goes: <cachedir>/minions/<id>/files/
// joined with its components, refused when a component is "..", the path is
// absolute or holds a NUL, or the directory it lands in is (through a
// symlink) somewhere else.
func (m *Master) pushPath(id string, comps []string) (string, error) {
	if err := job.ValidID(id); err != nil {
		return "", err
	}
	joined := strings.Join(comps, "/")
	switch {
	case joined == "" || strings.ContainsRune(joined, 0):
		return "", errors.New("the path is empty or holds a NUL")
	case strings.HasPrefix(joined, "/"):
		return "", errors.New("the path is absolute")
	case slices.Contains(strings.Split(joined, "/"), ".."):
		return "", errors.New("the path has a .. component")
	}
	rel := path.Clean(joined)
	if rel == "." {
		return "", errors.New("the path names no file")
	}
	base := filepath.Join(m.cfg.Cachedir, "minions", id, "files")
	dest := filepath.Join(base, filepath.FromSlash(rel))
	if err := mkdir.All(filepath.Dir(dest), 0o700); err != nil {
		return "", err
	}
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", err
	}
	realDir, err := filepath.EvalSymlinks(filepath.Dir(dest))
	if err != nil {
		return "", err
	}
	if realDir != realBase && !strings.HasPrefix(realDir, realBase+string(filepath.Separator)) {
		return "", fmt.Errorf("%s leads out of %s", filepath.Dir(dest), base)
	}
	return filepath.Join(realDir, filepath.Base(dest)), nil
}

// writeChunk writes data at loc of the file: the first chunk (loc 0)
// starts the file afresh, as Salt's "wb"; a later one goes at its offset.
// A symlink at dest is refused, not followed.
func writeChunk(dest string, loc int64, data []byte) error {
	if fi, err := os.Lstat(dest); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", dest)
	}
	flags := os.O_WRONLY | os.O_CREATE
	if loc == 0 {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(dest, flags, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, loc); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
