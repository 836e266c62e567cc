package protocol

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The loads of the master's file server and of cp.push, and their returns,
// as Salt 3006's fileclient sends them and its Fileserver/AESFuncs answer:
// the minion's file client builds a load here and parses the return here;
// the master parses the load here and builds the return here, so the two
// sides cannot drift apart. Every load carries its "cmd"; none carries the
// minion id the master trusts (the master takes it from the signing
// estate), except _file_recv's, which Salt's cp.push writes and the master
// overrides.

// ErrBadLoad is what every parser here wraps when a load or a return is not
// of the shape Salt gives it.
var ErrBadLoad = errors.New("malformed file server message")

func badLoad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadLoad, fmt.Sprintf(format, args...))
}

// ServeFile is a _serve_file load: a chunk of path in saltenv from the byte
// offset Loc.
type ServeFile struct {
	Path    string
	Loc     int64
	Saltenv string
}

// FileRef names a file in an environment: the load of _file_hash and
// _file_hash_and_stat.
type FileRef struct {
	Path    string
	Saltenv string
}

// FileListQuery is the load of _file_list, _file_list_emptydirs, _dir_list
// and _symlink_list: the environment and a prefix the paths start with ("":
// all).
type FileListQuery struct {
	Saltenv string
	Prefix  string
}

// FileChunk is _serve_file's return: up to file_buffer_size bytes of the
// file from the load's loc, Data empty at the end of the file; Dest is the
// path relative to the environment, "" when the file was not found or
// refused.
type FileChunk struct {
	Data []byte
	Dest string
}

// FileHash is _file_hash's return for a file found.
type FileHash struct {
	Hsum     string
	HashType string
}

// FileRecv is a _file_recv load (cp.push): the chunk Data of a file the
// minion pushes to <cachedir>/minions/<id>/files/<Path...>, at Loc of a
// file of Size bytes. Tok is the Salt ZeroMQ token, absent over RAET.
type FileRecv struct {
	ID   string
	Path []string
	Size int64
	Data []byte
	Loc  int64
	Tok  []byte
}

// ServeFileLoad is {"path", "loc", "saltenv", "cmd": "_serve_file"}.
func ServeFileLoad(r ServeFile) body.Map {
	return body.Map{
		{Key: "path", Value: r.Path},
		{Key: "loc", Value: r.Loc},
		{Key: "saltenv", Value: r.Saltenv},
		{Key: "cmd", Value: CmdServeFile},
	}
}

// FileRefLoad is {"path", "saltenv", "cmd"} for cmd _file_hash or
// _file_hash_and_stat.
func FileRefLoad(cmd string, r FileRef) body.Map {
	return body.Map{
		{Key: "path", Value: r.Path},
		{Key: "saltenv", Value: r.Saltenv},
		{Key: "cmd", Value: cmd},
	}
}

// FileListLoad is {"saltenv", "prefix", "cmd"} for cmd _file_list,
// _file_list_emptydirs, _dir_list or _symlink_list.
func FileListLoad(cmd string, q FileListQuery) body.Map {
	return body.Map{
		{Key: "saltenv", Value: q.Saltenv},
		{Key: "prefix", Value: q.Prefix},
		{Key: "cmd", Value: cmd},
	}
}

// FileEnvsLoad is {"cmd": "_file_envs"}.
func FileEnvsLoad() body.Map { return body.Map{{Key: "cmd", Value: CmdFileEnvs}} }

// FileRecvLoad is cp.push's load, in the order Salt's cp.push writes it:
// {"cmd", "id", "path", "size", "tok"?, "loc", "data"}.
func FileRecvLoad(r FileRecv) body.Map {
	path := make([]any, len(r.Path))
	for i, p := range r.Path {
		path[i] = p
	}
	load := body.Map{
		{Key: "cmd", Value: CmdFileRecv},
		{Key: "id", Value: r.ID},
		{Key: "path", Value: path},
		{Key: "size", Value: r.Size},
	}
	if r.Tok != nil {
		load = append(load, body.Item{Key: "tok", Value: r.Tok})
	}
	data := r.Data
	if data == nil {
		data = []byte{}
	}
	return append(load, body.Item{Key: "loc", Value: r.Loc}, body.Item{Key: "data", Value: data})
}

