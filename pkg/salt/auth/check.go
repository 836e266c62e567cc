package auth

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Error is Salt's error dict: {"name": ..., "message": ...}.
type Error struct {
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// ToMap is the error as Salt answers it.
func (e *Error) ToMap() body.Map {
	return body.Map{{Key: "name", Value: e.Name}, {Key: "message", Value: e.Message}}
}

// Salt's error names for refused requests.
const (
	ErrNameAuthentication      = "AuthenticationError"
	ErrNameAuthorization       = "AuthorizationError"
	ErrNameEauthAuthentication = "EauthAuthenticationError"
	ErrNameTokenAuthentication = "TokenAuthenticationError"
	ErrNameUserAuthentication  = "UserAuthenticationError"
	ErrNameSaltInvocation      = "SaltInvocationError"
)

// Result is check_authentication's dict: the auth list the request is
// checked against, the user name, and the error that refused it.
type Result struct {
	AuthList []any
	Username string
	Error    *Error
}

// authenticateToken is authenticate_token: the token's data when it is
// valid and its eauth is still configured.
func (a *LoadAuth) authenticateToken(load body.Map) Token {
	tok, _ := load.Get("token")
	s, _ := tok.(string)
	token, err := a.GetTok(s)
	if err == nil && token != nil {
		eauth, _ := token.String("eauth")
		if _, ok := a.opts.eauthConfig(eauth); ok {
			return token
		}
	}
	a.log().Warn(`Authentication failure of type "token" occurred.`)
	return nil
}

// authenticateEauth is authenticate_eauth.
func (a *LoadAuth) authenticateEauth(load body.Map) bool {
	eauth, ok := load.String("eauth")
	if !ok {
		a.log().Warn(`Authentication failure of type "eauth" occurred.`)
		return false
	}
	if _, ok := a.opts.eauthConfig(eauth); !ok {
		a.log().Warnf(`The eauth system "%s" is not enabled`, clip(eauth))
		a.log().Warn(`Authentication failure of type "eauth" occurred.`)
		return false
	}
	if !a.timeAuth(load) {
		a.log().Warn(`Authentication failure of type "eauth" occurred.`)
		return false
	}
	return true
}

// keyResult is authenticate_key's answer: refused, allowed as the master
// (no ACL), or allowed as a publisher_acl user (name).
type keyResult struct {
	ok   bool
	name string // "" for True
}

// authenticateKey is authenticate_key: the load's key against the
// master's access keys by user.
func (a *LoadAuth) authenticateKey(load body.Map, keys map[string]string) keyResult {
	const msg = `Authentication failure of type "user" occurred.`
	authKey, ok := load.String("key") // missing, None or not a string: refused
	if !ok {
		a.log().Warn(msg)
		return keyResult{}
	}
	anyKey := func() bool {
		for _, k := range keys {
			if constantEq(k, authKey) {
				return true
			}
		}
		return false
	}
	userV, hasUser := load.Get("user")
	if !hasUser {
		if anyKey() {
			return keyResult{ok: true}
		}
		a.log().Warn(msg)
		return keyResult{}
	}
	u := py.Str(userV)
	masterUser := a.opts.User
	if masterUser == "" {
		masterUser = "root"
	}
	keyOf := func(name string) (string, bool) { k, ok := keys[name]; return k, ok }
	switch {
	case strings.HasPrefix(u, "sudo_"):
		// Salt returns the name after sudo_, which is falsy when empty.
		if name := PublisherUser(u); name != "" && anyKey() {
			return keyResult{ok: true, name: name}
		}
		return keyResult{}
	case u == masterUser || u == "root":
		if anyKey() {
			return keyResult{ok: true}
		}
		a.log().Warnf("Master runs as %q, but user in payload is %q", masterUser, clip(u))
		a.log().Warn(msg)
		return keyResult{}
	case u == a.running:
		if k, ok := keyOf(u); !ok || !constantEq(k, authKey) {
			a.log().Warn(msg)
			return keyResult{}
		}
		return keyResult{ok: true}
	}
	if k, ok := keyOf("root"); ok && constantEq(k, authKey) {
		return keyResult{ok: true}
	}
	if k, ok := keyOf("salt"); ok && constantEq(k, authKey) {
		return keyResult{ok: true}
	}
	if k, ok := keyOf(u); ok && constantEq(k, authKey) {
		return keyResult{ok: true, name: u}
	}
	a.log().Warn(msg)
	return keyResult{}
}

// getAuthList is get_auth_list: the token's kept list, else the list the
// eauth configuration gives the user and their groups; nil when the eauth
// is not configured.
func (a *LoadAuth) getAuthList(load body.Map, token Token) []any {
	if token != nil && a.opts.KeepACLInToken {
		if v, ok := token.Get("auth_list"); ok {
			l, _ := py.ListItems(v)
			return l
		}
	}
	var eauth, name string
	var groups []string
	if token != nil {
		eauth, _ = token.String("eauth")
		n, _ := token.Get("name")
		name = py.Str(n)
		g, _ := token.Get("groups")
		gl, _ := py.ListItems(g)
		for _, x := range gl {
			groups = append(groups, py.Str(x))
		}
	} else {
		eauth, _ = load.String("eauth")
		name = a.LoadName(load)
		groups = a.groups(load)
	}
	cfg, ok := a.opts.eauthConfig(eauth)
	if !ok {
		a.log().Warn("Authorization failure occurred.")
		return nil
	}
	return FillAuthList(cfg, name, groups, a.opts.PermissiveACL)
}

// CheckAuthentication is LoadAuth.check_authentication: authType is
// "token", "eauth" or "user"; keys are the master's access keys by user,
// for "user". A Result without Error is authenticated; its AuthList is
// what AuthCheck, RunnerCheck and WheelCheck authorise against (empty for
// the master's own user, whom Salt does not check).
func (a *LoadAuth) CheckAuthentication(load body.Map, authType string, keys map[string]string, showUsername bool) Result {
	username := "UNKNOWN"
	if v, ok := load.Get("username"); ok {
		username = py.Str(v)
	}
	ret := Result{AuthList: []any{}, Username: username}
	switch authType {
	case "token":
		token := a.authenticateToken(load)
		if token == nil {
			ret.Error = &Error{ErrNameTokenAuthentication, `Authentication failure of type "token" occurred.`}
			return ret
		}
		n, _ := token.Get("name")
		ret.Username = py.Str(n)
		ret.AuthList = a.getAuthList(load, token)
	case "eauth":
		if !a.authenticateEauth(load) {
			ret.Error = &Error{ErrNameEauthAuthentication, fmt.Sprintf(`Authentication failure of type "eauth" occurred for user %s.`, username)}
			return ret
		}
		ret.AuthList = a.getAuthList(load, nil)
	case "user":
		kr := a.authenticateKey(load, keys)
		msg := `Authentication failure of type "user" occurred`
		if !kr.ok {
			if showUsername {
				msg = fmt.Sprintf("%s for user %s.", msg, username)
			}
			ret.Error = &Error{ErrNameUserAuthentication, msg}
			return ret
		}
		if kr.name != "" {
			u, _ := load.String("user")
			if strings.HasPrefix(u, "sudo_") && (!a.opts.SudoACL || len(a.opts.PublisherACL) == 0) {
				kr.name = ""
			}
		}
		if kr.name != "" {
			ret.AuthList = ValuesOfMatchingKeys(a.opts.PublisherACL, kr.name)
			if len(ret.AuthList) == 0 {
				ret.Error = &Error{ErrNameUserAuthentication, msg}
				return ret
			}
		}
	default:
		ret.Error = &Error{ErrNameSaltInvocation, "Authentication type not supported."}
		return ret
	}
	if ret.AuthList == nil {
		ret.AuthList = []any{}
	}
	return ret
}

// PublisherUser is the user a "user" publish runs as once authenticated:
// the sudo_ prefix taken off, as Salt's AuthUser.sudo_name.
func PublisherUser(u string) string {
	if strings.HasPrefix(u, "sudo_") {
		return strings.SplitN(u, "_", 2)[1]
	}
	return u
}

// clip shortens a string a client chose before it goes into a log line.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + fmt.Sprintf("...(%d bytes)", len(s))
}

// constantEq compares keys in constant time for keys of one length.
func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
