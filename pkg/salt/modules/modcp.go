package modules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cpFuncs is Salt 3006's cp module (salt/modules/cp.py): files of the
// master's file server fetched to the minion, cached, listed and hashed,
// and files pushed to the master, over the Executor's file client. Names,
// arguments and returns are Salt's: "" or False where Salt gives them for a
// file the master does not have.
func cpFuncs() []Func {
	return append(append(cpFetchFuncs(), cpCacheFuncs()...), cpListFuncs()...)
}

// saltenvArg is cp's `if not saltenv: saltenv = __opts__["saltenv"] or
// "base"`.
func (c *Call) saltenvArg() string {
	if v := c.Arg("saltenv"); pyTruthy(v) {
		return py.Str(v)
	}
	if c.exec.opts.Saltenv != "" {
		return c.exec.opts.Saltenv
	}
	return "base"
}

func (c *Call) files() *fileclient.Client { return c.exec.opts.Files }

// strArg is a string argument as Salt's code uses it; None is "".
func (c *Call) strArg(name string) string {
	if v := c.Arg(name); v != nil {
		return py.Str(v)
	}
	return ""
}

// fileErr reports the file client's errors as the exceptions Salt raises:
// MinionError and a failed request (SaltClientError) as exceptions,
// CommandExecutionError as "ERROR: ...".
func fileErr(err error) error {
	var me *fileclient.MinionError
	var ce *fileclient.CommandExecutionError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &me):
		return &Exception{Type: "salt.exceptions.MinionError", Msg: me.Msg}
	case errors.As(err, &ce):
		return cmdErr("%s", ce.Msg)
	}
	return &Exception{Type: "salt.exceptions.SaltClientError", Msg: err.Error()}
}

// falseIfEmpty is the file client's "" as Salt's False.
func falseIfEmpty(p string) any {
	if p == "" {
		return false
	}
	return p
}

func cpListFuncs() []Func {
	envPrefix := []Param{{Name: "saltenv"}, {Name: "prefix", Default: ""}}
	list := func(name, doc string, get func(c *Call, env, prefix string) (any, error)) Func {
		return Func{Name: name, Params: envPrefix, Doc: doc, Call: func(c *Call) (any, error) {
			ret, err := get(c, c.saltenvArg(), c.strArg("prefix"))
			return ret, fileErr(err)
		}}
	}
	return []Func{
		list("cp.list_master", "List all of the files stored on the master.\n\nCLI Example: salt '*' cp.list_master",
			func(c *Call, env, prefix string) (any, error) {
				l, err := c.files().ListMaster(c.Ctx, env, prefix)
				return toAnyList(l), err
			}),
		list("cp.list_master_dirs", "List all of the directories stored on the master.\n\nCLI Example: salt '*' cp.list_master_dirs",
			func(c *Call, env, prefix string) (any, error) {
				l, err := c.files().ListMasterDirs(c.Ctx, env, prefix)
				return toAnyList(l), err
			}),
		list("cp.list_master_symlinks", "List all of the symlinks stored on the master.\n\nCLI Example: salt '*' cp.list_master_symlinks",
			func(c *Call, env, prefix string) (any, error) {
				return c.files().ListMasterSymlinks(c.Ctx, env, prefix)
			}),
		{
			Name: "cp.list_states", Params: []Param{{Name: "saltenv"}},
			Doc: ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nList all of the available state modules in an environment\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.list_states",
			Call: func(c *Call) (any, error) {
				l, err := c.files().ListStates(c.Ctx, c.saltenvArg())
				return toAnyList(l), fileErr(err)
			},
		},
		{
			Name: "cp.envs",
			Doc:  "List available environments for fileserver\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.envs",
			Call: func(c *Call) (any, error) { l, err := c.files().Envs(c.Ctx); return toAnyList(l), fileErr(err) },
		},
		{
			Name: "cp.is_cached", Params: []Param{{Name: "path", Required: true}, {Name: "saltenv"}},
			Doc:  ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nReturns the full path to a file if it is cached locally on the minion\notherwise returns a blank string\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.is_cached salt://path/to/file",
			Call: func(c *Call) (any, error) { return c.files().IsCached(c.strArg("path"), c.saltenvArg()), nil },
		},
		{
			Name: "cp.hash_file", Params: []Param{{Name: "path", Required: true}, {Name: "saltenv"}},
			Doc: ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nReturn the hash of a file, to get the hash of a file on the\nsalt master file server prepend the path with salt://<file on server>\notherwise, prepend the file with / for a local file.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.hash_file salt://path/to/file",
			Call: func(c *Call) (any, error) {
				ret, err := c.files().HashFile(c.Ctx, c.strArg("path"), c.saltenvArg())
				return ret, fileErr(err)
			},
		},
		{
			Name: "cp.push", Params: []Param{{Name: "path", Required: true}, {Name: "keep_symlinks", Default: false},
				{Name: "upload_path"}, {Name: "remove_source", Default: false}},
			Doc:  "WARNING Files pushed to the master will have global read permissions..\n\nPush a file from the minion up to the master, the file will be saved to\nthe salt master in the master's minion files cachedir\n(defaults to ``/var/cache/salt/master/minions/minion-id/files``)\n\nSince this feature allows a minion to push a file up to the master server\nit is disabled by default for security purposes. To enable, set\n``file_recv`` to ``True`` in the master configuration file, and restart the\nmaster.\n\nkeep_symlinks\n    Keep the path value without resolving its canonical form\n\nupload_path\n    Provide a different path inside the master's minion files cachedir\n\nremove_source\n    Remove the source file on the minion\n\n    .. versionadded:: 2016.3.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.push /etc/fstab\n    salt '*' cp.push /etc/system-release keep_symlinks=True\n    salt '*' cp.push /etc/fstab upload_path='/new/path/fstab'\n    salt '*' cp.push /tmp/filename remove_source=True",
			Call: cpPush,
		},
		{
			Name:   "cp.push_dir",
			Params: []Param{{Name: "path", Required: true}, {Name: "glob"}, {Name: "upload_path"}},
			Doc:    "Push a directory from the minion up to the master, the files will be saved\nto the salt master in the master's minion files cachedir (defaults to\n``/var/cache/salt/master/minions/minion-id/files``).  It also has a glob\nfor matching specific files using globbing.\n\n.. versionadded:: 2014.7.0\n\nSince this feature allows a minion to push files up to the master server it\nis disabled by default for security purposes. To enable, set ``file_recv``\nto ``True`` in the master configuration file, and restart the master.\n\nupload_path\n    Provide a different path and directory name inside the master's minion\n    files cachedir\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.push /usr/lib/mysql\n    salt '*' cp.push /usr/lib/mysql upload_path='/newmysql/path'\n    salt '*' cp.push_dir /etc/modprobe.d/ glob='*.conf'",
			Call:   cpPushDir,
		},
	}
}

