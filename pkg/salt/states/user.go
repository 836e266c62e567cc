package states

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/accounts"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// user.present and user.absent (salt/states/user.py) with Linux's
// shadow tools, as salt/modules/useradd.py runs them. Passwords and the
// shadow fields are not managed here.

func registerUser(r state.Registry) {
	r["user.present"] = userPresent
	r["user.absent"] = userAbsent
}

// userInfo is useradd.info: nil when there is no such user.
func userInfo(name string) body.Map { return accounts.System.User(name) }

func strsOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = pyStr(x)
	}
	return out
}

// userChanges is user._changes for uid, gid, groups, home, createhome,
// shell and the GECOS fields; nil when the user does not exist.
func userChanges(name string, a args) body.Map {
	lusr := userInfo(name)
	if lusr == nil {
		return nil
	}
	ch := body.Map{}
	cur := strsOf(must(lusr.Get("groups")))
	groups := a.strList("groups")
	removeGroups := a.boolean("remove_groups", true)
	wanted := append([]string{}, groups...)
	if !removeGroups || groups == nil {
		wanted = append(wanted, cur...)
	}
	slices.Sort(wanted)
	wanted = slices.Compact(wanted)
	lgid, _ := lusr.Int("gid")
	if uid := a.str("uid", ""); uid != "" && uid != pyStr(must(lusr.Get("uid"))) {
		n, _ := strconv.ParseInt(uid, 10, 64)
		ch.Set("uid", n)
	}
	gid := a.str("gid", "")
	if gid != "" {
		if g, ok := filemod.GroupToGID(gid); !ok || int64(g) != lgid {
			ch.Set("gid", a.get("gid"))
		}
	}
	defGrp := filemod.GIDToGroup(lgid)
	if gid != "" {
		if g, ok := filemod.GroupToGID(gid); ok {
			defGrp = filemod.GIDToGroup(int64(g))
		}
	}
	drop := func(l []string, s string) []string {
		return slices.DeleteFunc(l, func(x string) bool { return x == s })
	}
	cur, wanted = drop(cur, defGrp), drop(wanted, defGrp)
	if old := filemod.GIDToGroup(lgid); old != defGrp {
		cur = drop(cur, old)
	}
	if slices.Contains(cur, name) && !slices.Contains(wanted, name) {
		cur = drop(cur, name)
	}
	if groupsDiffer(cur, wanted, removeGroups) && (len(wanted) > 0 || removeGroups) {
		ch.Set("groups", wanted)
	}
	userAttrChanges(lusr, a, &ch)
	return ch
}

func must(v any, _ bool) any { return v }

// groupsDiffer is user._group_changes.
func groupsDiffer(cur, wanted []string, remove bool) bool {
	subset := !slices.ContainsFunc(wanted, func(w string) bool { return !slices.Contains(cur, w) })
	same := subset && len(slices.Compact(slices.Sorted(slices.Values(cur)))) == len(wanted)
	return remove && !same || !remove && !subset
}

// userAttrChanges adds home, createhome, shell and GECOS changes.
func userAttrChanges(lusr body.Map, a args, ch *body.Map) {
	home, _ := lusr.String("home")
	if h := a.str("home", ""); h != "" && h != home {
		ch.Set("home", h)
		home = h
	}
	if a.boolean("createhome", true) && home != "" && !isDir(home) {
		ch.Set("homeDoesNotExist", home)
	}
	for _, k := range []string{"shell", "fullname", "roomnumber", "workphone", "homephone", "other"} {
		if !a.has(k) {
			continue
		}
		if cur, _ := lusr.String(k); a.str(k, "") != cur && (k != "shell" || a.str(k, "") != "") {
			ch.Set(k, a.str(k, ""))
		}
	}
}

