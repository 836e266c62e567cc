package accounts

import (
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// GecosKeys are the GECOS fields in their order in the passwd entry.
var GecosKeys = []string{"fullname", "roomnumber", "workphone", "homephone", "other"}

// Gecos is useradd._build_gecos of a user's info with key set to value:
// the comma-joined fields, trailing empty ones dropped.
func Gecos(info body.Map, key, value string) string {
	f := make([]string, len(GecosKeys))
	for i, k := range GecosKeys {
		f[i], _ = info.String(k)
		if k == key {
			f[i] = value
		}
	}
	return strings.TrimRight(strings.Join(f, ","), ",")
}

// AddOptions are what useradd.add (and user.present for a new user) turn
// into useradd's options; "" and nil mean not given.
type AddOptions struct {
	Shell, UID, GID, Home string
	// Groups are given to useradd -G (user.present does; useradd.add
	// sets them afterwards with chgroups).
	Groups []string
	// UserGroup is -U (true) or -N (false).
	UserGroup                                *bool
	CreateHome, NoLogInit, NonUnique, System bool
}

// UseraddArgv is the useradd command line for name, options in
// useradd.add's order.
func UseraddArgv(name string, o AddOptions) []string {
	argv := []string{"useradd"}
	for _, opt := range [][2]string{{o.Shell, "-s"}, {o.UID, "-u"}, {o.GID, "-g"}} {
		if opt[0] != "" {
			argv = append(argv, opt[1], opt[0])
		}
	}
	if o.GID == "" && o.UserGroup != nil && *o.UserGroup {
		argv = append(argv, "-U")
	}
	if len(o.Groups) > 0 {
		argv = append(argv, "-G", strings.Join(o.Groups, ","))
	}
	if o.UserGroup != nil && !*o.UserGroup {
		argv = append(argv, "-N")
	}
	if o.CreateHome {
		argv = append(argv, "-m")
	} else {
		argv = append(argv, "-M")
	}
	if o.NoLogInit {
		argv = append(argv, "-l")
	}
	if o.Home != "" {
		argv = append(argv, "-d", o.Home)
	}
	if o.NonUnique {
		argv = append(argv, "-o")
	}
	if o.System {
		argv = append(argv, "-r")
	}
	return append(argv, name)
}
