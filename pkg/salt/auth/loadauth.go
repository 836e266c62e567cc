package auth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// LoadAuth is salt.auth.LoadAuth with the master's options. It is safe for
// concurrent use: a slow authentication (PAM, time_auth's wait) holds no
// lock another caller needs.
type LoadAuth struct {
	opts   Options
	tokens tokenStore
	mods   map[string]module

	// Log gets Salt's warnings ("Authentication failure of type ...");
	// no line carries a password. Nil discards them.
	Log logrus.FieldLogger
	// Now is the clock of token start and expiry; nil is time.Now.
	Now func() time.Time
	// Minions, when set, expands a target to the accepted minions it
	// matches (check_minions), for AuthCheck's {target: [funs]} entries
	// when the caller gives no minion list.
	Minions func(tgt any, tgtType string) ([]string, error)
	// TargetMatch, when set, reports whether minion id is matched by the
	// compound expression of an ACL entry (check_minions(valid,
	// "compound")); nil matches the id alone (see AuthCheck).
	TargetMatch func(expr, id string) (bool, error)

	mu      sync.Mutex
	maxFail time.Duration // time_auth's slowest failure seen, 1 s at first
	regexps sync.Map      // pattern → *regexp.Regexp or error
	sleep   func(time.Duration)
	running string // the user this process runs as
}

// New is LoadAuth(opts): it reads the auth options of the master's
// configuration.
func New(opts *config.Master) (*LoadAuth, error) {
	o, err := ReadOptions(opts)
	if err != nil {
		return nil, err
	}
	return NewWithOptions(o), nil
}

// NewWithOptions is New with the options already read.
func NewWithOptions(o Options) *LoadAuth {
	a := &LoadAuth{opts: o, maxFail: time.Second, sleep: time.Sleep}
	a.tokens = tokenStore{dir: o.TokenDir, hashType: o.HashType}
	a.mods = a.modules()
	a.running = currentUser()
	return a
}

// Options are the options the LoadAuth was made with.
func (a *LoadAuth) Options() Options { return a.opts }

