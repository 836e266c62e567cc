package states

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The pkg states (salt/states/pkg.py) for apt/dpkg: installed, removed,
// purged, latest and uptodate.

func registerPkg(r state.Registry) {
	r["pkg.installed"] = pkgInstalled
	r["pkg.removed"] = func(ctx context.Context, c *state.Call) state.Ret { return pkgUninstall(ctx, c, "remove") }
	r["pkg.purged"] = func(ctx context.Context, c *state.Call) state.Ret { return pkgUninstall(ctx, c, "purge") }
	r["pkg.latest"] = pkgLatest
	r["pkg.uptodate"] = pkgUptodate
}

// pkgTargets reads name/version, pkgs or sources (pkg_resource.parse_targets).
func pkgTargets(c *state.Call) ([]pkgTarget, bool) {
	a := argsOf(c)
	var out []pkgTarget
	if list, ok := a.get("sources").([]any); ok {
		for _, x := range list {
			for _, it := range asMap(x) {
				out = append(out, pkgTarget{Name: it.Key, Source: pyStr(it.Value)})
			}
		}
		return out, true
	}
	if list, ok := a.get("pkgs").([]any); ok {
		for _, x := range list {
			if s, isStr := x.(string); isStr {
				out = append(out, pkgTarget{Name: s})
				continue
			}
			for _, it := range asMap(x) {
				out = append(out, pkgTarget{Name: it.Key, Version: versionArg(it.Value)})
			}
		}
		return out, false
	}
	return []pkgTarget{{Name: c.Low.Name, Version: versionArg(a.get("version"))}}, false
}

// versionArg is a version as given: YAML may read 1.0 as a number.
func versionArg(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimPrefix(pyStr(v), "=")
}

func pkgInstalled(ctx context.Context, c *state.Call) state.Ret {
	ret := newRet(c.Low.Name, &yes)
	targets, sources := pkgTargets(c)
	be := pkgBackend(c)
	cur, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	var todo, have []pkgTarget
	for _, t := range targets {
		if v, ok := cur[t.Name]; ok && (t.Version == "" || t.Version == v) {
			have = append(have, t)
		} else {
			todo = append(todo, t)
		}
	}
	if len(todo) == 0 {
		ret.Comment = "All specified packages are already installed"
		if !sources && slices.ContainsFunc(targets, func(t pkgTarget) bool { return t.Version != "" }) {
			ret.Comment += " and are at the desired version"
		}
		return ret
	}
	names := make([]string, len(todo))
	for i, t := range todo {
		names[i] = t.Name
	}
	if c.Test {
		for _, n := range names {
			ret.Changes.Set(n, body.Map{{Key: "new", Value: "installed"}, {Key: "old", Value: ""}})
		}
		ret.Result = nil
		ret.Comment = "The following packages would be installed/updated: " + strings.Join(names, ", ")
		return ret
	}
	args := make([]string, len(todo))
	for i, t := range todo {
		args[i] = be.Target(t, sources)
	}
	if err := refreshFirst(ctx, c, be); err != nil {
		ret.Order = exceptionOrder
		return errRet(ret, "An error was encountered while installing package(s): "+err.Error())
	}
	errs, err := be.Install(ctx, nil, args)
	if err != nil {
		return errRet(ret, err.Error())
	}
	neu, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	changes := compareDicts(cur, neu)
	if len(errs) > 0 {
		ret.Changes, ret.Order = changes, exceptionOrder
		return errRet(ret, be.InstallFailed(errs))
	}
	ret.Changes = changes
	return installSummary(ret, todo, have, neu, sources)
}

