// Package accounts reads the local account databases (/etc/passwd,
// /etc/group, /etc/shadow) as Salt's useradd, groupadd and shadow modules
// read them through pwd, grp and spwd. The user, group and shadow
// execution modules and the user and group states share it; changes are
// made with the shadow tools (useradd, groupmod, gpasswd, ...), never by
// writing these files.
package accounts

import (
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// DB names the account files.
type DB struct{ PasswdFile, GroupFile, ShadowFile string }

// System is this machine's account files.
var System = DB{PasswdFile: "/etc/passwd", GroupFile: "/etc/group", ShadowFile: "/etc/shadow"}

// records is the colon-separated records of a file with n fields.
func records(path string, n int) [][]string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, ":"); len(f) == n && !strings.HasPrefix(line, "#") {
			out = append(out, f)
		}
	}
	return out
}

// Users is every passwd entry as useradd.info formats it, in file order.
func (db DB) Users() []body.Map {
	var out []body.Map
	for _, f := range records(db.PasswdFile, 7) {
		out = append(out, db.format(f))
	}
	return out
}

// User is useradd.info: nil when there is no such user.
func (db DB) User(name string) body.Map {
	for _, f := range records(db.PasswdFile, 7) {
		if f[0] == name {
			return db.format(f)
		}
	}
	return nil
}

// UserByUID is the user with this uid (pwd.getpwuid), nil for none.
func (db DB) UserByUID(uid int64) body.Map {
	for _, f := range records(db.PasswdFile, 7) {
		if n, err := strconv.ParseInt(f[2], 10, 64); err == nil && n == uid {
			return db.format(f)
		}
	}
	return nil
}

// format is useradd._format_info of one passwd record.
func (db DB) format(f []string) body.Map {
	name := f[0]
	uid, _ := strconv.ParseInt(f[2], 10, 64)
	gid, _ := strconv.ParseInt(f[3], 10, 64)
	gecos := append(strings.Split(f[4], ","), "", "", "", "", "")
	other := ""
	if l := strings.Split(f[4], ","); len(l) > 4 {
		other = strings.Join(l[4:], ",")
	}
	return body.Map{{Key: "gid", Value: gid}, {Key: "groups", Value: db.UserGroups(name, gid)}, {Key: "home", Value: f[5]},
		{Key: "name", Value: name}, {Key: "passwd", Value: f[1]}, {Key: "shell", Value: f[6]}, {Key: "uid", Value: uid},
		{Key: "fullname", Value: gecos[0]}, {Key: "roomnumber", Value: gecos[1]}, {Key: "workphone", Value: gecos[2]},
		{Key: "homephone", Value: gecos[3]}, {Key: "other", Value: other}}
}

// UserGroups is salt.utils.user.get_group_list: the primary group and
// those listing the user, sorted.
func (db DB) UserGroups(name string, gid int64) []any {
	var out []string
	for _, f := range records(db.GroupFile, 4) {
		g, _ := strconv.ParseInt(f[2], 10, 64)
		if (g == gid || slices.Contains(strings.Split(f[3], ","), name)) && !slices.Contains(out, f[0]) {
			out = append(out, f[0])
		}
	}
	slices.Sort(out)
	res := make([]any, len(out))
	for i, s := range out {
		res[i] = s
	}
	return res
}

// Group is one /etc/group entry.
type Group struct {
	Name, Passwd string
	GID          int64
	Members      []string
}

// AsMap is groupadd.info's shape: name, passwd, gid, members.
func (g *Group) AsMap() body.Map {
	members := make([]any, len(g.Members))
	for i, m := range g.Members {
		members[i] = m
	}
	return body.Map{{Key: "name", Value: g.Name}, {Key: "passwd", Value: g.Passwd}, {Key: "gid", Value: g.GID}, {Key: "members", Value: members}}
}

// Groups is every group, in file order.
func (db DB) Groups() []*Group {
	var out []*Group
	for _, f := range records(db.GroupFile, 4) {
		gid, _ := strconv.ParseInt(f[2], 10, 64)
		g := &Group{Name: f[0], Passwd: f[1], GID: gid, Members: []string{}}
		if f[3] != "" {
			g.Members = strings.Split(f[3], ",")
		}
		out = append(out, g)
	}
	return out
}

// Group is grp.getgrnam: nil when there is no such group.
func (db DB) Group(name string) *Group {
	for _, g := range db.Groups() {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// GroupByGID is grp.getgrgid: nil when there is no such group.
func (db DB) GroupByGID(gid int64) *Group {
	for _, g := range db.Groups() {
		if g.GID == gid {
			return g
		}
	}
	return nil
}

// ShadowEntry is spwd.getspnam's record: nil when there is none (or the
// file cannot be read, as for a user who is not root).
func (db DB) ShadowEntry(name string) []string {
	for _, f := range records(db.ShadowFile, 9) {
		if f[0] == name {
			return f
		}
	}
	return nil
}
