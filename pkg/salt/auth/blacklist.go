package auth

import "github.com/saltraet/saltraet/pkg/raet/body"

// Blacklist is salt.acl.PublisherACL: publisher_acl_blacklist's users and
// modules, each a glob or regular expression.
type Blacklist struct{ users, modules []any }

// NewBlacklist reads publisher_acl_blacklist.
func NewBlacklist(cfg body.Map) Blacklist {
	u, _ := cfg.Get("users")
	m, _ := cfg.Get("modules")
	return Blacklist{users: list(u), modules: list(m)}
}

// Blacklist is the master's publisher_acl_blacklist.
func (a *LoadAuth) Blacklist() Blacklist { return NewBlacklist(a.opts.PublisherACLBlacklist) }

func anyMatch(value string, exprs []any) bool {
	for _, e := range exprs {
		if s, ok := e.(string); ok && ExprMatch(value, s) {
			return true
		}
	}
	return false
}

// UserIsBlacklisted is user_is_blacklisted.
func (b Blacklist) UserIsBlacklisted(user string) bool { return anyMatch(user, b.users) }

// CmdIsBlacklisted is cmd_is_blacklisted: fun is a function or a list of
// them, any one blacklisted enough.
func (b Blacklist) CmdIsBlacklisted(fun any) bool {
	funs := list(fun)
	if funs == nil {
		funs = []any{fun}
	}
	for _, f := range funs {
		if s, ok := f.(string); ok && anyMatch(s, b.modules) {
			return true
		}
	}
	return false
}
