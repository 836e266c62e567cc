package modules

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// cpFetchFuncs are the cp functions that bring files of the master to the
// minion.
func cpFetchFuncs() []Func {
	return []Func{
		{
			Name: "cp.get_file",
			Params: []Param{{Name: "path", Required: true}, {Name: "dest", Required: true}, {Name: "saltenv"},
				{Name: "makedirs", Default: false}, {Name: "template"}, {Name: "gzip"}},
			VarKwargs: true,
			Doc:       "Used to get a single file from the salt master.\n\nCLI Example: salt '*' cp.get_file salt://path/to/file /minion/dest",
			Call:      cpGetFile,
		},
		{
			Name: "cp.get_dir",
			Params: []Param{{Name: "path", Required: true}, {Name: "dest", Required: true}, {Name: "saltenv"},
				{Name: "template"}, {Name: "gzip"}},
			VarKwargs: true,
			Doc:       ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nUsed to recursively copy a directory from the salt master\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.get_dir salt://path/to/dir/ /minion/dest\n\nget_dir supports the same template and gzip arguments as get_file.",
			Call: func(c *Call) (any, error) {
				env := c.saltenvArg()
				path, dest, err := c.renderFilenames(c.strArg("path"), c.strArg("dest"), env)
				if err != nil {
					return nil, err
				}
				l, err := c.files().GetDir(c.Ctx, path, dest, env)
				return toAnyList(l), fileErr(err)
			},
		},
		{
			Name: "cp.get_template",
			Params: []Param{{Name: "path", Required: true}, {Name: "dest", Required: true}, {Name: "template", Default: "jinja"},
				{Name: "saltenv"}, {Name: "makedirs", Default: false}},
			VarKwargs: true,
			Doc:       ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nRender a file as a template before setting it down.\nWarning, order is not the same as in fileclient.cp for\nnon breaking old API.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.get_template salt://path/to/template /minion/dest",
			Call:      cpGetTemplate,
		},
		{
			Name: "cp.get_url",
			Params: []Param{{Name: "path", Required: true}, {Name: "dest", Default: ""}, {Name: "saltenv"},
				{Name: "makedirs", Default: false}, {Name: "source_hash"}},
			Doc:  "Used to get a single file from a URL.\n\nCLI Example: salt '*' cp.get_url salt://my/file /tmp/this_file_is_mine",
			Call: cpGetURL,
		},
		{
			Name: "cp.cache_file",
			Params: []Param{{Name: "path", Required: true}, {Name: "saltenv"}, {Name: "source_hash"},
				{Name: "verify_ssl", Default: true}, {Name: "use_etag", Default: false}},
			Doc: "Download, cache, and return the path of a file from the master (or another remote location), or return the path of a local file.\n\nCLI Example: salt '*' cp.cache_file salt://path/to/file",
			Call: func(c *Call) (any, error) {
				p, err := c.files().CacheFile(c.Ctx, c.strArg("path"), c.saltenvArg())
				return falseIfEmpty(p), fileErr(err)
			},
		},
	}
}

// cpCacheFuncs are the cp functions that fill the minion's cache.
func cpCacheFuncs() []Func {
	return []Func{
		{
			Name:   "cp.get_file_str",
			Params: []Param{{Name: "path", Required: true}, {Name: "saltenv"}},
			Doc:    ".. versionchanged:: 3005\n    ``saltenv`` will use value from config if not explicitly set\n\nDownload a file from a URL to the Minion cache directory and return the\ncontents of that file\n\nReturns ``False`` if Salt was unable to cache a file from a URL.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cp.get_file_str salt://my/file",
			Call: func(c *Call) (any, error) {
				p, err := c.files().CacheFile(c.Ctx, c.strArg("path"), c.saltenvArg())
				if err != nil || p == "" {
					return false, fileErr(err)
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return false, nil
				}
				return string(data), nil
			},
		},
		{
			Name:   "cp.cache_files",
			Params: []Param{{Name: "paths", Required: true}, {Name: "saltenv"}},
			Doc:    "Used to gather many files from the Master, the gathered files will be saved in the minion cachedir reflective to the paths retrieved from the Master.\n\nCLI Example: salt '*' cp.cache_files salt://pathto/file1,salt://pathto/file1",
			Call:   cpCacheFiles,
		},
		{
			Name: "cp.cache_dir",
			Params: []Param{{Name: "path", Required: true}, {Name: "saltenv"}, {Name: "include_empty", Default: false},
				{Name: "include_pat"}, {Name: "exclude_pat"}},
			Doc: "Download and cache everything under a directory from the master.\n\nCLI Example: salt '*' cp.cache_dir salt://path/to/dir",
			Call: func(c *Call) (any, error) {
				l, err := c.files().CacheDir(c.Ctx, c.strArg("path"), c.saltenvArg(), pyTruthy(c.Arg("include_empty")),
					patterns(c.Arg("include_pat")), patterns(c.Arg("exclude_pat")))
				return toAnyList(l), fileErr(err)
			},
		},
	}
}