// ParseServeFile reads a _serve_file load. Salt needs path, loc and saltenv
// all present; a saltenv that is not a string is taken as Python's str()
// of it.
func ParseServeFile(load body.Map) (ServeFile, error) {
	ref, err := ParseFileRef(load)
	if err != nil {
		return ServeFile{}, err
	}
	loc, ok := load.Int("loc")
	if !ok || loc < 0 {
		v, _ := load.Get("loc")
		return ServeFile{}, badLoad("loc %v is not a byte offset", v)
	}
	return ServeFile{Path: ref.Path, Loc: loc, Saltenv: ref.Saltenv}, nil
}

// ParseFileRef reads the path and saltenv of a load.
func ParseFileRef(load body.Map) (FileRef, error) {
	path, ok := load.String("path")
	if !ok {
		return FileRef{}, badLoad("path is missing or not a string")
	}
	env, err := saltenv(load)
	if err != nil {
		return FileRef{}, err
	}
	return FileRef{Path: path, Saltenv: env}, nil
}

// ParseFileListQuery reads a file list load: saltenv is needed, prefix is
// optional and has its slashes stripped at both ends, as Salt does.
func ParseFileListQuery(load body.Map) (FileListQuery, error) {
	env, err := saltenv(load)
	if err != nil {
		return FileListQuery{}, err
	}
	q := FileListQuery{Saltenv: env}
	if v, has := load.Get("prefix"); has && v != nil {
		p, ok := v.(string)
		if !ok {
			return FileListQuery{}, badLoad("prefix is a %T, not a string", v)
		}
		q.Prefix = trimSlashes(p)
	}
	return q, nil
}

func trimSlashes(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// saltenv is the load's saltenv as Salt's str(load["saltenv"]) has it for
// the scalars a minion could send.
func saltenv(load body.Map) (string, error) {
	v, has := load.Get("saltenv")
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case nil:
		if has {
			return "None", nil
		}
		return "", badLoad("saltenv is missing")
	}
	if n, ok := body.AsInt64(v); ok {
		return strconv.FormatInt(n, 10), nil
	}
	return "", badLoad("saltenv is a %T, not a string", v)
}

// ParseFileRecv reads a _file_recv load: id, path (a list of strings), loc
// (not negative) and data (bytes, or a string as Python 2 minions sent it)
// are needed; size and tok are optional.
func ParseFileRecv(load body.Map) (FileRecv, error) {
	var r FileRecv
	r.ID, _ = load.String("id")
	raw, ok := load.Get("path")
	list, isList := raw.([]any)
	if !ok || !isList {
		return r, badLoad("path is not a list")
	}
	for i, c := range list {
		s, ok := c.(string)
		if !ok {
			return r, badLoad("path component %d is a %T, not a string", i+1, c)
		}
		r.Path = append(r.Path, s)
	}
	loc, ok := load.Int("loc")
	if !ok || loc < 0 {
		return r, badLoad("loc is missing or negative")
	}
	r.Loc = loc
	r.Size, _ = load.Int("size")
	data, ok := bytesOf(load, "data")
	if !ok {
		return r, badLoad("data is missing or not bytes")
	}
	r.Data = data
	r.Tok, _ = bytesOf(load, "tok")
	return r, nil
}

// bytesOf reads bytes or a string at key.
func bytesOf(m body.Map, key string) ([]byte, bool) {
	v, _ := m.Get(key)
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}

// Return builds _serve_file's return, {"data": <bin>, "dest": <path>}; a
// chunk with no Dest is Salt's not-found answer, {"data": "", "dest": ""}.
func (c FileChunk) Return() body.Map {
	if c.Dest == "" {
		return body.Map{{Key: "data", Value: ""}, {Key: "dest", Value: ""}}
	}
	data := c.Data
	if data == nil {
		data = []byte{}
	}
	return body.Map{{Key: "data", Value: data}, {Key: "dest", Value: c.Dest}}
}

// ParseFileChunk reads _serve_file's return. Dest "" means not found.
func ParseFileChunk(ret any) (FileChunk, error) {
	m, ok := ret.(body.Map)
	if !ok {
		return FileChunk{}, badLoad("chunk is a %T, not a mapping", ret)
	}
	dest, ok := m.String("dest")
	if !ok {
		return FileChunk{}, badLoad("chunk has no dest")
	}
	data, ok := bytesOf(m, "data")
	if !ok {
		return FileChunk{}, badLoad("chunk data is not bytes")
	}
	return FileChunk{Data: data, Dest: dest}, nil
}

// FileHashReturn is _file_hash's return: {"hash_type", "hsum"} (the order
// roots.file_hash fills them in), or "" when the file was not found.
func FileHashReturn(h FileHash, found bool) any {
	if !found {
		return ""
	}
	return body.Map{{Key: "hash_type", Value: h.HashType}, {Key: "hsum", Value: h.Hsum}}
}

