package modules

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// pkgFuncs is Salt's pkg module: aptpkg on Debian, yumpkg (dnf) on the
// Red Hat family, picked from the os_family grain (pkgmgr.ForGrains), as
// the pkg states pick it.
//
// Where it differs from Salt 3006:
//   - install does not resolve version comparisons (pkgs=[{foo: ">=1.2"}]),
//     and runs one apt-get for upgrades and downgrades together (with
//     --force-yes when there is a downgrade); debconf is ignored;
//   - cache_valid_time is ignored: refresh_db always runs apt-get update;
//   - upgrade reports what changed but not a failing apt-get's output;
//   - on RedHat only dnf is driven: yumpkg's yum and tdnf forms (hold's
//     epoch-first locks, tdnf's refusal) are not done;
//   - list_pkgs does not name packages of a foreign architecture
//     "name:arch", nor list purge_desired ones.
func pkgFuncs(opts Options) []Func {
	return slices.Concat(pkgQueryFuncs(), pkgChangeFuncs(), pkgInfoFuncs())
}

// pkgRunner runs the package manager's commands.
var pkgRunner = saltCmdRunner(sysexec.Exec)

// saltCmdRunner runs the commands of the pkg, service, user and group
// modules as their Salt versions do through __salt__["cmd.run*"]: with
// reset_system_locale's C locale, so that the messages they return read
// the same on every host. The caller's env comes after and wins.
func saltCmdRunner(run sysexec.Runner) sysexec.Runner {
	return func(ctx context.Context, argv, env []string) (string, string, int, error) {
		full := make([]string, 0, len(localeVars)+len(env))
		for _, k := range localeVars {
			full = append(full, k+"=C")
		}
		return run(ctx, argv, append(full, env...))
	}
}

// pkgBackend is the package manager of this minion.
func pkgBackend(c *Call) pkgmgr.Manager {
	g := c.Grains()
	return pkgmgr.ForGrains(grainStr(g, "os_family"), grainStr(g, "osarch"), pkgRunner)
}

// grainStr is a grain as a string, "" when it is missing.
func grainStr(g map[string]any, key string) string {
	if v, ok := g[key]; ok && v != nil {
		return py.Str(v)
	}
	return ""
}

// pkgApt is the backend when it is apt, for the functions whose RedHat
// side is elsewhere.
func pkgApt(c *Call) (pkgmgr.Apt, error) {
	if a, ok := pkgBackend(c).(pkgmgr.Apt); ok {
		return a, nil
	}
	return pkgmgr.Apt{}, cmdErr("%s is only built in for apt (os_family Debian)", c.Fun)
}

// infoErr is a CommandExecutionError raised with info, as Salt words it:
// the message, then "Additional info follows:" and the info in the nested
// outputter's layout.
func infoErr(msg string, info body.Map) error {
	if msg != "" && !strings.ContainsAny(msg[len(msg)-1:], ".?!") {
		msg += "."
	}
	return cmdErr("%s Additional info follows:\n\n%s", msg, output.Nested(info, output.NestedOptions{}))
}

// pkgList is a package list as Salt returns it: {name: version}, or with
// asList {name: [versions]} (dnf joins several versions with commas).
func pkgList(pkgs map[string]string, asList bool) body.Map {
	out := body.Map{}
	for _, name := range slices.Sorted(mapKeys(pkgs)) {
		if asList {
			out.Set(name, toAnyList(strings.Split(pkgs[name], ",")))
		} else {
			out.Set(name, pkgs[name])
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// kwTrue is salt.utils.data.is_true of a keyword argument, false when it
// is not given.
func kwTrue(c *Call, key string) bool {
	v, ok := c.Kwargs.Get(key)
	return ok && isTrue(v)
}

// pkgTargets is pkg_resource.parse_targets: the packages named by name
// (and version), pkgs, or sources (name → a local path, or a salt:// URL
// cached through the file client), and whether they are package files.
func pkgTargets(c *Call) ([]pkgmgr.Target, bool, error) {
	pkgs, sources := c.Arg("pkgs"), c.Arg("sources")
	if pyTruthy(pkgs) && pyTruthy(sources) {
		return nil, false, nil // Salt logs "Only one of pkgs or sources can be used." and does nothing
	}
	if pyTruthy(sources) {
		return pkgSources(c, sources)
	}
	if pyTruthy(pkgs) {
		list, ok := pkgs.([]any)
		if !ok {
			return nil, false, cmdErr("Invalid input: %s", py.Repr(pkgs))
		}
		var out []pkgmgr.Target
		for _, x := range list {
			if m, ok := py.DictItems(x); ok {
				for _, it := range m {
					out = append(out, pkgmgr.Target{Name: it.Key, Version: pkgVersionArg(it.Value)})
				}
				continue
			}
			out = append(out, pkgmgr.Target{Name: py.Str(x)})
		}
		return out, false, nil
	}
	if name := c.strArg("name"); name != "" {
		v, _ := c.Kwargs.Get("version")
		var out []pkgmgr.Target
		for _, n := range strings.Split(name, ",") { // "foo,bar" names two packages
			out = append(out, pkgmgr.Target{Name: n, Version: pkgVersionArg(v)})
		}
		return out, false, nil
	}
	return nil, false, nil
}

// pkgSources reads sources: a list of {name: source}.
func pkgSources(c *Call, sources any) ([]pkgmgr.Target, bool, error) {
	list, ok := sources.([]any)
	if !ok {
		return nil, true, cmdErr("Invalid input: %s", py.Repr(sources))
	}
	var out []pkgmgr.Target
	for _, x := range list {
		m, ok := py.DictItems(x)
		if !ok || len(m) != 1 {
			return nil, true, cmdErr("Invalid input: %s", py.Repr(sources))
		}
		src := py.Str(m[0].Value)
		if strings.HasPrefix(src, "salt://") {
			if c.files() == nil {
				return nil, true, cmdErr("Unable to cache %s: no file client", src)
			}
			p, err := c.files().CacheFile(c.Ctx, src, c.saltenvArg())
			if err != nil || p == "" {
				return nil, true, cmdErr("Unable to cache %s", src)
			}
			src = p
		} else if !filepath.IsAbs(src) && !strings.Contains(src, "://") {
			return nil, true, invocationErr("Path %s for package %s is either not absolute or an invalid protocol", src, m[0].Key)
		}
		out = append(out, pkgmgr.Target{Name: m[0].Key, Source: src})
	}
	return out, true, nil
}

// pkgVersionArg is a version as given: YAML may have read 1.0 as a
// number; None is no version.
func pkgVersionArg(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimPrefix(py.Str(v), "=")
}

// pkgNamesArgs is the names passed as *names.
func pkgNamesArgs(c *Call) []string {
	out := make([]string, len(c.Args))
	for i, a := range c.Args {
		out[i] = py.Str(a)
	}
	return out
}
