package master

import (
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

const eauthConf = `external_auth:
  auto:
    alice: ['test.*']
    bob:
      - 'web*': ['test.*']
  sharedsecret:
    fred: ['.*']
sharedsecret: s3cret
`

// eauthLoad is a publish as salt -a <eauth> sends it: the credentials in
// kwargs, the key the caller could read (none here).
func eauthLoad(tgt, fun string, creds ...string) body.Map {
	load := pubLoad("", tgt, "glob", fun)
	kw, _ := load.Map("kwargs")
	for i := 0; i < len(creds); i += 2 {
		kw.Set(creds[i], creds[i+1])
	}
	load.Set("kwargs", kw)
	load.Set("user", "someone")
	return load
}

func wantRefused(t *testing.T, r body.Map, name, msg string) {
	t.Helper()
	if get(r, "return", "error", "name") != name || get(r, "return", "error", "message") != msg {
		t.Fatalf("reply %v, want %s: %s", r, name, msg)
	}
}

func wantJob(t *testing.T, r body.Map) string {
	t.Helper()
	jid, _ := get(r, "return", "ret", "jid").(string)
	if !job.IsJID(jid) {
		t.Fatalf("no job: %v", r)
	}
	return jid
}

func TestPublishEauth(t *testing.T) {
	tm := newMaster(t, eauthConf).start()
	newMinion(t, tm, "web1").connect(tm)
	newMinion(t, tm, "db1").connect(tm)
	c := newClient(t, tm)

	c.publish(eauthLoad("*", "test.ping", "eauth", "auto", "username", "alice", "password", "pw-alice"))
	jid := wantJob(t, c.reply())
	// The job is alice's, and her password is nowhere in what is stored.
	eventually(t, "the job's load stored", func() bool { l, err := tm.m.cache.LoadLoad(jid); return err == nil && l != nil })
	stored, _ := tm.m.cache.LoadLoad(jid)
	if u, _ := stored.String("user"); u != "alice" {
		t.Fatalf("stored user %q, want alice", u)
	}
	raw, _ := os.ReadFile(tm.m.cache.Dir(jid) + "/.load.p")
	if strings.Contains(string(raw), "pw-alice") {
		t.Fatal("the password is in the job cache")
	}

	c.publish(eauthLoad("*", "cmd.run", "eauth", "auto", "username", "alice", "password", "x"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
	// saltutil.find_job is always allowed (the salt command's wait).
	c.publish(eauthLoad("*", "saltutil.find_job", "eauth", "auto", "username", "alice", "password", "x"))
	wantJob(t, c.reply())

	// bob may only target web minions.
	c.publish(eauthLoad("web1", "test.ping", "eauth", "auto", "username", "bob", "password", "x"))
	wantJob(t, c.reply())
	c.publish(eauthLoad("*", "test.ping", "eauth", "auto", "username", "bob", "password", "x"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")

	// A wrong secret, an eauth not configured, a user with no entry.
	c.publish(eauthLoad("*", "test.ping", "eauth", "sharedsecret", "username", "fred", "password", "nope"))
	wantRefused(t, c.reply(), "AuthenticationError", "Authentication error occurred.")
	c.publish(eauthLoad("*", "test.ping", "eauth", "pam", "username", "root", "password", "x"))
	wantRefused(t, c.reply(), "AuthenticationError", "Authentication error occurred.")
	c.publish(eauthLoad("*", "test.ping", "eauth", "auto", "username", "carol", "password", "x"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")

	if logs := tm.logs.String(); strings.Contains(logs, "pw-alice") || strings.Contains(logs, "nope") {
		t.Fatalf("a password is in the master's log:\n%s", logs)
	}
	if st := tm.m.Stats(); st["auth_failed"] != 2 || st["authz_failed"] != 3 {
		t.Fatalf("stats %v", st)
	}
}

// tokenRequest sends mk_token or get_token and returns the reply's return.
func (c *client) tokenRequest(load body.Map) body.Map {
	c.t.Helper()
	c.sendFrom(c.cli, protocol.LocalRequest(c.clientYard, load))
	ret, _ := protocol.Return(c.reply())
	return ret
}

func TestTokens(t *testing.T) {
	tm := newMaster(t, eauthConf).start()
	newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)

	tok := c.tokenRequest(protocol.MkTokenLoad("sharedsecret", body.Map{{Key: "username", Value: "fred"}, {Key: "password", Value: "s3cret"}}))
	id, _ := tok.String("token")
	if len(id) != 64 || !slices.Equal(tok.Keys(), []string{"start", "expire", "name", "eauth", "token"}) {
		t.Fatalf("mk_token: %v", tok)
	}
	if _, err := os.Stat(tm.cfg.Cachedir + "/tokens/" + id); err != nil {
		t.Fatalf("token file: %v", err)
	}
	if bad := c.tokenRequest(protocol.MkTokenLoad("sharedsecret", body.Map{{Key: "username", Value: "fred"}, {Key: "password", Value: "x"}})); len(bad) != 0 {
		t.Fatalf("mk_token with a wrong secret: %v", bad)
	}
	if got := c.tokenRequest(protocol.GetTokenLoad(id)); get(got, "name") != "fred" {
		t.Fatalf("get_token: %v", got)
	}

	load := pubLoad("", "*", "glob", "cmd.run", "id")
	kw, _ := load.Map("kwargs")
	kw.Set("token", id)
	load.Set("kwargs", kw)
	c.publish(load)
	jid := wantJob(t, c.reply())
	eventually(t, "the job's load stored", func() bool { l, err := tm.m.cache.LoadLoad(jid); return err == nil && l != nil })
	stored, _ := tm.m.cache.LoadLoad(jid)
	if u, _ := stored.String("user"); u != "fred" || strings.Contains(string(mustRead(t, tm.m.cache.Dir(jid)+"/.load.p")), id) {
		t.Fatalf("stored load: user %q, or the token kept: %v", u, stored)
	}

	// A token gone from token_dir (expired tokens are removed so) is refused.
	os.Remove(tm.cfg.Cachedir + "/tokens/" + id)
	c.publish(load)
	wantRefused(t, c.reply(), "AuthenticationError", "Authentication error occurred.")
	if got := c.tokenRequest(protocol.GetTokenLoad(id)); len(got) != 0 {
		t.Fatalf("get_token of a removed token: %v", got)
	}
	if got := c.tokenRequest(protocol.GetTokenLoad("../../etc/passwd")); len(got) != 0 {
		t.Fatalf("get_token of a path: %v", got)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publisher_acl: the master writes a key for each user it names, and
// their publishes are held to their ACL; publisher_acl_blacklist refuses
// users and functions before anything else.
func TestPublisherACL(t *testing.T) {
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody on this system")
	}
	tm := newMaster(t, "publisher_acl:\n  nobody: ['test.*']\n  'pat.*': ['.*']\n  'daem.n': ['test.ping']\npublisher_acl_blacklist:\n  modules: ['pkg.*']\n").start()
	newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	key, err := ReadAccessKey(tm.cfg.Cachedir, "nobody")
	if err != nil {
		t.Fatalf("no access key for the publisher_acl user: %v", err)
	}
	if _, err := os.Stat(AccessKeyPath(tm.cfg.Cachedir, "pat.*")); !os.IsNotExist(err) {
		t.Fatal("a key was written for a pattern")
	}
	// A pattern's users of /etc/passwd get keys too (client_acl_verify).
	if _, err := user.Lookup("daemon"); err == nil {
		if _, err := ReadAccessKey(tm.cfg.Cachedir, "daemon"); err != nil {
			t.Fatalf("no access key for daemon, whom 'daem.n' matches: %v", err)
		}
	}
	if os.Geteuid() == 0 {
		fi, _ := os.Stat(AccessKeyPath(tm.cfg.Cachedir, "nobody"))
		if u, _ := user.Lookup("nobody"); fi == nil || !ownedBy(fi, u.Uid) {
			t.Fatal("nobody's key is not hers")
		}
	}
	as := func(fun, k, u string) body.Map {
		l := pubLoad(k, "*", "glob", fun)
		l.Set("user", u)
		return l
	}
	c.publish(as("test.ping", key, "nobody"))
	wantJob(t, c.reply())
	c.publish(as("cmd.run", key, "nobody"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
	c.publish(as("test.ping", key, "daemon"))
	wantRefused(t, c.reply(), "AuthenticationError", "Authentication error occurred.")
	c.publish(as("test.ping", key, "mallory"))
	wantRefused(t, c.reply(), "AuthenticationError", "Authentication error occurred.")
	c.publish(as("pkg.install", tm.key(), "root"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
	// The master's own user is not held to an ACL.
	c.publish(as("cmd.run", tm.key(), tm.cfg.User))
	wantJob(t, c.reply())
}

func ownedBy(fi os.FileInfo, uid string) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && strconv.Itoa(int(st.Uid)) == uid
}

// Wrong passwords take time_auth's second each, beside the workers: with
// one worker, thirty of them in flight do not hold up a publish by the
// master's user (it would wait 30 s behind them on the worker), and each
// is answered.
func TestWrongPasswordsBlockNobody(t *testing.T) {
	tm := newMaster(t, eauthConf+"worker_threads: 1\n").start()
	newMinion(t, tm, "web1").connect(tm)
	bad := newClient(t, tm)
	const n = 30
	for range n {
		bad.publish(eauthLoad("*", "test.ping", "eauth", "sharedsecret", "username", "fred", "password", "wrong"))
	}
	// Sent after them to the same manor socket, the publish is taken
	// after them; c.reply waits 20 s, less than the 30 s they would hold
	// the one worker for.
	c := newClient(t, tm)
	c.publish(pubLoad(tm.key(), "*", "glob", "test.ping"))
	wantJob(t, c.reply())
	for range n {
		wantRefused(t, bad.reply(), "AuthenticationError", "Authentication error occurred.")
	}
}

// An ACL entry's target is a compound expression: its G@ words are
// matched against the grains the master has cached, and a minion without
// any is not matched.
func TestACLGrainTarget(t *testing.T) {
	tm := newMaster(t, "external_auth:\n  auto:\n    gina:\n      - 'G@os:Debian': ['test.*']\n").start()
	for _, id := range []string{"deb1", "ubu1", "nodata"} {
		newMinion(t, tm, id).connect(tm)
	}
	for id, osName := range map[string]string{"deb1": "Debian", "ubu1": "Ubuntu"} {
		data, _ := body.AppendMsgpack(nil, body.Map{{Key: "grains", Value: body.Map{{Key: "os", Value: osName}}}})
		dir := filepath.Join(tm.cfg.Cachedir, "minions", id)
		os.MkdirAll(dir, 0o700)
		if err := os.WriteFile(filepath.Join(dir, DataFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, tm)
	as := func(tgt string) body.Map {
		return eauthLoad(tgt, "test.ping", "eauth", "auto", "username", "gina", "password", "x")
	}
	c.publish(as("deb1"))
	wantJob(t, c.reply())
	c.publish(as("ubu1"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
	c.publish(as("nodata"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
	c.publish(as("*"))
	wantRefused(t, c.reply(), "AuthorizationError", "Authorization error occurred.")
}
