package auth

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

func loadMaster(t *testing.T, text string) *config.Master {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "master"), []byte("root_dir: "+dir+"\n"+text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadMaster(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The options as YAML gives them reach the checks: the token_dir under
// cachedir, a {target: [funs]} entry, token_expire.
func TestNewFromConfig(t *testing.T) {
	cfg := loadMaster(t, `external_auth:
  auto:
    bob:
      - 'web*': ['test.*']
      - '@wheel'
token_expire: 60
keep_acl_in_token: True
hash_type: sha512
`)
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	o := a.Options()
	if o.TokenDir != filepath.Join(cfg.Cachedir, "tokens") || o.TokenExpire != 60 || !o.KeepACLInToken || o.HashType != "sha512" {
		t.Fatalf("options %+v", o)
	}
	r := a.CheckAuthentication(m("eauth", "auto", "username", "bob", "password", "x"), "eauth", nil, false)
	if r.Error != nil || !a.AuthCheck(r.AuthList, "test.ping", l(), "web1", "glob", []string{"web1"}) ||
		a.AuthCheck(r.AuthList, "test.ping", l(), "*", "glob", []string{"web1", "db1"}) {
		t.Fatalf("bob's ACL from YAML: %+v", r)
	}
	if ok, _ := WheelCheck(r.AuthList, "key.list_all", nil); !ok {
		t.Fatal("@wheel from YAML")
	}
	tok, err := a.MkToken(m("eauth", "auto", "username", "bob", "password", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := tok.String("token"); len(id) != 128 {
		t.Fatalf("a sha512 token is 128 hex digits: %q", id)
	}
}

func TestBadOptions(t *testing.T) {
	for text, want := range map[string]string{
		"external_auth: pam\n":            "external_auth: want a mapping",
		"publisher_acl: [alice]\n":        "publisher_acl: want a mapping",
		"token_expire: soon\n":            "token_expire: want a number",
		"keep_acl_in_token: yes-ish\n":    "keep_acl_in_token: want True or False",
		"eauth_tokens: rediscluster\n":    `eauth_tokens: "rediscluster" is not supported`,
		"token_expire_user_override: 3\n": "token_expire_user_override: want True, False or {eauth: [users]}",
	} {
		_, err := New(loadMaster(t, text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

// The perms real salt-api's /login showed for the lead's configuration
// (briefs/ref17 master.conf, 02-06-login-*.txt).
func TestPermsAsRealLogin(t *testing.T) {
	secret := "s3cret"
	cfg := loadMaster(t, `external_auth:
  sharedsecret:
    fred: ['.*', '@runner', '@wheel', '@jobs']
  auto:
    alice: ['test.*']
  file:
    ^filename: /nonexistent
    ^filetype: text
    carol: ['test.ping', '@runner']
    '*': ['test.echo']
  pam:
    dave: ['.*', '@runner', '@wheel']
`)
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.opts.Sharedsecret = &secret
	for _, c := range []struct {
		eauth, name string
		want        []any
	}{
		{"sharedsecret", "fred", l(".*", "@jobs", "@runner", "@wheel")},
		{"auto", "alice", l("test.*")},
		{"file", "carol", l("@runner", "test.echo", "test.ping")},
		{"pam", "dave", l(".*", "@runner", "@wheel")},
	} {
		got := a.Perms(m("name", c.name, "eauth", c.eauth))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s: perms %v, want %v", c.eauth, c.name, got, c.want)
		}
	}
}