// installSummary is the end of pkg.installed: what was installed, what
// already was, what failed.
func installSummary(ret state.Ret, todo, have []pkgTarget, neu map[string]string, sources bool) state.Ret {
	label := func(t pkgTarget) string {
		if sources {
			return t.Name
		}
		return t.Desired()
	}
	var modified, failed, already []string
	for _, t := range todo {
		if v, ok := neu[t.Name]; ok && (t.Version == "" || t.Version == v) {
			modified = append(modified, label(t))
		} else {
			failed = append(failed, label(t))
		}
	}
	for _, t := range have {
		already = append(already, label(t))
	}
	var comment []string
	if len(modified) > 0 {
		if summary := strings.Join(modified, ", "); len(summary) < 20 {
			comment = append(comment, "The following packages were installed/updated: "+summary)
		} else if len(modified) > 1 {
			comment = append(comment, fmt.Sprintf("%d targeted packages were installed/updated.", len(modified)))
		} else {
			comment = append(comment, "1 targeted package was installed/updated.")
		}
	}
	if len(already) > 0 {
		if len(already) <= 20 {
			comment = append(comment, "The following packages were already installed: "+strings.Join(already, ", "))
		} else {
			comment = append(comment, fmt.Sprintf("%d targeted packages were already installed", len(already)))
		}
	}
	if len(failed) > 0 {
		comment = append([]string{"The following packages failed to install/update: " + strings.Join(failed, ", ")}, comment...)
		ret.Result = &no
	}
	ret.Comment = strings.Join(comment, "\n") // pkg.installed's "\n".join(comment)
	return ret
}

// pkgUninstall is pkg.removed and pkg.purged (_uninstall).
func pkgUninstall(ctx context.Context, c *state.Call, action string) state.Ret {
	ret := newRet(c.Low.Name, &yes)
	targets, _ := pkgTargets(c)
	be := pkgBackend(c)
	cur, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	var names, todo []string
	for _, t := range targets {
		names = append(names, t.Name)
		if v, ok := cur[t.Name]; ok && (t.Version == "" || t.Version == v) {
			todo = append(todo, t.Name)
		}
	}
	var oldRemoved map[string]string
	if action == "purge" {
		if oldRemoved, err = be.ListPkgs(ctx, true); err != nil {
			return errRet(ret, err.Error())
		}
		for _, n := range names {
			if _, ok := oldRemoved[n]; ok {
				todo = append(todo, n)
			}
		}
	} else if len(todo) == 0 {
		ret.Comment = "All specified packages are already absent"
		return ret
	}
	slices.Sort(todo)
	if len(todo) == 0 {
		ret.Comment = "None of the targeted packages are installed or partially installed"
		return ret
	}
	if c.Test {
		for _, n := range todo {
			ret.Changes.Set(n, body.Map{{Key: "new", Value: action + "d"}, {Key: "old", Value: ""}})
		}
		ret.Result = nil
		ret.Comment = fmt.Sprintf("The following packages will be %sd: %s.", action, strings.Join(todo, ", "))
		return ret
	}
	errs, err := be.Uninstall(ctx, action, todo)
	if err == nil && len(errs) > 0 { // the module raises: an exception in the state
		err = errors.New(pkgmgr.ErrorsInfo(be.Failed("removing"), errs))
	}
	if err != nil {
		ret.Order = exceptionOrder
		return errRet(ret, err.Error())
	}
	return uninstallResult(ctx, be, ret, action, names, todo, cur, oldRemoved)
}

// uninstallResult compares the packages after the removal with before.
func uninstallResult(ctx context.Context, be pkgManager, ret state.Ret, action string, names, todo []string, cur, oldRemoved map[string]string) state.Ret {
	neu, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	ret.Changes = compareDicts(cur, neu)
	var failed []string
	for _, n := range names {
		if _, ok := neu[n]; ok {
			failed = append(failed, n)
		}
	}
	if action == "purge" {
		newRemoved, _ := be.ListPkgs(ctx, true)
		if be.KeepsConfig() { // aptpkg's purge reports removed and installed
			ret.Changes = body.Map{{Key: "removed", Value: compareDicts(oldRemoved, newRemoved)}, {Key: "installed", Value: ret.Changes}}
		}
		for _, n := range names {
			if _, ok := newRemoved[n]; ok {
				failed = append(failed, n)
			}
		}
	}
	slices.Sort(failed)
	if len(failed) > 0 {
		return errRet(ret, fmt.Sprintf("The following packages failed to %s: %s.", action, strings.Join(failed, ", ")))
	}
	var notInstalled []string
	for _, n := range names {
		if !slices.Contains(todo, n) {
			notInstalled = append(notInstalled, n)
		}
	}
	slices.Sort(notInstalled)
	if len(notInstalled) > 0 {
		ret.Comment = fmt.Sprintf("The following packages were not installed: %s The following packages were %sd: %s.",
			strings.Join(notInstalled, ", "), action, strings.Join(todo, ", "))
	} else {
		ret.Comment = fmt.Sprintf("All targeted packages were %sd.", action)
	}
	return ret
}
