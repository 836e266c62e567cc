package auth

import (
	"reflect"
	"testing"
	"time"
)

func checkOpts() Options {
	s := "s3cret"
	return Options{
		ExternalAuth: m(
			"sharedsecret", m("fred", l(".*", "@runner")),
			"auto", m("alice", l("test.*"), "*", l("test.echo")),
		),
		Sharedsecret: &s,
		PublisherACL: m("erin", l("test.*"), "dev.*", l("pkg.*")),
		User:         "root",
	}
}

func TestCheckAuthenticationEauth(t *testing.T) {
	a, _ := newTestAuth(t, checkOpts())
	r := a.CheckAuthentication(m("eauth", "auto", "username", "alice", "password", "x"), "eauth", nil, false)
	if r.Error != nil || r.Username != "alice" || !reflect.DeepEqual(r.AuthList, l("test.*")) {
		t.Fatalf("auto alice: %+v", r)
	}
	r = a.CheckAuthentication(m("eauth", "sharedsecret", "username", "fred", "password", "no"), "eauth", nil, false)
	want := &Error{"EauthAuthenticationError", `Authentication failure of type "eauth" occurred for user fred.`}
	if !reflect.DeepEqual(r.Error, want) {
		t.Fatalf("wrong secret: %+v", r.Error)
	}
	r = a.CheckAuthentication(m("eauth", "pam", "username", "x", "password", "y"), "eauth", nil, false)
	if r.Error == nil || r.Error.Name != "EauthAuthenticationError" {
		t.Fatalf("eauth not configured: %+v", r)
	}
	r = a.CheckAuthentication(m("eauth", "auto", "password", "y"), "eauth", nil, false)
	if r.Error == nil || r.Error.Message != `Authentication failure of type "eauth" occurred for user UNKNOWN.` {
		t.Fatalf("no username: %+v", r)
	}
	r = a.CheckAuthentication(m(), "ldap-ish", nil, false)
	if !reflect.DeepEqual(r.Error, &Error{"SaltInvocationError", "Authentication type not supported."}) {
		t.Fatalf("unknown type: %+v", r)
	}
}

func TestCheckAuthenticationToken(t *testing.T) {
	a, _ := newTestAuth(t, checkOpts())
	now := time.Unix(1_800_000_000, 0)
	a.Now = func() time.Time { return now }
	tok, err := a.MkToken(m("eauth", "auto", "username", "bob", "password", "x"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := tok.String("token")
	r := a.CheckAuthentication(m("token", id), "token", nil, false)
	if r.Error != nil || r.Username != "bob" || !reflect.DeepEqual(r.AuthList, l("test.echo")) {
		t.Fatalf("token of bob: %+v", r)
	}
	tokenErr := &Error{"TokenAuthenticationError", `Authentication failure of type "token" occurred.`}
	for _, load := range []any{m("token", "0000"), m("token", 12), m()} {
		if r := a.CheckAuthentication(load.(bodyMap), "token", nil, false); !reflect.DeepEqual(r.Error, tokenErr) {
			t.Fatalf("bad token %v: %+v", load, r)
		}
	}
	now = now.Add(43201 * time.Second)
	if r := a.CheckAuthentication(m("token", id), "token", nil, false); !reflect.DeepEqual(r.Error, tokenErr) {
		t.Fatalf("expired token: %+v", r)
	}
	// A token whose eauth is no longer configured is refused.
	now = time.Unix(1_800_000_000, 0)
	tok, _ = a.MkToken(m("eauth", "auto", "username", "bob", "password", "x"))
	id, _ = tok.String("token")
	b, _ := newTestAuth(t, Options{TokenDir: a.opts.TokenDir, ExternalAuth: m("pam", m())})
	b.Now = a.Now
	if r := b.CheckAuthentication(m("token", id), "token", nil, false); !reflect.DeepEqual(r.Error, tokenErr) {
		t.Fatalf("token of an eauth no longer configured: %+v", r)
	}
}

func TestCheckAuthenticationKeepACLInToken(t *testing.T) {
	o := checkOpts()
	o.KeepACLInToken = true
	a, _ := newTestAuth(t, o)
	tok, err := a.MkToken(m("eauth", "auto", "username", "alice", "password", "x"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tok.Keys(), []string{"start", "expire", "name", "eauth", "auth_list", "token"}) {
		t.Fatalf("keys %v", tok.Keys())
	}
	id, _ := tok.String("token")
	// The kept list wins over a changed configuration.
	a.opts.ExternalAuth = m("auto", m("alice", l("cmd.*")))
	r := a.CheckAuthentication(m("token", id), "token", nil, false)
	if r.Error != nil || !reflect.DeepEqual(r.AuthList, l("test.*")) {
		t.Fatalf("kept auth_list: %+v", r)
	}
}

func TestCheckAuthenticationUser(t *testing.T) {
	a, _ := newTestAuth(t, checkOpts())
	keys := map[string]string{"root": "rootkey", "erin": "erinkey", "dev1": "devkey"}
	userErr := &Error{"UserAuthenticationError", `Authentication failure of type "user" occurred`}
	cases := []struct {
		name    string
		load    bodyMap
		wantErr *Error
		want    []any
	}{
		{"root", m("user", "root", "key", "rootkey"), nil, []any{}},
		{"root wrong key", m("user", "root", "key", "erinkey"), nil, []any{}}, // any key, as Salt
		{"root no key", m("user", "root"), userErr, nil},
		{"root bad key", m("user", "root", "key", "nope"), userErr, nil},
		{"erin", m("user", "erin", "key", "erinkey"), nil, l("test.*")},
		{"erin wrong key", m("user", "erin", "key", "devkey"), userErr, nil},
		{"dev1 glob acl", m("user", "dev1", "key", "devkey"), nil, l("pkg.*")},
		{"stranger with root key", m("user", "mallory", "key", "rootkey"), nil, []any{}},
		{"stranger", m("user", "mallory", "key", "erinkey"), userErr, nil},
		{"no user", m("key", "erinkey"), nil, []any{}},
		{"sudo without sudo_acl", m("user", "sudo_erin", "key", "rootkey"), nil, []any{}},
		{"sudo empty name", m("user", "sudo_", "key", "rootkey"), userErr, nil},
	}
	for _, c := range cases {
		r := a.CheckAuthentication(c.load, "user", keys, false)
		if !reflect.DeepEqual(r.Error, c.wantErr) {
			t.Errorf("%s: error %+v, want %+v", c.name, r.Error, c.wantErr)
			continue
		}
		if c.wantErr == nil && !reflect.DeepEqual(r.AuthList, c.want) {
			t.Errorf("%s: auth list %v, want %v", c.name, r.AuthList, c.want)
		}
	}
	a.opts.SudoACL = true
	if r := a.CheckAuthentication(m("user", "sudo_erin", "key", "rootkey"), "user", keys, false); r.Error != nil || !reflect.DeepEqual(r.AuthList, l("test.*")) {
		t.Errorf("sudo_acl: %+v", r)
	}
	r := a.CheckAuthentication(m("user", "erin", "username", "erin", "key", "x"), "user", keys, true)
	if r.Error == nil || r.Error.Message != `Authentication failure of type "user" occurred for user erin.` {
		t.Errorf("show_username: %+v", r.Error)
	}
}