// patterns is an include_pat or exclude_pat: one pattern, or a list.
func patterns(v any) []string {
	if v == nil {
		return nil
	}
	if l, ok := py.ListItems(v); ok {
		out := make([]string, len(l))
		for i, p := range l {
			out[i] = py.Str(p)
		}
		return out
	}
	if s := py.Str(v); s != "" {
		return []string{s}
	}
	return nil
}

// cpGetFile is cp.get_file: "" when the master has no such file, False
// when dest's directory is missing without makedirs, else the path.
func cpGetFile(c *Call) (any, error) {
	env := c.saltenvArg()
	path, dest, err := c.renderFilenames(c.strArg("path"), c.strArg("dest"), env)
	if err != nil {
		return nil, err
	}
	if _, senv, ok := fileclient.ParseURL(path); ok && senv != "" {
		env = senv
	}
	h, err := c.files().HashFile(c.Ctx, path, env)
	if err != nil {
		return nil, fileErr(err)
	}
	if !pyTruthy(h) {
		return "", nil
	}
	p, err := c.files().GetFile(c.Ctx, path, dest, pyTruthy(c.Arg("makedirs")), env)
	return falseIfEmpty(p), fileErr(err)
}

// renderFilenames is cp._render_filenames: with a template engine named,
// path and dest are rendered through it first.
func (c *Call) renderFilenames(path, dest, saltenv string) (string, string, error) {
	tmpl := c.strArg("template")
	if !pyTruthy(c.Arg("template")) {
		return path, dest, nil
	}
	if tmpl != "jinja" || c.exec.opts.Template == nil {
		return "", "", cmdErr("Attempted to render file paths with unavailable engine %s", tmpl)
	}
	var out [2]string
	for i, s := range []string{path, dest} {
		r, err := c.exec.opts.Template("", []byte(s), saltenv)
		if err != nil {
			return "", "", cmdErr("Failed to render file path with error: %v", err)
		}
		out[i] = r
	}
	return out[0], out[1], nil
}

// cpGetTemplate is cp.get_template: the file is cached, rendered through
// the Template option and written to dest (or, without one, to
// <cachedir>/extrn_files/<saltenv>/<path>). "" when the file is missing,
// the engine is not Jinja (or no renderer is wired), or dest's directory
// is missing without makedirs; a render failure is Salt's
// SaltRenderError.
func cpGetTemplate(c *Call) (any, error) {
	return getTemplate(c, c.strArg("path"), c.strArg("dest"), c.strArg("template"), c.saltenvArg(), pyTruthy(c.Arg("makedirs")))
}

// getTemplate is cp.get_template's work, which cmd.script's template=
// shares.
func getTemplate(c *Call, url, dest, template, env string, makedirs bool) (string, error) {
	sfn, err := c.files().CacheFile(c.Ctx, url, env)
	if err != nil {
		return "", fileErr(err)
	}
	if sfn == "" || template != "jinja" || c.exec.opts.Template == nil {
		return "", nil
	}
	text, err := os.ReadFile(sfn)
	if err != nil {
		return "", nil
	}
	out, err := c.exec.opts.Template(sfn, text, env)
	if err != nil {
		return "", &Exception{Type: "salt.exceptions.SaltRenderError", Msg: err.Error()}
	}
	if dest == "" {
		rel, _, _ := fileclient.ParseURL(url)
		dest = filepath.Join(c.files().Cachedir(), "extrn_files", env, strings.TrimLeft(rel, "/"))
		makedirs = true
	}
	if dir := filepath.Dir(dest); !isDirPath(dir) {
		if !makedirs {
			return "", nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", cmdErr("%v", err)
		}
	}
	if err := os.WriteFile(dest, []byte(out), 0o644); err != nil {
		return "", &Exception{Type: "OSError", Msg: err.Error()}
	}
	return dest, nil
}

func isDirPath(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// cpGetURL is cp.get_url for salt:// and local paths: the path the file
// is at, False when the master has no such file; with dest None the
// file's contents.
func cpGetURL(c *Call) (any, error) {
	env := c.saltenvArg()
	dest, ok := c.Arg("dest").(string)
	p, err := c.files().GetURL(c.Ctx, c.strArg("path"), dest, pyTruthy(c.Arg("makedirs")), env)
	if err != nil || p == "" {
		return false, fileErr(err)
	}
	if ok {
		return p, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, &Exception{Type: "FileNotFoundError", Msg: err.Error()}
	}
	return string(data), nil
}

// cpCacheFiles is cp.cache_files: a list of paths, or one string of them
// separated by commas; False for each the master does not have.
func cpCacheFiles(c *Call) (any, error) {
	var paths []string
	if s, ok := c.Arg("paths").(string); ok {
		paths = strings.Split(s, ",")
	} else {
		paths = patterns(c.Arg("paths"))
	}
	l, err := c.files().CacheFiles(c.Ctx, paths, c.saltenvArg())
	if err != nil {
		return nil, fileErr(err)
	}
	out := make([]any, len(l))
	for i, p := range l {
		out[i] = falseIfEmpty(p)
	}
	return out, nil
}