// cpPush is cp.push: an absolute path of a regular file (its symlinks
// resolved unless keep_symlinks) goes to the master under upload_path, or
// its own path; False for a path Salt refuses.
func cpPush(c *Call) (any, error) {
	return push(c, c.strArg("path"), c.strArg("upload_path"), pyTruthy(c.Arg("keep_symlinks")), pyTruthy(c.Arg("remove_source")))
}

func push(c *Call, path, upload string, keepSymlinks, removeSource bool) (any, error) {
	if strings.Contains(path, "../") || !filepath.IsAbs(path) {
		return false, nil
	}
	if !keepSymlinks {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return false, nil
	}
	load := strings.TrimLeft(path, "/")
	if upload != "" {
		if strings.Contains(upload, "../") {
			return false, nil
		}
		load = strings.TrimLeft(upload, "/")
	}
	var comps []string
	for _, p := range strings.Split(filepath.Clean(load), "/") {
		if p != "" {
			comps = append(comps, p)
		}
	}
	ret, err := c.files().Push(c.Ctx, path, comps)
	if err != nil || !pyTruthy(ret) {
		return ret, fileErr(err)
	}
	if removeSource {
		if err := os.RemoveAll(path); err != nil {
			return false, nil
		}
	}
	return ret, nil
}

// cpPushDir is cp.push_dir: push, for every file under a directory whose
// base name matches glob, to upload_path/<its path under the directory>.
// False for a path Salt refuses and for a directory without such files.
func cpPushDir(c *Call) (any, error) {
	dir, upload := c.strArg("path"), c.strArg("upload_path")
	if strings.Contains(dir, "../") || !filepath.IsAbs(dir) {
		return false, nil
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	if st, err := os.Stat(dir); err == nil && st.Mode().IsRegular() {
		return push(c, dir, upload, false, false)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (c.Arg("glob") == nil || py.Fnmatch(filepath.Base(p), c.strArg("glob"))) {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		return false, nil
	}
	for _, f := range files {
		to := upload
		if upload != "" {
			to = "/" + strings.Trim(upload, "/") + "/" + strings.Trim(strings.TrimPrefix(f, dir), "/")
		}
		if ret, err := push(c, f, to, false, false); err != nil || !pyTruthy(ret) {
			return ret, err
		}
	}
	return true, nil
}
