package states

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// pkg.latest and pkg.uptodate (salt/states/pkg.py).

func pkgLatest(ctx context.Context, c *state.Call) state.Ret {
	ret := newRet(c.Low.Name, &no)
	if argsOf(c).has("sources") {
		return errRet(ret, `The "sources" parameter is not supported.`)
	}
	targets, _ := pkgTargets(c)
	be := pkgBackend(c)
	cur, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	if err := refreshFirst(ctx, c, be); err != nil {
		return errRet(ret, "An error was encountered while checking the newest available version of package(s): "+err.Error())
	}
	want := map[string]string{}
	var names, problems, upToDate []string
	for _, t := range targets {
		names = append(names, t.Name)
	}
	latest, err := pkgmgr.LatestVersions(ctx, be, names)
	if err != nil {
		return errRet(ret, err.Error())
	}
	for _, t := range targets {
		switch avail := latest[t.Name]; {
		case avail != "":
			want[t.Name] = avail
		case cur[t.Name] == "":
			problems = append(problems, fmt.Sprintf("No information found for '%s'.", t.Name))
		}
	}
	if len(problems) > 0 {
		return errRet(ret, strings.Join(problems, " "))
	}
	if len(want) == 0 {
		return upToDateRet(ret, names)
	}
	if argsOf(c).has("pkgs") {
		for _, n := range names {
			if _, ok := want[n]; !ok {
				upToDate = append(upToDate, n)
			}
		}
	}
	slices.Sort(upToDate)
	todo := make([]string, 0, len(want))
	for n := range want {
		todo = append(todo, n)
	}
	slices.Sort(todo)
	if c.Test {
		ret.Result = nil
		ret.Comment = "The following packages would be installed/upgraded: " + strings.Join(todo, ", ")
		if len(upToDate) > 0 {
			var parts []string
			for _, n := range upToDate {
				parts = append(parts, fmt.Sprintf("%s (%s)", n, cur[n]))
			}
			ret.Comment += "\nThe following packages are already up-to-date: " + strings.Join(parts, ", ")
		}
		return ret
	}
	if _, err := be.Install(ctx, nil, todo); err != nil {
		return errRet(ret, "An error was encountered while installing package(s): "+err.Error())
	}
	neu, err := be.ListPkgs(ctx, false)
	if err != nil {
		return errRet(ret, err.Error())
	}
	ret.Changes = compareDicts(cur, neu)
	return latestSummary(ret, todo, want, neu, upToDate)
}

// upToDateRet is pkg.latest when nothing is to upgrade.
func upToDateRet(ret state.Ret, names []string) state.Ret {
	ret.Result = &yes
	switch {
	case len(names) > 10:
		ret.Comment = fmt.Sprintf("All %d packages are up-to-date.", len(names))
	case len(names) > 1:
		sorted := slices.Sorted(slices.Values(names))
		ret.Comment = fmt.Sprintf("All packages are up-to-date (%s).", strings.Join(sorted, ", "))
	default:
		ret.Comment = fmt.Sprintf("Package %s is already up-to-date", names[0])
	}
	return ret
}

// latestSummary is the comment of pkg.latest after the install.
func latestSummary(ret state.Ret, todo []string, want, neu map[string]string, upToDate []string) state.Ret {
	if len(ret.Changes) == 0 {
		switch {
		case len(todo) > 10:
			ret.Comment = fmt.Sprintf("%d targeted packages failed to update. See debug log for details.", len(todo))
		case len(todo) > 1:
			ret.Comment = fmt.Sprintf("The following targeted packages failed to update. See debug log for details: (%s).", strings.Join(todo, ", "))
		default:
			ret.Comment = fmt.Sprintf("Package %s failed to update.", todo[0])
		}
		return ret
	}
	var failed, ok []string
	for _, n := range todo {
		if neu[n] != want[n] {
			failed = append(failed, n)
		} else {
			ok = append(ok, n)
		}
	}
	var comments []string
	if len(failed) > 0 {
		comments = append(comments, "The following packages failed to update: "+strings.Join(failed, ", "))
	}
	if len(ok) > 0 {
		comments = append(comments, "The following packages were successfully installed/upgraded: "+strings.Join(ok, ", "))
	}
	if len(upToDate) > 0 {
		comments = append(comments, "The following packages were already up-to-date: "+strings.Join(upToDate, ", "))
	}
	ret.Result = boolp(len(failed) == 0)
	ret.Comment = strings.Join(comments, " ")
	return ret
}

func pkgUptodate(ctx context.Context, c *state.Call) state.Ret {
	ret := newRet(c.Low.Name, &no)
	ret.Comment = "Failed to update"
	a := argsOf(c)
	if r, given := a.m.Get("refresh"); given {
		if _, isBool := r.(bool); !isBool {
			ret.Comment = "refresh must be either True or False"
			return ret
		}
	}
	be := pkgBackend(c)
	dist := a.boolean("dist_upgrade", false)
	if a.isTrue("refresh") {
		if err := be.Refresh(ctx, false); err != nil {
			ret.Comment = err.Error()
			return ret
		}
	}
	ups, err := be.Upgradable(ctx, dist)
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	cur, err := be.ListPkgs(ctx, false)
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	only := a.strList("pkgs")
	expected := body.Map{}
	for _, n := range slices.Sorted(mapKeys(ups)) {
		if only == nil || slices.Contains(only, n) {
			expected.Set(n, body.Map{{Key: "new", Value: ups[n]}, {Key: "old", Value: cur[n]}})
		}
	}
	if len(expected) == 0 {
		ret.Result, ret.Comment = &yes, "System is already up-to-date"
		return ret
	}
	if c.Test {
		ret.Result, ret.Comment, ret.Changes = nil, "System update will be performed", expected
		return ret
	}
	return runUpgrade(ctx, c, be, ret, dist, only, expected, cur)
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// runUpgrade is aptpkg.upgrade and the end of pkg.uptodate.
func runUpgrade(ctx context.Context, c *state.Call, be pkgManager, ret state.Ret, dist bool, only []string, expected body.Map, cur map[string]string) state.Ret {
	err := refreshFirst(ctx, c, be)
	if err == nil {
		err = be.Upgrade(ctx, dist, only)
	}
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	neu, err := be.ListPkgs(ctx, false)
	if err != nil {
		ret.Comment = err.Error()
		return ret
	}
	ret.Changes = compareDicts(cur, neu)
	var missing []string
	if only != nil {
		for _, it := range expected {
			if !ret.Changes.Has(it.Key) {
				missing = append(missing, it.Key)
			}
		}
	}
	if len(missing) > 0 {
		ret.Comment = "The following package(s) failed to update: " + strings.Join(missing, ", ")
		return ret
	}
	ret.Result, ret.Comment = &yes, "Upgrade ran successfully"
	return ret
}
