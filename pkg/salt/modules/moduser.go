package modules

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/accounts"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// accountRunner runs the shadow tools (useradd, usermod, userdel,
// groupadd, gpasswd, groupdel) for the user and group modules.
var accountRunner = saltCmdRunner(sysexec.Exec)

// userFuncs is Salt's user module (salt/modules/useradd.py), then the
// group (groupadd.py) and shadow (linux_shadow.py) modules. Accounts are
// read from the files accounts.System names, as pwd and grp read them on
// a host without other NSS sources, and changed with the shadow tools.
// Where they differ from Salt 3006: root= (a chroot) is refused; getent keeps no cache, so refresh changes nothing; accounts
// from other NSS sources (LDAP, sssd) are not seen.
func userFuncs(opts Options) []Func {
	funcs := slices.Concat(userInfoFuncs(), userChangeFuncs(), groupFuncs(), shadowFuncs())
	for i := range funcs {
		call := funcs[i].Call
		funcs[i].Call = func(c *Call) (any, error) {
			if c.Arg("root") != nil { // never change the host's accounts when a chroot's were meant
				return nil, cmdErr("%s: root (a chroot to work in) is not supported", c.Fun)
			}
			return call(c)
		}
	}
	return funcs
}

func userInfoFuncs() []Func {
	return []Func{
		{
			Name: "user.info", Params: []Param{{Name: "name", Required: true}, {Name: "root"}},
			Doc: "Return user information\n\nname\n    User to get the information\n\nroot\n    Directory to chroot into\n\nCLI Example: salt '*' user.info root",
			Call: func(c *Call) (any, error) {
				if info := accounts.System.User(c.strArg("name")); info != nil {
					return info, nil
				}
				return body.Map{}, nil
			},
		},
		{
			Name: "user.getent", Params: []Param{{Name: "refresh", Default: false}, {Name: "root"}},
			Doc: "Return the list of all info for all users\n\nrefresh\n    Force a refresh of user information\n\nroot\n    Directory to chroot into\n\nCLI Example: salt '*' user.getent",
			Call: func(c *Call) (any, error) {
				out := []any{}
				for _, u := range accounts.System.Users() {
					out = append(out, u)
				}
				return out, nil
			},
		},
		{
			Name: "user.list_users", Params: []Param{{Name: "root"}},
			Doc: "Return a list of all users\n\nroot\n    Directory to chroot into\n\nCLI Example: salt '*' user.list_users",
			Call: func(c *Call) (any, error) {
				var names []string
				for _, u := range accounts.System.Users() {
					n, _ := u.String("name")
					names = append(names, n)
				}
				slices.Sort(names)
				return toAnyList(names), nil
			},
		},
		{
			Name: "user.list_groups", Params: []Param{{Name: "name", Required: true}},
			Doc:  "Return a list of groups the named user belongs to\n\nname\n    User to get the information\n\nCLI Example: salt '*' user.list_groups foo",
			Call: func(c *Call) (any, error) { return userGroupList(c.strArg("name")), nil },
		},
		{
			Name: "user.primary_group", Params: []Param{{Name: "name", Required: true}},
			Doc: "Return the primary group of the named user\n\nname\n    User to get the information\n\nCLI Example: salt '*' user.primary_group saltadmin",
			Call: func(c *Call) (any, error) {
				out, stderr, _, err := accountRunner(c.Ctx, []string{"id", "-g", "-n", c.strArg("name")}, nil)
				if err != nil {
					return nil, cmdErr("%v", err)
				}
				return strings.TrimRight(out+stderr, "\n"), nil // cmd.run: stderr merged, trailing newline gone
			},
		},
	}
}

// userGroupList is salt.utils.user.get_group_list: the user's groups,
// the primary one included, sorted; none for a user that does not exist.
func userGroupList(name string) []any {
	info := accounts.System.User(name)
	if info == nil {
		return []any{}
	}
	gid, _ := info.Int("gid")
	return accounts.System.UserGroups(name, gid)
}

