package states

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/accounts"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// group.present and group.absent (salt/states/group.py) with Linux's
// shadow tools, as salt/modules/groupadd.py runs them.

func registerGroup(r state.Registry) {
	r["group.present"] = groupPresent
	r["group.absent"] = groupAbsent
}

// accountRunner runs the shadow tools: groupadd, groupmod, gpasswd,
// groupdel, useradd, usermod, userdel.
var accountRunner runner = execRunner

// lookupGroup is grp.getgrnam: nil when there is no such group.
func lookupGroup(name string) *accounts.Group { return accounts.System.Group(name) }

// groupSpec is group.present's arguments (nil lists are None).
type groupSpec struct {
	gid                         string
	addusers, delusers, members []string
	membersGiven                bool
}

// groupChanges is group._changes: nil with false when the group does not
// exist.
func groupChanges(name string, s groupSpec) (body.Map, bool, string) {
	g := lookupGroup(name)
	if g == nil {
		return nil, false, ""
	}
	ch := body.Map{}
	if s.gid != "" {
		n, err := strconv.ParseInt(s.gid, 10, 64)
		if err != nil {
			return nil, true, "Invalid gid"
		}
		if n != g.GID {
			ch.Set("gid", n)
		}
	}
	sameSet := func(a, b []string) bool {
		return !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) }) &&
			!slices.ContainsFunc(b, func(x string) bool { return !slices.Contains(a, x) })
	}
	switch {
	case s.membersGiven && len(s.members) == 0 && len(g.Members) > 0:
		ch.Set("delusers", g.Members)
	case len(s.members) > 0 && !sameSet(g.Members, s.members):
		ch.Set("members", s.members)
	}
	if add := filterStrings(s.addusers, func(u string) bool { return !slices.Contains(g.Members, u) }); len(add) > 0 {
		ch.Set("addusers", add)
	}
	if del := filterStrings(s.delusers, func(u string) bool { return slices.Contains(g.Members, u) }); len(del) > 0 {
		ch.Set("delusers", del)
	}
	return ch, true, ""
}

func filterStrings(in []string, keep func(string) bool) []string {
	var out []string
	for _, s := range in {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

func groupPresent(ctx context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	a := argsOf(c)
	ret := newRet(name, &yes)
	ret.Comment = fmt.Sprintf("Group %s is present and up to date", name)
	s := groupSpec{gid: a.str("gid", ""), addusers: a.strList("addusers"), delusers: a.strList("delusers"),
		members: a.strList("members"), membersGiven: a.has("members")}
	if s.membersGiven && (a.has("addusers") || a.has("delusers")) {
		ret.Result = nil
		ret.Comment = `Error: Conflicting options "members" with "addusers" and/or "delusers" can not be used together. `
		return ret
	}
	if slices.ContainsFunc(s.addusers, func(u string) bool { return slices.Contains(s.delusers, u) }) {
		ret.Result, ret.Comment = nil, "Error. Same user(s) can not be added and deleted simultaneously"
		return ret
	}
	ch, exists, msg := groupChanges(name, s)
	if msg != "" {
		return errRet(ret, msg)
	}
	if !exists {
		return groupCreate(ctx, c, s, ret)
	}
	if len(ch) == 0 {
		return ret
	}
	ret.Comment = "The following group attributes are set to be changed:\n"
	for _, it := range ch {
		ret.Comment += fmt.Sprintf("%s: %s\n", it.Key, py.Str(toAnyList(it.Value)))
	}
	if c.Test {
		ret.Result = nil
		return ret
	}
	groupApply(ctx, name, s, ch)
	if after, _, _ := groupChanges(name, s); len(after) > 0 {
		ret.Result = &no
		ret.Comment += "Some changes could not be applied"
		ret.Changes = body.Map{{Key: "Failed", Value: after}}
		return ret
	}
	ret.Changes = body.Map{{Key: "Final", Value: "All changes applied successfully"}}
	return ret
}

// toAnyList makes a []string printable as Python prints a list.
func toAnyList(v any) any {
	if l, ok := v.([]string); ok {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	return v
}

// groupApply makes the changes with groupmod and gpasswd.
func groupApply(ctx context.Context, name string, s groupSpec, ch body.Map) {
	for _, it := range ch {
		switch it.Key {
		case "gid":
			ok(ctx, accountRunner, "groupmod", "-g", fmt.Sprint(it.Value), name)
		case "addusers":
			for _, u := range it.Value.([]string) {
				ok(ctx, accountRunner, "gpasswd", "--add", u, name)
			}
		case "delusers":
			for _, u := range it.Value.([]string) {
				ok(ctx, accountRunner, "gpasswd", "--del", u, name)
			}
		case "members":
			ok(ctx, accountRunner, "gpasswd", "--members", strings.Join(s.members, ","), name)
		}
	}
}

// groupCreate is group.present for a group that does not exist.
func groupCreate(ctx context.Context, c *state.Call, s groupSpec, ret state.Ret) state.Ret {
	name := c.Low.Name
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Group %s set to be added", name)
		return ret
	}
	argv := []string{"groupadd"}
	if s.gid != "" {
		argv = append(argv, "-g", s.gid)
	}
	if argsOf(c).boolean("system", false) {
		argv = append(argv, "-r")
	}
	if !ok(ctx, accountRunner, append(argv, name)...) {
		return errRet(ret, fmt.Sprintf("Failed to create new group %s", name))
	}
	if members := append(s.members, s.addusers...); len(members) > 0 {
		ok(ctx, accountRunner, "gpasswd", "--members", strings.Join(members, ","), name)
	}
	ret.Comment = fmt.Sprintf("New group %s created", name)
	if g := lookupGroup(name); g != nil {
		ret.Changes = g.AsMap()
	}
	if after, _, _ := groupChanges(name, s); len(after) > 0 {
		ret.Result = &no
		ret.Comment = fmt.Sprintf("Group %s has been created but, some changes could not be applied", name)
		ret.Changes = body.Map{{Key: "Failed", Value: after}}
	}
	return ret
}

func groupAbsent(ctx context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	if lookupGroup(name) == nil {
		ret.Comment = "Group not present"
		return ret
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Group %s is set for removal", name)
		return ret
	}
	if !ok(ctx, accountRunner, "groupdel", name) {
		ret.Result, ret.Comment = &no, fmt.Sprintf("Failed to remove group %s", name)
		return ret
	}
	ret.Changes = body.Map{{Key: name, Value: ""}}
	ret.Comment = fmt.Sprintf("Removed group %s", name)
	return ret
}
