package master

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/auth"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// Salt 3006's answers to a refused publish (ClearFuncs.publish).
const (
	ErrNameAuthorization = protocol.ErrNameAuthorization
	authErrorMsg         = "Authentication error occurred."
	authzErrorMsg        = "Authorization error occurred."
)

// maxAuthAside bounds the eauth and token checks running beside the
// workers: each may take time_auth's second or a slow PAM, and a client
// sending wrong passwords in a loop must not pile up goroutines.
const maxAuthAside = 64

// openAuth makes the master's LoadAuth from its options.
func (m *Master) openAuth() error {
	a, err := auth.New(m.cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", m.cfg.ConfFile, err)
	}
	a.Log = m.log
	a.TargetMatch = m.aclTargetMatch
	m.auth = a
	m.authAside = make(chan struct{}, maxAuthAside)
	return nil
}

// aclKeyUsers are the publisher_acl users the master writes an access key
// for, as masterapi.access_keys with client_acl_verify does: the names
// that are users of this system, and the users of /etc/passwd a pattern
// of publisher_acl matches.
func (m *Master) aclKeyUsers(have []string) []string {
	var out []string
	add := func(name string) {
		if !slices.Contains(have, name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, name := range m.auth.Options().PublisherACLUsers() {
		if _, err := user.Lookup(name); err != nil {
			m.log.Infof("publisher_acl names %s, who is not a user of this system: no access key is written", name)
			continue
		}
		add(name)
	}
	acl := m.auth.Options().PublisherACL
	for _, name := range passwdUsers("/etc/passwd") {
		for _, it := range acl {
			if auth.ExprMatch(name, it.Key) {
				add(name)
				break
			}
		}
	}
	return out
}

// passwdUsers are the user names of a passwd file (pwd.getpwall); none
// when it cannot be read.
func passwdUsers(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && name != "" && !strings.HasPrefix(name, "#") && !strings.HasPrefix(name, "+") {
			names = append(names, name)
		}
	}
	return names
}

// aside runs work beside the workers, bounded by maxAuthAside, and hands
// what it returns back to them. A full bound refuses at once.
func (m *Master) aside(yard string, work func() (then func())) bool {
	select {
	case m.authAside <- struct{}{}:
	default:
		m.refuse("auth_busy", "Refused a request from yard %s: %d authentications are in progress", yard, maxAuthAside)
		m.replyError(yard, ErrNameAuthentication, authErrorMsg)
		return false
	}
	m.watchers.Add(1)
	go func() {
		defer m.watchers.Done()
		then := work()
		<-m.authAside
		m.enqueue(then)
	}()
	return true
}

// publishAuthType is _prep_auth_info: token, then eauth, then the user's
// key.
func publishAuthType(extra body.Map) string {
	switch {
	case extra.Has("token"):
		return "token"
	case extra.Has("eauth"):
		return "eauth"
	}
	return "user"
}

// authenticatePublish is the first half of ClearFuncs.publish: the
// publisher_acl_blacklist, then the authentication, a slow one (eauth,
// token) off the workers. then gets the verdict on a worker.
func (m *Master) authenticatePublish(load body.Map, yard string, then func(authType string, r auth.Result)) {
	userV, _ := load.Get("user")
	funV, _ := load.Get("fun")
	bl := m.auth.Blacklist()
	if bl.UserIsBlacklisted(py.Str(userV)) || bl.CmdIsBlacklisted(funV) {
		m.refuse("authz_failed", "%s does not have permissions to run %v. Please contact your local administrator if you believe this is in error.", clip(py.Str(userV)), funV)
		m.replyError(yard, ErrNameAuthorization, authzErrorMsg)
		return
	}
	extra, _ := load.Map("kwargs")
	authType := publishAuthType(extra)
	if authType == "user" {
		then(authType, m.auth.CheckAuthentication(load, authType, m.keys.byUser, false))
		return
	}
	m.aside(yard, func() func() {
		r := m.auth.CheckAuthentication(extra, authType, nil, false)
		return func() { then(authType, r) }
	})
}

// authRefused answers a publish whose authentication failed.
func (m *Master) authRefused(yard, authType string, load body.Map, r auth.Result) {
	who := r.Username
	if authType == "user" {
		u, _ := load.Get("user")
		who = py.Str(u)
	}
	m.refuse("auth_failed", "Authentication failure of type %q occurred for user %q (publish from yard %s): %s", authType, clip(who), yard, r.Error.Message)
	m.replyError(yard, ErrNameAuthentication, authErrorMsg)
}

// authorizePublish is the second half: eauth, token and publisher_acl
// users must be allowed the function on the targeted minions
// (saltutil.find_job always is); the load's user becomes the eauth or
// token user. False when refused, answered.
func (m *Master) authorizePublish(load *body.Map, yard, authType string, r auth.Result, minions []string) bool {
	if authType == "user" && len(r.AuthList) == 0 {
		return true
	}
	funV, _ := load.Get("fun")
	argV, _ := load.Get("arg")
	tgt, _ := load.Get("tgt")
	tgtType, _ := load.String("tgt_type")
	if tgtType == "" {
		tgtType = "glob"
	}
	if funV != "saltutil.find_job" && !m.auth.AuthCheck(r.AuthList, funV, argV, tgt, tgtType, minions) {
		m.refuse("authz_failed", "Authorization failure of type %q occurred for user %q: %v on %v (publish from yard %s)", authType, clip(r.Username), funV, tgt, yard)
		m.replyError(yard, ErrNameAuthorization, authzErrorMsg)
		return false
	}
	extra, _ := load.Map("kwargs")
	switch authType {
	case "token":
		load.Set("user", r.Username)
	case "eauth":
		load.Set("user", m.auth.LoadName(extra))
	}
	return true
}

// withoutSecrets is the load with the password and token taken out of its
// kwargs, before it is stored in the job cache or fired.
func withoutSecrets(load body.Map) body.Map {
	kw, ok := load.Map("kwargs")
	if !ok || !(kw.Has("password") || kw.Has("token")) {
		return load
	}
	kw = slices.Clone(kw)
	kw.Delete("password")
	kw.Delete("token")
	load.Set("kwargs", kw)
	return load
}

// tokenCmd answers mk_token (off the workers: it authenticates) and
// get_token.
func (m *Master) tokenCmd(cmd string, load body.Map, yard string) {
	if cmd == protocol.CmdGetToken {
		tok, _ := load.String("token")
		data, err := m.auth.GetTok(tok)
		if err != nil {
			m.log.Warnf("get_token from yard %s: %v", yard, err)
		}
		m.reply(yard, "", protocol.TokenReply(data))
		return
	}
	m.aside(yard, func() func() {
		tok, err := m.auth.MkToken(load)
		return func() { m.tokenMade(load, yard, tok, err) }
	})
}

func (m *Master) tokenMade(load body.Map, yard string, tok body.Map, err error) {
	eauth, _ := load.Get("eauth")
	name, _ := load.Get("username")
	switch {
	case errors.Is(err, auth.ErrNotAuthenticated):
		m.refuse("auth_failed", "Authentication failure of type \"eauth\" occurred for user %q (mk_token, eauth %q, from yard %s)", clip(py.Str(name)), clip(py.Str(eauth)), yard)
		m.reply(yard, "", protocol.TokenReply(nil))
	case err != nil:
		m.stats.Add("token_error")
		m.log.Errorf("mk_token from yard %s: %v", yard, err)
		m.replyError(yard, ErrNameMaster, err.Error())
	default:
		m.stats.Add("token_made")
		m.log.Infof("Made a token for %s (eauth %s) from yard %s", clip(py.Str(name)), clip(py.Str(eauth)), yard)
		m.reply(yard, "", protocol.TokenReply(tok))
	}
}

// manorMode is the mode of the manor yard's socket: 0600, the master's
// user alone, unless users other than it may publish (publisher_acl, or
// external_auth for salt-raet -a): then 0666, and sock_dir's own mode,
// which the operator opens as Salt's publisher_acl documentation says,
// decides who reaches it (lane makes sock_dir 0700).
func (m *Master) manorMode() os.FileMode {
	o := m.auth.Options()
	if len(o.PublisherACL) > 0 || len(o.ExternalAuth) > 0 {
		return 0o666
	}
	return 0o600
}

// aclTargetMatch is validate_tgt's check_minions(valid, "compound") for one
// targeted minion: its id, and the grains and pillar cached for it. Not
// greedy, unlike Salt's: a minion whose grains the master does not have
// is not matched by an ACL's G@ word, which would otherwise allow any
// function the entry names on it.
func (m *Master) aclTargetMatch(expr, id string) (bool, error) {
	mt := target.Matcher{ID: id, HasPillar: true}
	if target.NeedsGrains("compound", expr) || target.NeedsPillar("compound", expr) {
		mt.Grains, mt.Pillar = m.cachedData(id)
	}
	return mt.Match("compound", expr)
}