func (a *LoadAuth) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *LoadAuth) log() logrus.FieldLogger {
	if a.Log != nil {
		return a.Log
	}
	l := logrus.New()
	l.Out = discard{}
	return l
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// authCall is LoadAuth.__auth_call: the eauth module's auth with the
// load's username and password. A module's error is logged (Salt logs it
// at debug; here at warning when it is a configuration problem the
// operator must see) and is a failure.
func (a *LoadAuth) authCall(load body.Map) bool {
	eauth, _ := load.String("eauth")
	mod, ok := a.mods[eauth]
	if !ok {
		return false
	}
	username, uok := load.String("username")
	password, pok := load.String("password")
	if !uok || !pok {
		return false
	}
	ok, err := mod.auth(username, password)
	if err != nil {
		a.log().Warnf("Authentication module %s: %v", eauth, err)
		return false
	}
	return ok
}

// timeAuth is LoadAuth.time_auth: a failure returns no sooner than the
// slowest failure seen so far, jittered by a quarter either way, so the
// time of an answer does not tell a wrong user from a wrong password.
// Only the update of the slowest time is under the lock, not the wait.
func (a *LoadAuth) timeAuth(load body.Map) bool {
	start := time.Now()
	if a.authCall(load) {
		return true
	}
	took := time.Since(start)
	a.mu.Lock()
	if took > a.maxFail {
		a.maxFail = took
	}
	maxFail := a.maxFail
	a.mu.Unlock()
	dev := maxFail / 4
	wait := maxFail - dev + time.Duration(rand.Int64N(int64(2*dev)+1))
	if d := wait - time.Since(start); d > 0 {
		a.sleep(d)
	}
	return false
}

// LoadName is load_name: the user name the load authenticates, "" when
// its eauth is not a module here.
func (a *LoadAuth) LoadName(load body.Map) string {
	eauth, _ := load.String("eauth")
	if _, ok := a.mods[eauth]; !ok {
		return ""
	}
	v, _ := load.Get("username")
	if v == nil {
		return ""
	}
	return py.Str(v)
}

// groups is get_groups: the user's groups from a module that has them.
func (a *LoadAuth) groups(load body.Map) []string {
	eauth, _ := load.String("eauth")
	g, ok := a.mods[eauth].(grouper)
	if !ok {
		return nil
	}
	username, _ := load.String("username")
	groups, err := g.groups(username)
	if err != nil {
		return nil
	}
	return groups
}

// allowCustomExpire is _allow_custom_expire.
func (a *LoadAuth) allowCustomExpire(load body.Map) bool {
	switch o := a.opts.TokenExpireUserOverride.(type) {
	case bool:
		return o
	case nil:
		return false
	}
	m, ok := py.DictItems(a.opts.TokenExpireUserOverride)
	if !ok {
		return false
	}
	eauth, _ := load.String("eauth")
	users, _ := m.Get(eauth)
	list, _ := py.ListItems(users)
	username, _ := load.String("username")
	return slices.ContainsFunc(list, func(v any) bool { s, ok := v.(string); return ok && s == username })
}

// ErrNotAuthenticated is MkToken's answer to credentials the eauth module
// refused (Salt's {}): a 401, not a fault of the master.
var ErrNotAuthenticated = errors.New(`Authentication failure of type "eauth" occurred.`)

// MkToken is LoadAuth.mk_token: authenticate the load (eauth, username,
// password; token_expire when the user may choose it), then store and
// return the token data. Refused credentials are ErrNotAuthenticated,
// after time_auth's wait; any other error is the token store's.
func (a *LoadAuth) MkToken(load body.Map) (Token, error) {
	if !a.authenticateEauth(load) {
		return nil, ErrNotAuthenticated
	}
	expire := a.opts.TokenExpire
	if v, ok := load.Get("token_expire"); ok && a.allowCustomExpire(load) {
		f, err := py.Float(v)
		if err != nil {
			return nil, fmt.Errorf("token_expire: want a number of seconds, not %s", py.TypeName(v))
		}
		expire = f
	}
	now := float64(a.now().UnixNano()) / 1e9
	eauth, _ := load.String("eauth")
	tdata := Token{
		{Key: "start", Value: now},
		{Key: "expire", Value: now + expire},
		{Key: "name", Value: a.LoadName(load)},
		{Key: "eauth", Value: eauth},
	}
	if a.opts.KeepACLInToken {
		// Salt stores __get_acl(load) here, which is None for every
		// module without an acl function (all of them here), and then
		// refuses every call made with the token; the list the
		// configuration gives the user is what the option means to keep.
		tdata.Set("auth_list", a.getAuthList(load, nil))
	}
	if groups := a.groups(load); len(groups) > 0 {
		g := make([]any, len(groups))
		for i, s := range groups {
			g[i] = s
		}
		tdata.Set("groups", g)
	}
	return a.tokens.mk(tdata)
}

// GetTok is LoadAuth.get_tok: the token's data, or nil for a token that
// does not exist. An expired token, one without expire, and a file that
// does not decode are removed, and are nil too.
func (a *LoadAuth) GetTok(tok string) (Token, error) {
	tdata, err := a.tokens.get(tok)
	rm := false
	switch {
	case errors.Is(err, errBrokenToken):
		a.log().Warnf("Failed to load token %q - removing broken/empty file.", tok)
		rm = true
	case err != nil:
		a.log().Warn(err.Error())
		return nil, err
	case tdata == nil:
		return nil, nil
	}
	if !rm {
		exp, ok := tdata.Get("expire")
		f, ferr := py.Float(exp)
		if !ok || ferr != nil || f < float64(a.now().UnixNano())/1e9 {
			rm = true
		}
	}
	if rm {
		if err := a.tokens.rm(tok); err != nil {
			a.log().Warn(err.Error())
		}
		return nil, nil
	}
	return tdata, nil
}

// RmToken is LoadAuth.rm_token.
func (a *LoadAuth) RmToken(tok string) error { return a.tokens.rm(tok) }

// ListTokens is LoadAuth.list_tokens: every file in token_dir.
func (a *LoadAuth) ListTokens() ([]string, error) { return a.tokens.list() }
