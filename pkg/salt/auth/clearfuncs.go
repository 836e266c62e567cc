package auth

import (
	"fmt"
	"os/user"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// PrepAuthInfo is ClearFuncs._prep_auth_info: how a load authenticates
// ("token", "eauth" or "user"), the error name a refused runner or wheel
// call gets, and the keys to take out of the load once it is allowed.
func PrepAuthInfo(load body.Map) (authType, errName string, sensitive []string) {
	switch {
	case load.Has("token"):
		return "token", ErrNameTokenAuthentication, []string{"token"}
	case load.Has("eauth"):
		return "eauth", ErrNameEauthAuthentication, []string{"username", "password"}
	}
	return "user", ErrNameUserAuthentication, nil
}

// CheckClearFunc is the authentication and authorization of
// ClearFuncs.runner and ClearFuncs.wheel (form "runner" or "wheel") for a
// load {fun, kwarg, token | eauth, username, password | user, key}: the
// user the call runs as, or Salt's error: check_authentication's, the
// SaltInvocationError of a function that is not module.function, or
// {err_name, 'Authentication failure of type "<type>" occurred for user
// <user>.'} for a function outside the user's ACL. keys are the master's
// access keys by user, for a load with neither token nor eauth.
func (a *LoadAuth) CheckClearFunc(load body.Map, form string, keys map[string]string) (string, *Error) {
	authType, errName, _ := PrepAuthInfo(load)
	r := a.CheckAuthentication(load, authType, keys, false)
	if r.Error != nil {
		return "", r.Error
	}
	if authType == "user" {
		if v, ok := load.Get("user"); ok {
			name := py.Str(v)
			if PublisherUser(name) != name { // sudo_<user>: the master's user
				name = a.opts.User
				if name == "" {
					name = "root"
				}
			}
			return name, nil
		}
		return a.running, nil
	}
	fun, _ := load.String("fun")
	kwarg, _ := load.Map("kwarg")
	ok, err := SpecCheck(r.AuthList, fun, kwarg, form)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &Error{errName, fmt.Sprintf(`Authentication failure of type "%s" occurred for user %s.`, authType, r.Username)}
	}
	return r.Username, nil
}

// currentUser is salt.utils.user.get_user.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
