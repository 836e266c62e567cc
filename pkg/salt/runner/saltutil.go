package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/extmods"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileserver"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// masterSyncForms are the kinds of custom module salt-run saltutil.sync_all
// copies from salt://_<form> into the master's extension modules, in the
// order of its return (salt/runners/saltutil.py of Salt 3006), each with
// the name of its own sync function.
var masterSyncForms = []struct{ form, fun string }{
	{"clouds", "clouds"}, {"modules", "modules"}, {"states", "states"}, {"grains", "grains"},
	{"renderers", "renderers"}, {"returners", "returners"}, {"output", "output"},
	{"proxymodules", "proxymodules"}, {"runners", "runners"}, {"wheel", "wheel"}, {"engines", "engines"},
	{"thorium", "thorium"}, {"queues", "queues"}, {"pillar", "pillar"}, {"utils", "utils"}, {"sdb", "sdb"},
	{"cache", "cache"}, {"fileserver", "fileserver"}, {"tops", "tops"}, {"tokens", "eauth_tokens"},
	{"serializers", "serializers"}, {"executors", "executors"}, {"roster", "roster"},
}

// syncFileRe is what extmods.sync copies: Python modules and their
// compiled or zipped forms.
var syncFileRe = regexp.MustCompile(`\.(pyx?|so|zip)$`)

func saltutilFuncs(env *Env) []modules.Func {
	params := []modules.Param{{Name: "saltenv", Default: "base"}, {Name: "extmod_whitelist"}, {Name: "extmod_blacklist"}}
	funcs := []modules.Func{{
		Name: "saltutil.sync_all", Params: params, Doc: docSyncAll,
		Call: func(c *modules.Call) (any, error) {
			out := body.Map{}
			for _, f := range masterSyncForms {
				l, err := syncMasterForm(env, c, f.form)
				if err != nil {
					return nil, err
				}
				out = append(out, body.Item{Key: f.form, Value: l})
			}
			return out, nil
		},
	}}
	for _, f := range masterSyncForms {
		funcs = append(funcs, modules.Func{
			Name: "saltutil.sync_" + f.fun, Params: params,
			Doc:  fmt.Sprintf("Sync %s from ``salt://_%s`` to the master\n\nsaltenv : base\n    The fileserver environment from which to sync. To sync from more than\n    one environment, pass a comma-separated list.\n\nextmod_whitelist : None\n    comma-separated list of modules to sync\n\nextmod_blacklist : None\n    comma-separated list of modules to blacklist based on type\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt-run saltutil.sync_%s", f.form, f.form, f.fun),
			Call: func(c *modules.Call) (any, error) { return syncMasterForm(env, c, f.form) },
		})
	}
	return funcs
}

const docSyncAll = `Sync all custom types

saltenv : base
    The fileserver environment from which to sync. To sync from more than
    one environment, pass a comma-separated list.

extmod_whitelist : None
    dictionary of modules to sync based on type

extmod_blacklist : None
    dictionary of modules to blacklist based on type

CLI Example:

.. code-block:: bash

    salt-run saltutil.sync_all
    salt-run saltutil.sync_all extmod_whitelist={'runners': ['custom_runner'], 'grains': []}`

// extensionModules is the master's extension_modules: the option, under
// root_dir, else <cachedir>/extmods.
func extensionModules(env *Env) string {
	if s, ok := env.Opts.Raw["extension_modules"].(string); ok && s != "" {
		return env.Opts.Reroot(s)
	}
	return filepath.Join(env.Opts.Cachedir, "extmods")
}

// syncMasterForm is salt.utils.extmods.sync for one form on the master:
// the .py, .pyx, .so and .zip files under _<form> of each saltenv's
// file_roots are copied into <extension_modules>/<form> when new or
// different, and with clean_dynamic_modules (default True) the files no
// environment has any more are removed. It returns "<form>.<name>" for
// each file it copied. Salt caches the files under cachedir/files first;
// this reads them from the roots.
func syncMasterForm(env *Env, c *modules.Call, form string) ([]any, error) {
	if env.Opts == nil {
		return nil, errors.New("no master configuration")
	}
	srv, err := fileserver.New(fileserver.Options{Roots: env.Opts.FileRoots, HashType: env.Opts.HashType,
		IgnoreRegex: env.Opts.FileOptions().FileIgnoreRegex, IgnoreGlob: env.Opts.FileOptions().FileIgnoreGlob})
	if err != nil {
		return nil, err
	}
	modDir := filepath.Join(extensionModules(env), form)
	if err := os.MkdirAll(modDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create cache module directory %s. Check permissions: %w", modDir, err)
	}
	white := extmodList(env, c.Arg("extmod_whitelist"), "extmod_whitelist", form)
	black := extmodList(env, c.Arg("extmod_blacklist"), "extmod_blacklist", form)
	ret := []any{}
	remote := map[string]bool{}
	prefix := "_" + form + "/"
	for _, saltenv := range strings.Split(py.Str(c.Arg("saltenv")), ",") {
		for _, f := range srv.FileList(saltenv, prefix) {
			if !strings.HasPrefix(f, prefix) || !syncFileRe.MatchString(f) {
				continue
			}
			rel := strings.TrimPrefix(f, prefix)
			name := strings.ReplaceAll(strings.TrimSuffix(rel, filepath.Ext(rel)), "/", ".")
			if white != nil && !white[name] || black[name] {
				continue
			}
			src, err := srv.Find(saltenv, f)
			if err != nil {
				continue // removed meanwhile, or ignored
			}
			remote[rel] = true
			copied, err := extmods.CopyIfChanged(src, filepath.Join(modDir, rel))
			if err != nil {
				return nil, fmt.Errorf("failed to sync %s module %s: %w", form, rel, err)
			}
			if copied {
				ret = append(ret, form+"."+name)
			}
		}
	}
	if v, ok := env.Opts.Raw["clean_dynamic_modules"]; !ok || v == true {
		if err := extmods.Clean(modDir, remote); err != nil {
			return nil, fmt.Errorf("failed to sync %s module: %w", form, err)
		}
	}
	return ret, nil
}

// extmodList reads an extmod_whitelist or extmod_blacklist for form: a
// comma-separated string, or a {form: [names]} mapping; else the master's
// option of that name. nil means no list.
func extmodList(env *Env, v any, key, form string) map[string]bool {
	if v == nil {
		v = env.Opts.Raw[key]
	}
	return extmods.List(v, form)
}
