package auth

import (
	"reflect"
	"testing"
)

// ClearFuncs.runner and .wheel's answers, as the lead captured them from
// real salt-api (briefs/ref17 19-20: 'Authentication failure of type
// "token" occurred for user alice.').
func TestCheckClearFunc(t *testing.T) {
	a, _ := newTestAuth(t, checkOpts())
	tok, err := a.MkToken(m("eauth", "auto", "username", "alice", "password", "x"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := tok.String("token")
	fredTok, _ := a.MkToken(m("eauth", "sharedsecret", "username", "fred", "password", "s3cret"))
	fredID, _ := fredTok.String("token")
	keys := map[string]string{"root": "rootkey"}
	cases := []struct {
		name string
		load bodyMap
		form string
		user string
		err  *Error
	}{
		{"token refused runner", m("fun", "jobs.list_jobs", "token", id), "runner", "",
			&Error{"TokenAuthenticationError", `Authentication failure of type "token" occurred for user alice.`}},
		{"token refused wheel", m("fun", "key.list_all", "token", id), "wheel", "",
			&Error{"TokenAuthenticationError", `Authentication failure of type "token" occurred for user alice.`}},
		{"token allowed @runner", m("fun", "jobs.list_jobs", "token", fredID), "runner", "fred", nil},
		{"token fred wheel refused", m("fun", "key.list_all", "token", fredID), "wheel", "",
			&Error{"TokenAuthenticationError", `Authentication failure of type "token" occurred for user fred.`}},
		{"bad token", m("fun", "jobs.list_jobs", "token", "nope"), "runner", "",
			&Error{"TokenAuthenticationError", `Authentication failure of type "token" occurred.`}},
		{"eauth allowed", m("fun", "manage.up", "eauth", "sharedsecret", "username", "fred", "password", "s3cret"), "runner", "fred", nil},
		{"eauth syntax", m("fun", "up", "eauth", "sharedsecret", "username", "fred", "password", "s3cret"), "runner", "",
			&Error{"SaltInvocationError", "A command invocation error occurred: Check syntax."}},
		{"eauth refused", m("fun", "key.list_all", "eauth", "auto", "username", "alice", "password", "x"), "wheel", "",
			&Error{"EauthAuthenticationError", `Authentication failure of type "eauth" occurred for user alice.`}},
		{"user root key", m("fun", "key.list_all", "user", "root", "key", "rootkey"), "wheel", "root", nil},
		{"user sudo", m("fun", "key.list_all", "user", "sudo_alice", "key", "rootkey"), "wheel", "root", nil},
		{"user bad key", m("fun", "key.list_all", "user", "root", "key", "x"), "wheel", "",
			&Error{"UserAuthenticationError", `Authentication failure of type "user" occurred`}},
	}
	for _, c := range cases {
		u, err := a.CheckClearFunc(c.load, c.form, keys)
		if u != c.user || !reflect.DeepEqual(err, c.err) {
			t.Errorf("%s: %q, %+v; want %q, %+v", c.name, u, err, c.user, c.err)
		}
	}
}