func userChangeFuncs() []Func {
	return []Func{
		{
			Name: "user.add",
			Params: []Param{{Name: "name", Required: true}, {Name: "uid"}, {Name: "gid"}, {Name: "groups"}, {Name: "home"}, {Name: "shell"},
				{Name: "unique", Default: true}, {Name: "system", Default: false}, {Name: "fullname", Default: ""}, {Name: "roomnumber", Default: ""},
				{Name: "workphone", Default: ""}, {Name: "homephone", Default: ""}, {Name: "other", Default: ""}, {Name: "createhome", Default: true},
				{Name: "loginclass"}, {Name: "nologinit", Default: false}, {Name: "root"}, {Name: "usergroup"}},
			Doc:  "Add a user to the minion\n\nname\n    Username LOGIN to add\n\nuid, gid, groups, home, shell, unique, system, fullname, roomnumber, workphone, homephone, other, createhome, nologinit, usergroup\n    As useradd's options, the GECOS fields set after.\n\nCLI Example: salt '*' user.add name <uid> <gid> <groups> <home> <shell>",
			Call: userAdd,
		},
		{
			Name:   "user.delete",
			Params: []Param{{Name: "name", Required: true}, {Name: "remove", Default: false}, {Name: "force", Default: false}, {Name: "root"}},
			Doc:    "Remove a user from the minion\n\nname\n    Username to delete\n\nremove\n    Remove home directory and mail spool\n\nforce\n    Force some actions that would fail otherwise\n\nCLI Example: salt '*' user.delete name remove=True force=True",
			Call:   userDelete,
		},
		userChattrib("user.chshell", "shell", "-s", "Change the default shell of the user", false),
		userChattrib("user.chhome", "home", "-d", "Change the home directory of the user, pass True for persist to move files to the new home directory if the old home directory exist.", true),
		{
			Name:   "user.chgroups",
			Params: []Param{{Name: "name", Required: true}, {Name: "groups", Required: true}, {Name: "append", Default: false}, {Name: "root"}},
			Doc:    "Change the groups to which this user belongs\n\nname\n    User to modify\n\ngroups\n    Groups to set for the user\n\nappend : False\n    If True, append the specified group(s). Otherwise, this function will replace the user's groups with the specified group(s).\n\nCLI Example: salt '*' user.chgroups foo wheel,root",
			Call:   userChgroups,
		},
		userGecosFunc("fullname", "Change the user's Full Name"),
		userGecosFunc("roomnumber", "Change the user's Room Number"),
		userGecosFunc("workphone", "Change the user's Work Phone"),
		userGecosFunc("homephone", "Change the user's Home Phone"),
		userGecosFunc("other", "Change the user's other GECOS attribute"),
	}
}

// userAdd is useradd.add: useradd, then the groups and GECOS fields.
func userAdd(c *Call) (any, error) {
	name := c.strArg("name")
	o := accounts.AddOptions{Shell: c.strArg("shell"), UID: c.strArg("uid"), GID: c.strArg("gid"), Home: c.strArg("home"),
		CreateHome: pyTruthy(c.Arg("createhome")), NoLogInit: pyTruthy(c.Arg("nologinit")), NonUnique: !pyTruthy(c.Arg("unique")),
		System: pyTruthy(c.Arg("system"))}
	if ug := c.Arg("usergroup"); ug != nil {
		b := pyTruthy(ug)
		o.UserGroup = &b
	}
	groups := userGroupsArg(c.Arg("groups"))
	if o.GID == "" && o.UserGroup == nil && slices.Contains(groups, name) && loginDefsUserGroups() {
		o.GID = name
	}
	if _, _, rc, err := accountRunner(c.Ctx, accounts.UseraddArgv(name, o), nil); err != nil || rc != 0 {
		return false, nil
	}
	if len(groups) > 0 {
		userSetGroups(c, name, groups, false)
	}
	for _, k := range accounts.GecosKeys {
		if v := c.Arg(k); pyTruthy(v) {
			userUpdateGecos(c, name, k, py.Str(v))
		}
	}
	return true, nil
}

// userGroupsArg is a groups argument: a list, or a comma-separated string.
func userGroupsArg(v any) []string {
	switch g := v.(type) {
	case nil:
		return nil
	case string:
		return strings.Split(g, ",")
	case []any:
		out := make([]string, len(g))
		for i, x := range g {
			out[i] = py.Str(x)
		}
		return out
	}
	return []string{py.Str(v)}
}

// userDelete is useradd.delete: userdel, whose exit 12 for a missing
// mail spool Debian counts as success.
func userDelete(c *Call) (any, error) {
	argv := []string{"userdel"}
	if pyTruthy(c.Arg("remove")) {
		argv = append(argv, "-r")
	}
	if pyTruthy(c.Arg("force")) {
		argv = append(argv, "-f")
	}
	_, stderr, rc, err := accountRunner(c.Ctx, append(argv, c.strArg("name")), nil)
	if err != nil {
		return false, nil
	}
	if rc == 12 && grainStr(c.Grains(), "os_family") == "Debian" && (strings.Contains(stderr, "var/mail") || strings.Contains(stderr, "var/spool/mail")) {
		return true, nil
	}
	return rc == 0, nil
}