// ParseFileHash reads _file_hash's return; found is false for Salt's ""
// (or the {} roots gives for a file gone since it was found).
func ParseFileHash(ret any) (h FileHash, found bool, err error) {
	switch x := ret.(type) {
	case string:
		if x == "" {
			return FileHash{}, false, nil
		}
	case body.Map:
		if len(x) == 0 {
			return FileHash{}, false, nil
		}
		h.Hsum, _ = x.String("hsum")
		h.HashType, _ = x.String("hash_type")
		if h.Hsum == "" || h.HashType == "" {
			return FileHash{}, false, badLoad("hash return lacks hsum or hash_type")
		}
		return h, true, nil
	}
	return FileHash{}, false, badLoad("hash return is %T %v", ret, ret)
}

// FileHashAndStatReturn is _file_hash_and_stat's return, a pair: the hash
// return and the file's os.stat as a list of ten integers (mode, ino, dev,
// nlink, uid, gid, size, atime, mtime, ctime), or ["", null] when the file
// was not found.
func FileHashAndStatReturn(h FileHash, stat []int64, found bool) []any {
	if !found {
		return []any{"", nil}
	}
	var st any
	if stat != nil {
		l := make([]any, len(stat))
		for i, n := range stat {
			l[i] = n
		}
		st = l
	}
	return []any{FileHashReturn(h, true), st}
}

// ParseFileHashAndStat reads _file_hash_and_stat's return.
func ParseFileHashAndStat(ret any) (h FileHash, stat []int64, found bool, err error) {
	pair, ok := ret.([]any)
	if !ok || len(pair) != 2 {
		return FileHash{}, nil, false, badLoad("hash and stat return is not a pair")
	}
	if h, found, err = ParseFileHash(pair[0]); err != nil || !found {
		return FileHash{}, nil, false, err
	}
	if pair[1] == nil {
		return h, nil, true, nil
	}
	l, ok := pair[1].([]any)
	if !ok {
		return FileHash{}, nil, false, badLoad("stat is a %T, not a list", pair[1])
	}
	for _, v := range l {
		n, ok := body.AsInt64(v)
		if !ok {
			if f, isFloat := v.(float64); isFloat {
				n = int64(f)
			} else {
				return FileHash{}, nil, false, badLoad("stat holds a %T", v)
			}
		}
		stat = append(stat, n)
	}
	return h, stat, true, nil
}

// PathListReturn is the return of the file, dir and empty dir lists and
// of _file_envs: a list of strings (never null).
func PathListReturn(paths []string) []any {
	out := make([]any, len(paths))
	for i, p := range paths {
		out[i] = p
	}
	return out
}

// ParsePathList reads a list of strings.
func ParsePathList(ret any) ([]string, error) {
	l, ok := ret.([]any)
	if !ok {
		return nil, badLoad("list return is a %T", ret)
	}
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, badLoad("list holds a %T, not a string", v)
		}
		out = append(out, s)
	}
	return out, nil
}

// SymlinksReturn is _symlink_list's return, {link: target}, links sorted.
func SymlinksReturn(links map[string]string, order []string) body.Map {
	m := make(body.Map, 0, len(order))
	for _, k := range order {
		m = append(m, body.Item{Key: k, Value: links[k]})
	}
	return m
}

// ParseSymlinks reads _symlink_list's return.
func ParseSymlinks(ret any) (map[string]string, error) {
	m, ok := ret.(body.Map)
	if !ok {
		return nil, badLoad("symlink return is a %T, not a mapping", ret)
	}
	out := make(map[string]string, len(m))
	for _, it := range m {
		s, ok := it.Value.(string)
		if !ok {
			return nil, badLoad("symlink %q has a %T target", it.Key, it.Value)
		}
		out[it.Key] = s
	}
	return out, nil
}

// ParseFileRecvReturn reads _file_recv's return: true when the chunk was
// written. Salt answers {} to a minion that is not who it says; that is
// false too.
func ParseFileRecvReturn(ret any) bool { b, _ := ret.(bool); return b }

// MasterOptsLoad is _master_opts' load: {"cmd", "env_only"?}. With
// envOnly the master gives only the environments and the top file's
// options.
func MasterOptsLoad(envOnly bool) body.Map {
	load := body.Map{{Key: "cmd", Value: CmdMasterOpts}}
	if envOnly {
		load = append(load, body.Item{Key: "env_only", Value: true})
	}
	return load
}
