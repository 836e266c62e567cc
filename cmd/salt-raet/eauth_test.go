package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

// Tests have no terminal to ask a password on: getpass's fallback reads
// stdin, as Python's does without one.
func init() { ttyPath = "" }

func kwargsOf(load body.Map) body.Map { kw, _ := load.Map("kwargs"); return kw }

// Without --username and --password, -a asks for them (Resolver.cli), and
// they go in the kwargs of the publish and of the find_job publishes of
// the wait, as Salt's LocalClient passes them through.
func TestEauthPrompts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	m := e.start(nil, clienttest.Minion{ID: "a", Return: true}, clienttest.Minion{ID: "b", Delay: 1500 * time.Millisecond, Return: true})
	var out, errb bytes.Buffer
	code := runContext(context.Background(), []string{"-c", e.conf, "-a", "auto", "-t", "1", "*", "test.ping"},
		strings.NewReader("alice\nsecret pw\n"), &out, &errb)
	if code != 0 || !strings.HasPrefix(out.String(), "username: ") || !strings.Contains(errb.String(), "password: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	loads := m.Loads()
	if len(loads) < 2 {
		t.Fatalf("want the publish and a find_job, got %d loads", len(loads))
	}
	for _, l := range loads {
		kw := kwargsOf(l)
		if u, _ := kw.String("username"); u != "alice" {
			t.Fatalf("load %v: username %q", l, u)
		}
		if p, _ := kw.String("password"); p != "secret pw" {
			t.Fatalf("load %v: password %q", l, p)
		}
		if a, _ := kw.String("eauth"); a != "auto" {
			t.Fatalf("load %v: eauth %q", l, a)
		}
	}
}

// A saved token is sent when the access key cannot be read, and not
// when it can (Salt reads .root_key first); an old one is not sent.
func TestSavedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	home := t.TempDir()
	tokenFile := filepath.Join(home, "tok")
	if err := os.WriteFile(filepath.Join(e.conf, "master"), append(mustRead(t, filepath.Join(e.conf, "master")), []byte("token_file: "+tokenFile+"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(tokenFile, []byte("abc123\n"), 0o600)
	m := e.start(nil, clienttest.Minion{ID: "a", Return: true})
	if r := e.salt("*", "test.ping"); r.code != 0 {
		t.Fatalf("with the key: %+v", r)
	}
	if kw := kwargsOf(m.Loads()[0]); kw.Has("token") {
		t.Fatalf("the token was sent with a readable key: %v", kw)
	}
	os.Remove(e.keyPath())
	// (The fake manor knows no tokens and refuses the empty key: what
	// matters is what was sent.)
	e.salt("*", "test.ping")
	loads := m.Loads()
	if tok, _ := kwargsOf(loads[len(loads)-1]).String("token"); tok != "abc123" {
		t.Fatalf("token %q sent, want abc123", tok)
	}
	old := time.Now().Add(-13 * time.Hour)
	os.Chtimes(tokenFile, old, old)
	if r := e.salt("*", "test.ping"); r.code != 2 || !strings.Contains(r.stderr, "cannot read the master's access key") {
		t.Fatalf("with a token older than token_expire: %+v", r)
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
