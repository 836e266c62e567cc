package runner

import (
	"io"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/salt/fileserver"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// fileserverFuncs are Salt's fileserver runner (salt/runners/fileserver.py)
// over the master's file server: the roots backend, the only one served.
func fileserverFuncs(env *Env) []modules.Func {
	listParams := []modules.Param{{Name: "saltenv", Default: "base"}, {Name: "backend"}}
	list := func(name, doc string, get func(*fileserver.Server, string) []string) modules.Func {
		return modules.Func{
			Name: "fileserver." + name, Params: listParams, Doc: doc,
			Call: func(c *modules.Call) (any, error) {
				s, err := env.fileServer()
				if err != nil {
					return nil, err
				}
				out := []string{}
				if slices.Contains(env.backends(c.Arg("backend")), "roots") {
					out = append(out, get(s, str(c.Arg("saltenv")))...)
				}
				slices.Sort(out)
				return out, nil
			},
		}
	}
	return []modules.Func{
		{
			Name: "fileserver.envs", Params: []modules.Param{{Name: "backend"}, {Name: "sources", Default: false}},
			Doc: fileserverDocs["envs"],
			Call: func(c *modules.Call) (any, error) {
				return env.fileEnvs(c.Arg("backend"), pyTrue(c.Arg("sources"))), nil
			},
		},
		list("file_list", fileserverDocs["file_list"],
			func(s *fileserver.Server, saltenv string) []string { return s.FileList(saltenv, "") }),
		list("dir_list", fileserverDocs["dir_list"],
			func(s *fileserver.Server, saltenv string) []string { return s.DirList(saltenv, "") }),
		list("empty_dir_list", fileserverDocs["empty_dir_list"],
			func(s *fileserver.Server, saltenv string) []string { return s.EmptyDirs(saltenv, "") }),
	}
}

// fileServer is the master's file server as its configuration makes it
// (master files.go's newFileServer).
func (e *Env) fileServer() (*fileserver.Server, error) {
	o := e.Opts.FileOptions()
	log := logrus.New()
	log.SetOutput(io.Discard)
	return fileserver.New(fileserver.Options{
		Roots: e.Opts.FileRoots, Backends: o.FileserverBackend, HashType: e.Opts.HashType,
		BufferSize: o.FileBufferSize, IgnoreRegex: o.FileIgnoreRegex, IgnoreGlob: o.FileIgnoreGlob,
		TopFileMergingStrategy: o.TopFileMergingStrategy, Log: log,
	})
}

// backends is Fileserver.backends: the configured fileserver_backend
// without a backend argument; with one (a list, or names separated by
// commas), those of them that are served, or, when every name starts with
// "-", the configured ones less those.
func (e *Env) backends(back any) []string {
	configured := slices.Clone(e.Opts.FileOptions().FileserverBackend)
	if len(configured) == 0 {
		configured = []string{"roots"}
	}
	if !pyTrue(back) {
		return configured
	}
	var names []string
	if items, ok := py.ListItems(back); ok {
		for _, x := range items {
			names = append(names, py.Str(x))
		}
	} else {
		names = strings.Split(str(back), ",")
	}
	subtract := true
	for _, n := range names {
		subtract = subtract && strings.HasPrefix(n, "-")
	}
	if subtract {
		return slices.DeleteFunc(configured, func(b string) bool { return slices.Contains(names, "-"+b) })
	}
	var out []string
	for _, n := range names {
		if n == "roots" { // the only backend this master has
			out = append(out, n)
		}
	}
	return out
}

// fileEnvs is fileserver.envs: the sorted environments of file_roots when
// the roots backend is asked for. With sources, Salt's runner sorts the
// {backend: envs} mapping Fileserver.envs gives, which leaves the names of
// the backends: ["roots"].
func (e *Env) fileEnvs(back any, sources bool) []string {
	if !slices.Contains(e.backends(back), "roots") {
		return []string{}
	}
	if sources {
		return []string{"roots"}
	}
	envs := []string{}
	for env := range e.Opts.FileRoots {
		envs = append(envs, env)
	}
	slices.Sort(envs)
	return envs
}
