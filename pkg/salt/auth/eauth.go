package auth

import (
	"crypto/subtle"
	"errors"
	"os/user"
	"slices"
	"sort"
)

// module is one eauth module (salt/auth/<name>.py): auth(username,
// password), and groups(username) for those that have it.
type module interface {
	auth(username, password string) (bool, error)
}

// grouper is a module with groups(username): the user's groups, which
// fill_auth_list matches the "<group>%" entries with.
type grouper interface {
	groups(username string) ([]string, error)
}

// ErrPAMUnavailable is the pam module's error in a build without cgo or on
// a system without libpam.
var ErrPAMUnavailable = errors.New("PAM is not available in this build or on this system")

// modules are the eauth modules this master has, by name: Salt's loader
// offers these and many more (ldap, mysql, rest, django, ...), which are
// not available here.
func (a *LoadAuth) modules() map[string]module {
	return map[string]module{
		"auto":         autoAuth{},
		"sharedsecret": sharedsecretAuth{secret: a.opts.Sharedsecret},
		"file":         fileAuth{cfg: a.opts},
		"pam":          pamAuth{service: a.opts.PAMService},
	}
}

// ModuleNames are the eauth modules available, sorted, as Resolver.cli
// lists them.
func ModuleNames() []string {
	names := []string{"auto", "file", "pam", "sharedsecret"}
	sort.Strings(names)
	return names
}

// HasModule reports whether eauth names an available module.
func HasModule(eauth string) bool { return slices.Contains(ModuleNames(), eauth) }

// autoAuth is salt/auth/auto.py: every password is right. For tests, never
// for production, as Salt says.
type autoAuth struct{}

func (autoAuth) auth(string, string) (bool, error) { return true, nil }

// sharedsecretAuth is salt/auth/sharedsecret.py: the password is the
// master's sharedsecret option, whatever the user. Without the option no
// password is right (Salt compares with None).
type sharedsecretAuth struct{ secret *string }

func (s sharedsecretAuth) auth(_, password string) (bool, error) {
	if s.secret == nil {
		return false, nil
	}
	return subtle.ConstantTimeCompare([]byte(*s.secret), []byte(password)) == 1, nil
}

// pamAuth is salt/auth/pam.py: pam_authenticate then pam_acct_mgmt with
// the auth.pam.service service; groups from the system's group list.
type pamAuth struct{ service string }

func (p pamAuth) auth(username, password string) (bool, error) {
	return pamAuthenticate(p.service, username, password)
}

func (pamAuth) groups(username string) ([]string, error) { return GroupList(username) }

// GroupList is salt.utils.user.get_group_list: the names of the groups the
// user is in, the primary group included, sorted.
func GroupList(username string) ([]string, error) {
	u, err := user.Lookup(username)
	if err != nil {
		return nil, err
	}
	gids, err := u.GroupIds()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, gid := range gids {
		g, err := user.LookupGroupId(gid)
		if err != nil {
			continue
		}
		if !slices.Contains(names, g.Name) {
			names = append(names, g.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}
