package modules

import (
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/accounts"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// groupFuncs is Salt's group module (salt/modules/groupadd.py): the
// groups of /etc/group, changed with groupadd, groupdel and gpasswd.
func groupFuncs() []Func {
	ok := func(c *Call, argv ...string) (any, error) { return sysexec.OK(c.Ctx, accountRunner, argv...), nil }
	return []Func{
		{
			Name:   "group.add",
			Params: []Param{{Name: "name", Required: true}, {Name: "gid"}, {Name: "system", Default: false}, {Name: "root"}, {Name: "non_unique", Default: false}},
			Doc:    "Add the specified group\n\nname\n    Name of the new group\n\ngid\n    Use GID for the new group\n\nsystem\n    Create a system account\n\nnon_unique\n    Allow creating groups with duplicate (non-unique) GIDs\n\nCLI Example: salt '*' group.add foo 3456",
			Call: func(c *Call) (any, error) {
				argv := []string{"groupadd"}
				if gid := c.Arg("gid"); pyTruthy(gid) {
					argv = append(argv, "-g", c.strArg("gid"))
					if pyTruthy(c.Arg("non_unique")) {
						argv = append(argv, "-o")
					}
				}
				if pyTruthy(c.Arg("system")) {
					argv = append(argv, "-r")
				}
				return ok(c, append(argv, c.strArg("name"))...)
			},
		},
		{
			Name: "group.delete", Params: []Param{{Name: "name", Required: true}, {Name: "root"}},
			Doc:  "Remove the named group\n\nname\n    Name group to delete\n\nCLI Example: salt '*' group.delete foo",
			Call: func(c *Call) (any, error) { return ok(c, "groupdel", c.strArg("name")) },
		},
		{
			Name: "group.info", Params: []Param{{Name: "name", Required: true}, {Name: "root"}},
			Doc: "Return information about a group\n\nname\n    Name of the group\n\nCLI Example: salt '*' group.info foo",
			Call: func(c *Call) (any, error) {
				if g := accounts.System.Group(c.strArg("name")); g != nil {
					return g.AsMap(), nil
				}
				return body.Map{}, nil
			},
		},
		{
			Name: "group.getent", Params: []Param{{Name: "refresh", Default: false}, {Name: "root"}},
			Doc: "Return info on all groups\n\nrefresh\n    Force a refresh of group information\n\nCLI Example: salt '*' group.getent",
			Call: func(c *Call) (any, error) {
				out := []any{}
				for _, g := range accounts.System.Groups() {
					out = append(out, g.AsMap())
				}
				return out, nil
			},
		},
		{
			Name: "group.adduser", Params: []Param{{Name: "name", Required: true}, {Name: "username", Required: true}, {Name: "root"}},
			Doc:  "Add a user in the group.\n\nname\n    Name of the group to modify\n\nusername\n    Username to add to the group\n\nCLI Example: salt '*' group.adduser foo bar",
			Call: func(c *Call) (any, error) { return ok(c, "gpasswd", "--add", c.strArg("username"), c.strArg("name")) },
		},
		{
			Name: "group.deluser", Params: []Param{{Name: "name", Required: true}, {Name: "username", Required: true}, {Name: "root"}},
			Doc: "Remove a user from the group.\n\nname\n    Name of the group to modify\n\nusername\n    Username to delete from the group\n\nCLI Example: salt '*' group.deluser foo bar",
			Call: func(c *Call) (any, error) {
				g := accounts.System.Group(c.strArg("name"))
				if g == nil || !slices.Contains(g.Members, c.strArg("username")) {
					return true, nil // groupadd.deluser: nothing to do (and a missing group is "not a member")
				}
				return ok(c, "gpasswd", "--del", c.strArg("username"), c.strArg("name"))
			},
		},
		{
			Name: "group.members", Params: []Param{{Name: "name", Required: true}, {Name: "members_list", Required: true}, {Name: "root"}},
			Doc: "Replaces members of the group with a provided list.\n\nname\n    Name of the group to modify\n\nmembers_list\n    Username list to set into the group\n\nCLI Example: salt '*' group.members foo 'user1,user2,user3,...'",
			Call: func(c *Call) (any, error) {
				return ok(c, "gpasswd", "--members", c.strArg("members_list"), c.strArg("name"))
			},
		},
	}
}