func userPresent(ctx context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	a := argsOf(c)
	ret := newRet(name, &yes)
	ret.Comment = fmt.Sprintf("User %s is present and up to date", name)
	ch := userChanges(name, a)
	switch {
	case ch == nil && c.Test:
		ret.Result, ret.Comment = nil, fmt.Sprintf("User %s set to be added", name)
	case ch == nil:
		return userAdd(ctx, c, ret)
	case len(ch) > 0 && c.Test:
		ret.Result, ret.Comment = nil, "The following user attributes are set to be changed:\n"
		for _, it := range ch {
			ret.Comment += fmt.Sprintf("%s: %s\n", it.Key, pyStr(toAnyList(it.Value)))
		}
	case len(ch) > 0:
		pre := userInfo(name)
		userApply(ctx, name, a, ch)
		post := userInfo(name)
		for _, it := range post {
			if v, _ := pre.Get(it.Key); pyStr(v) != pyStr(it.Value) {
				ret.Changes.Set(it.Key, it.Value)
			}
		}
		if len(ret.Changes) > 0 {
			ret.Comment = "Updated user " + name
		}
		if left := userChanges(name, a); len(left) > 0 {
			ret.Result = &no
			ret.Comment = fmt.Sprintf("These values could not be changed: %s", pyStr(changesDict(left)))
		}
	}
	return ret
}

func changesDict(m body.Map) body.Map {
	out := body.Map{}
	for _, it := range m {
		out.Set(it.Key, toAnyList(it.Value))
	}
	return out
}

// userApply is user.ch<key> for each change (usermod, and the home made).
func userApply(ctx context.Context, name string, a args, ch body.Map) {
	for _, it := range ch {
		v := pyStr(toAnyList(it.Value))
		switch it.Key {
		case "uid":
			ok(ctx, accountRunner, "usermod", "-u", v, name)
		case "gid":
			ok(ctx, accountRunner, "usermod", "-g", v, name)
		case "home":
			ok(ctx, accountRunner, "usermod", "-d", v, name)
		case "shell":
			ok(ctx, accountRunner, "usermod", "-s", v, name)
		case "groups":
			argv := []string{"usermod", "-G", strings.Join(it.Value.([]string), ","), name}
			if !a.boolean("remove_groups", true) {
				argv = []string{"usermod", "-a", "-G", strings.Join(it.Value.([]string), ","), name}
			}
			ok(ctx, accountRunner, argv...)
		case "homeDoesNotExist":
			if os.MkdirAll(v, 0o755) == nil {
				info := userInfo(name)
				uid, _ := info.Int("uid")
				gid, _ := info.Int("gid")
				os.Chown(v, int(uid), int(gid))
			}
		default:
			ok(ctx, accountRunner, "usermod", "-c", accounts.Gecos(userInfo(name), it.Key, v), name)
		}
	}
}

// userAdd is useradd.add and the end of user.present for a new user.
func userAdd(ctx context.Context, c *state.Call, ret state.Ret) state.Ret {
	name := c.Low.Name
	a := argsOf(c)
	createhome := a.boolean("createhome", true)
	argv := accounts.UseraddArgv(name, accounts.AddOptions{Shell: a.str("shell", ""), UID: a.str("uid", ""), GID: a.str("gid", ""),
		Groups: a.strList("groups"), CreateHome: createhome, Home: a.str("home", ""), System: a.boolean("system", false)})
	if !ok(ctx, accountRunner, argv...) {
		return errRet(ret, fmt.Sprintf("Failed to create new user %s", name))
	}
	for _, k := range []string{"fullname", "roomnumber", "workphone", "homephone", "other"} {
		if a.has(k) {
			userApply(ctx, name, a, body.Map{{Key: k, Value: a.str(k, "")}})
		}
	}
	ret.Comment = fmt.Sprintf("New user %s created", name)
	ret.Changes = userInfo(name)
	if !createhome {
		ret.Changes.Set("home", "")
	}
	return ret
}

func userAbsent(ctx context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	info := userInfo(name)
	if info == nil {
		ret.Comment = fmt.Sprintf("User %s is not present", name)
		return ret
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("User %s set for removal", name)
		return ret
	}
	before := strsOf(must(info.Get("groups")))
	argv := []string{"userdel"}
	if argsOf(c).boolean("purge", false) {
		argv = append(argv, "-r")
	}
	if argsOf(c).boolean("force", false) {
		argv = append(argv, "-f")
	}
	if !ok(ctx, accountRunner, append(argv, name)...) {
		return errRet(ret, fmt.Sprintf("Failed to remove user %s", name))
	}
	for _, g := range before {
		if lookupGroup(g) == nil {
			ret.Changes.Set(g+" group", "removed")
		}
	}
	ret.Changes.Set(name, "removed")
	ret.Comment = "Removed user " + name
	return ret
}
