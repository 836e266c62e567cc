package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/extmods"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// syncForms are the directories saltutil.sync_all syncs, salt://_<form>
// to <extension_modules>/<form>, in the order of its return (Salt 3006's
// sync_all), each with its sync_<form> function's default refresh. sdb has
// no refresh argument.
var syncForms = []struct {
	form    string
	refresh any
}{
	{"clouds", true}, {"beacons", true}, {"modules", true}, {"states", true}, {"sdb", nil}, {"grains", true},
	{"renderers", true}, {"returners", true}, {"output", true}, {"utils", true}, {"log_handlers", true},
	{"executors", true}, {"proxymodules", false}, {"engines", false}, {"thorium", false},
	{"serializers", true}, {"matchers", false},
}

// saltutilSyncFuncs is saltutil.sync_all and sync_<form>: the custom
// modules of the master's file server copied into the minion's
// extension_modules, where Salt's loader in the Python worker finds them
// (the worker builds its loader again when they change). Registered with
// the file client.
func saltutilSyncFuncs() []Func {
	fs := make([]Func, 0, len(syncForms)+1)
	for _, f := range syncForms {
		fs = append(fs, syncFunc(f.form, f.refresh))
	}
	return append(fs, Func{
		Name:   "saltutil.sync_all",
		Params: syncParams(true, true),
		Doc: "Sync down all of the dynamic modules from the file server for a specific environment: custom modules, " +
			"states, beacons, grains, returners, output modules, renderers, and utils. refresh (True) also refreshes " +
			"the grains and the pillar.\n\nCLI Examples:\n\n    salt '*' saltutil.sync_all\n    salt '*' saltutil.sync_all saltenv=dev",
		Call: func(c *Call) (any, error) {
			out := body.Map{}
			for _, f := range syncForms {
				l, err := syncForm(c, f.form)
				if err != nil {
					return nil, err
				}
				out = append(out, body.Item{Key: f.form, Value: l})
			}
			return out, refreshAfterSync(c, "all")
		},
	})
}

// syncParams is a sync function's signature: saltenv, refresh,
// extmod_whitelist, extmod_blacklist, and clean_pillar_cache for those
// that refresh the pillar.
func syncParams(refresh any, pillar bool) []Param {
	ps := []Param{{Name: "saltenv"}}
	if refresh != nil {
		ps = append(ps, Param{Name: "refresh", Default: refresh})
	}
	ps = append(ps, Param{Name: "extmod_whitelist"}, Param{Name: "extmod_blacklist"})
	if pillar {
		ps = append(ps, Param{Name: "clean_pillar_cache", Default: false})
	}
	return ps
}

func syncFunc(form string, refresh any) Func {
	return Func{
		Name:   "saltutil.sync_" + form,
		Params: syncParams(refresh, form == "grains"),
		Doc: fmt.Sprintf("Sync %s from salt://_%s to the minion's extension_modules; returns what was synced.\n\n"+
			"saltenv: the environments to sync from (a comma-separated list); the minion's saltenv, or base.\n"+
			"extmod_whitelist, extmod_blacklist: comma-separated names to sync only, or never.\n\n"+
			"CLI Examples:\n\n    salt '*' saltutil.sync_%s\n    salt '*' saltutil.sync_%s saltenv=base,dev", form, form, form, form),
		Call: func(c *Call) (any, error) {
			l, err := syncForm(c, form)
			if err != nil {
				return nil, err
			}
			return l, refreshAfterSync(c, form)
		},
	}
}

// refreshAfterSync is what refresh=True does after a sync: new grains
// modules mean new grains, and sync_all and sync_grains refresh the pillar
// (Salt's refresh_pillar, which also reloads the modules). Modules need
// nothing: the worker sees its extension modules change.
func refreshAfterSync(c *Call, form string) error {
	if !pyTruthy(c.Arg("refresh")) || form != "all" && form != "grains" {
		return nil
	}
	if f := c.exec.opts.RefreshGrains; f != nil {
		if err := f(c.Ctx); err != nil {
			return cmdErr("Synced, but the grains were not refreshed: %v", err)
		}
	}
	if f := c.exec.opts.RefreshPillar; f != nil {
		if err := f(c.Ctx); err != nil {
			return cmdErr("Synced, but the pillar was not refreshed: %v", err)
		}
	}
	return nil
}

// syncForm is salt.utils.extmods.sync for one form: every .py, .pyx, .so
// and .zip under salt://_<form> of each saltenv is cached and copied into
// <extension_modules>/<form> when new or different; with
// clean_dynamic_modules (default True) files no environment has any more
// are removed. It returns "<form>.<name>" for what it copied.
func syncForm(c *Call, form string) ([]any, error) {
	modDir := filepath.Join(c.extensionModules(), form)
	if err := os.MkdirAll(modDir, 0o700); err != nil {
		return nil, cmdErr("Cannot create cache module directory %s. Check permissions.", modDir)
	}
	white, black := extmodList(c, "extmod_whitelist", form), extmodList(c, "extmod_blacklist", form)
	ret := []any{}
	remote := map[string]bool{}
	for _, env := range c.syncEnvs() {
		cached, err := c.files().CacheDir(c.Ctx, "salt://_"+form, env, false, []string{`E@\.(pyx?|so|zip)$`}, nil)
		if err != nil {
			return nil, fileErr(err)
		}
		local := filepath.Join(c.files().Cachedir(), "files", env, "_"+form)
		for _, fn := range cached {
			rel, err := filepath.Rel(local, fn)
			if err != nil {
				continue
			}
			name := strings.ReplaceAll(strings.TrimSuffix(rel, filepath.Ext(rel)), string(filepath.Separator), ".")
			if white != nil && !white[name] || black[name] {
				continue
			}
			remote[rel] = true
			copied, err := extmods.CopyIfChanged(fn, filepath.Join(modDir, rel))
			if err != nil {
				return nil, cmdErr("Failed to sync %s module: %v", form, err)
			}
			if copied {
				ret = append(ret, form+"."+name)
			}
		}
	}
	if cleanDynamicModules(c) {
		if err := extmods.Clean(modDir, remote); err != nil {
			return nil, cmdErr("Failed to sync %s module: %v", form, err)
		}
	}
	return ret, nil
}

// syncEnvs is the saltenv argument as a list ("base,dev" is two), else the
// minion's saltenv, else base. Salt's default is the environments the
// minion's top file matches; a Go minion syncs its own saltenv.
func (c *Call) syncEnvs() []string {
	switch v := c.Arg("saltenv").(type) {
	case nil:
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, py.Str(e))
		}
		return out
	default:
		if s := py.Str(v); s != "" {
			return strings.Split(s, ",")
		}
	}
	return []string{c.saltenvArg()}
}

// extensionModules is the minion's extension_modules directory.
func (c *Call) extensionModules() string {
	if cfg := c.exec.opts.Config; cfg != nil {
		return cfg.ExtensionModules()
	}
	return "/var/cache/salt/minion/extmods"
}

// extmodList reads extmod_whitelist or extmod_blacklist for form: the
// argument as a comma-separated string or a {form: [names]} mapping, else
// the option of that name. nil means no list.
func extmodList(c *Call, key, form string) map[string]bool {
	v := c.Arg(key)
	if v == nil && c.exec.opts.Config != nil {
		v = c.exec.opts.Config.Raw[key]
	}
	return extmods.List(v, form)
}

func cleanDynamicModules(c *Call) bool {
	if c.exec.opts.Config != nil {
		if v, ok := c.exec.opts.Config.Raw["clean_dynamic_modules"]; ok {
			return v == true
		}
	}
	return true
}
