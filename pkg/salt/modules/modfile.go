package modules

import (
	_ "embed"
	"encoding/json"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// fileFuncs is Salt's file module (salt/modules/file.py): the functions
// that look at files, that change them, that edit their text, and
// manage_file, which the file states are built on. The logic the file
// states share with it lives in internal/filemod.
func fileFuncs(opts Options) []Func {
	groups := [][]Func{fileInfoFuncs(), fileChangeFuncs(), fileOwnerFuncs(), fileTextFuncs(), fileEditFuncs(), fileFindFuncs(), fileBackupFuncs(), fileManageFuncs()}
	var out []Func
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// fileDocsJSON holds the docstrings of Salt 3006.3's file functions as
// Python holds them (__doc__), which sys.doc shows and "Passed invalid
// arguments" errors append; kept as data rather than Go strings.
//
//go:embed modfile_docs.json
var fileDocsJSON []byte

var fileDocs = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(fileDocsJSON, &m); err != nil {
		panic(err) // the embedded file is part of the build
	}
	return m
})

// fileFunc is a file.<name> function with Salt's docstring.
func fileFunc(name string, params []Param, call func(c *Call) (any, error)) Func {
	return Func{Name: "file." + name, Params: params, Doc: fileDocs()["file."+name], Call: call}
}

// fileReq and fileOpt build Params: required, and with a default.
func fileReq(name string) Param          { return Param{Name: name, Required: true} }
func fileOpt(name string, def any) Param { return Param{Name: name, Default: def} }

// pathArg is a path argument after os.path.expanduser.
func (c *Call) pathArg(name string) string { return filemod.ExpandUser(c.strArg(name)) }

// pyOSError is an OSError the Python function would let through, reported
// as the minion reports an exception: "FileNotFoundError: [Errno 2] No such
// file or directory: '/x'".
func pyOSError(err error, path string) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	typ := map[syscall.Errno]string{syscall.ENOENT: "FileNotFoundError", syscall.EACCES: "PermissionError",
		syscall.EPERM: "PermissionError", syscall.EEXIST: "FileExistsError", syscall.EISDIR: "IsADirectoryError",
		syscall.ENOTDIR: "NotADirectoryError"}[errno]
	if typ == "" {
		typ = "OSError"
	}
	return &Exception{Type: typ, Msg: osErrorText(err, path)}
}

func fileInfoFuncs() []Func {
	pathOnly := []Param{fileReq("path")}
	follow := []Param{fileReq("path"), fileOpt("follow_symlinks", true)}
	return []Func{
		fileFunc("file_exists", pathOnly, func(c *Call) (any, error) { return filemod.IsFile(c.pathArg("path")), nil }),
		fileFunc("directory_exists", pathOnly, func(c *Call) (any, error) { return isDirPath(c.pathArg("path")), nil }),
		fileFunc("is_link", pathOnly, func(c *Call) (any, error) { return filemod.IsSymlink(c.pathArg("path")), nil }),
		fileFunc("access", []Param{fileReq("path"), fileReq("mode")}, fileAccess),
		fileFunc("stats", []Param{fileReq("path"), fileOpt("hash_type", nil), fileOpt("follow_symlinks", true)}, func(c *Call) (any, error) {
			return fileStats(c.pathArg("path"), c.strArg("hash_type"), pyTruthy(c.Arg("follow_symlinks")))
		}),
		fileFunc("get_mode", follow, statField("mode")),
		fileFunc("get_user", follow, statField("user")),
		fileFunc("get_group", follow, statField("group")),
		fileFunc("get_hash", []Param{fileReq("path"), fileOpt("form", "sha256"), fileOpt("chunk_size", int64(65536))}, func(c *Call) (any, error) {
			return fileHash(c.pathArg("path"), c.strArg("form"))
		}),
		fileFunc("get_sum", []Param{fileReq("path"), fileOpt("form", "sha256")}, func(c *Call) (any, error) {
			p := c.pathArg("path")
			if !filemod.IsFile(p) {
				return "File not found", nil
			}
			return fileHash(p, c.strArg("form"))
		}),
		fileFunc("check_hash", []Param{fileReq("path"), fileReq("file_hash")}, fileCheckHash),
		fileFunc("read", []Param{fileReq("path"), fileOpt("binary", false)}, fileRead),
		fileFunc("readlink", []Param{fileReq("path"), fileOpt("canonicalize", false)}, fileReadlink),
	}
}

// fileAccess is file.access: os.access with f, r, w, x or their numbers.
func fileAccess(c *Call) (any, error) {
	p := c.pathArg("path")
	if !filepath.IsAbs(p) {
		return nil, invocationErr("Path to link must be absolute.")
	}
	modes := map[string]uint32{"f": 0, "r": 4, "w": 2, "x": 1}
	var mode uint32
	switch m := c.Arg("mode").(type) {
	case string:
		v, ok := modes[m]
		if !ok {
			return nil, invocationErr("Invalid mode specified.")
		}
		mode = v
	default:
		n, err := pyInt(m)
		if err != nil || (n != 0 && n != 1 && n != 2 && n != 4) {
			return nil, invocationErr("Invalid mode specified.")
		}
		mode = uint32(n)
	}
	return syscall.Access(p, mode) == nil, nil
}