// userChattrib is useradd._chattrib behind chshell and chhome: usermod
// when the value differs, then whether the user has it.
func userChattrib(fun, key, flag, doc string, persist bool) Func {
	params := []Param{{Name: "name", Required: true}, {Name: key, Required: true}, {Name: "root"}}
	if persist {
		params = []Param{{Name: "name", Required: true}, {Name: key, Required: true}, {Name: "persist", Default: false}, {Name: "root"}}
	}
	return Func{Name: fun, Params: params, Doc: doc + "\n\nCLI Example: salt '*' " + fun + " foo " + map[bool]string{true: "/home/users/foo", false: "/bin/zsh"}[persist],
		Call: func(c *Call) (any, error) {
			name, value := c.strArg("name"), c.Arg(key)
			pre := accounts.System.User(name)
			if pre == nil {
				return nil, cmdErr("User '%s' does not exist", name)
			}
			if cur, _ := pre.Get(key); cur == value {
				return true, nil
			}
			argv := []string{"usermod"}
			if persist && pyTruthy(c.Arg("persist")) {
				argv = append(argv, "-m")
			}
			accountRunner(c.Ctx, append(argv, flag, py.Str(value), name), nil)
			cur, _ := accounts.System.User(name).Get(key)
			return cur == value, nil
		}}
}

// userChgroups is useradd.chgroups.
func userChgroups(c *Call) (any, error) {
	return userSetGroups(c, c.strArg("name"), userGroupsArg(c.Arg("groups")), pyTruthy(c.Arg("append"))), nil
}

// userSetGroups is chgroups' work: usermod -G (-a to append), and
// gpasswd -a for each group when usermod says a group is "not found in"
// the user database.
func userSetGroups(c *Call, name string, groups []string, appendTo bool) bool {
	have := userGroupList(name)
	if len(have) == len(groups) && !slices.ContainsFunc(groups, func(g string) bool { return !slices.Contains(have, any(g)) }) {
		return true
	}
	argv := []string{"usermod"}
	if appendTo {
		argv = append(argv, "-a")
	}
	_, stderr, rc, err := accountRunner(c.Ctx, append(argv, "-G", strings.Join(groups, ","), name), nil)
	if err == nil && rc != 0 && strings.Contains(stderr, "not found in") {
		ok := true
		for _, g := range groups {
			ok = sysexec.OK(c.Ctx, accountRunner, "gpasswd", "-a", name, g) && ok
		}
		return ok
	}
	return err == nil && rc == 0
}

// userGecosFunc is user.ch<key> for a GECOS field (useradd._update_gecos).
func userGecosFunc(key, doc string) Func {
	fun := "user.ch" + key
	return Func{Name: fun, Params: []Param{{Name: "name", Required: true}, {Name: key, Required: true}, {Name: "root"}},
		Doc: doc + "\n\nCLI Example: salt '*' " + fun + " foo \"value\"",
		Call: func(c *Call) (any, error) {
			v := ""
			if x := c.Arg(key); x != nil {
				v = py.Str(x)
			}
			return userUpdateGecos(c, c.strArg("name"), key, v)
		}}
}

// userUpdateGecos sets one GECOS field with usermod -c and reports
// whether the user has it now. Salt's pwd.getpwnam raises KeyError for a
// user that does not exist; so does this.
func userUpdateGecos(c *Call, name, key, value string) (bool, error) {
	pre := accounts.System.User(name)
	if pre == nil {
		return false, &Exception{Type: "KeyError", Msg: fmt.Sprintf("%q", "getpwnam(): name not found: "+py.Repr(name))}
	}
	if cur, _ := pre.String(key); cur == value {
		return true, nil
	}
	accountRunner(c.Ctx, []string{"usermod", "-c", accounts.Gecos(pre, key, value), name}, nil)
	cur, _ := accounts.System.User(name).String(key)
	return cur == value, nil
}

// loginDefsUserGroups is whether /etc/login.defs turns USERGROUPS_ENAB
// on, which makes useradd.add give a user named in its own groups that
// group as its primary one.
func loginDefsUserGroups() bool {
	data, _ := os.ReadFile("/etc/login.defs")
	for _, line := range strings.Split(string(data), "\n") {
		if len(line) >= 15 && strings.Contains(line[:15], "USERGROUPS_ENAB") || strings.HasPrefix(line, "USERGROUPS_ENAB") {
			return strings.Contains(line, "yes")
		}
	}
	return false
}