// fileHash is salt.utils.hashutils.get_hash.
func fileHash(path, form string) (any, error) {
	h, ok := py.NewHash(form)
	if !ok {
		return nil, &Exception{Type: "ValueError", Msg: "Invalid hash type: " + form}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, pyOSError(err, path)
	}
	defer f.Close()
	if _, err := f.WriteTo(h); err != nil {
		return nil, pyOSError(err, path)
	}
	return hexString(h.Sum(nil)), nil
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// hashLengths is salt.utils.files.HASHES_REVMAP: the hash a hex digest of
// that length is taken to be.
var hashLengths = map[int]string{128: "sha512", 96: "sha384", 64: "sha256", 56: "sha224", 40: "sha1", 32: "md5"}

func fileCheckHash(c *Call) (any, error) {
	fh, ok := c.Arg("file_hash").(string)
	if !ok {
		return nil, invocationErr("hash must be a string")
	}
	var typ, value string
	found := false
	for _, sep := range []string{":", "="} {
		if typ, value, found = strings.Cut(fh, sep); found {
			break
		}
	}
	if !found {
		value = fh
		typ = hashLengths[len(fh)]
		if typ == "" {
			return nil, invocationErr("Hash %s (length: %d) could not be matched to a supported hash type. The supported hash types and lengths are: md5 (32), sha1 (40), sha224 (56), sha256 (64), sha384 (96), sha512 (128)", fh, len(fh))
		}
	}
	got, err := fileHash(c.pathArg("path"), typ)
	if err != nil {
		return nil, err
	}
	return got == value, nil
}

// fileRead is file.read; unlike its neighbours it does not expand ~.
func fileRead(c *Call) (any, error) {
	p := c.strArg("path")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, pyOSError(err, p)
	}
	if c.Arg("binary") == true {
		return data, nil
	}
	return string(data), nil
}

func fileReadlink(c *Call) (any, error) {
	p := pyExpandVars(c.pathArg("path"))
	if !filepath.IsAbs(p) {
		return nil, invocationErr("Path to link must be absolute: %s", p)
	}
	if !filemod.IsSymlink(p) {
		return nil, invocationErr("A valid link was not specified: %s", p)
	}
	if pyTruthy(c.Arg("canonicalize")) {
		return pyRealpath(p), nil
	}
	t, err := os.Readlink(p)
	if err != nil {
		return nil, cmdErr("%s", osErrorText(err, p))
	}
	return t, nil
}

// pyExpandVars is os.path.expandvars: $name and ${name} of set variables
// are replaced, the others left as they are.
func pyExpandVars(s string) string {
	return os.Expand(s, func(name string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return "${" + name + "}"
	})
}

// pyRealpath is os.path.realpath: every symlink on the way resolved, a
// dangling one to where it points, the rest of the path kept as written.
func pyRealpath(p string) string {
	abs, _ := filepath.Abs(p)
	resolved := "/"
	rest := strings.Split(strings.TrimPrefix(abs, "/"), "/")
	for hops := 0; len(rest) > 0; {
		name := rest[0]
		rest = rest[1:]
		if name == "" || name == "." {
			continue
		}
		next := filepath.Join(resolved, name)
		target, err := os.Readlink(next)
		if err != nil || hops > 40 {
			resolved = next
			continue
		}
		hops++
		if filepath.IsAbs(target) {
			resolved = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return resolved
}

// statField is get_mode, get_user and get_group: one field of stats.
func statField(key string) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		st, err := fileStats(c.pathArg("path"), "", pyTruthy(c.Arg("follow_symlinks")))
		if err != nil {
			return nil, err
		}
		v, _ := st.Get(key)
		return v, nil
	}
}

// uidArg is file.user_to_uid of an argument: an int as it is, a name
// looked up, None the user the minion runs as; "" when unknown.
func uidArg(v any) any {
	switch u := v.(type) {
	case nil:
		return int64(os.Geteuid())
	case int64, int:
		return u
	}
	if u, err := user.Lookup(py.Str(v)); err == nil {
		n, _ := strconv.ParseInt(u.Uid, 10, 64)
		return n
	}
	return ""
}

// gidArg is file.group_to_gid: None is "".
func gidArg(v any) any {
	switch g := v.(type) {
	case nil:
		return ""
	case int64, int:
		return g
	}
	if g, err := user.LookupGroup(py.Str(v)); err == nil {
		n, _ := strconv.ParseInt(g.Gid, 10, 64)
		return n
	}
	return ""
}
