package main

import (
	"bytes"
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

const testKey = "Q2xpZW50S2V5Rm9yVGhlU2FsdFJhZXRUZXN0c0NsaWVudEtleUZvclRoZVNhbHRSYWV0VGVzdHNBQQ=="

// env is a master's host for one test: a config dir, a sock_dir with a
// fake manor yard in it, and a cachedir with the access key.
type env struct {
	t     *testing.T
	root  string
	conf  string
	sock  string
	cache string
	manor *clienttest.Manor
}

// newEnv makes the directories and the config (gather_job_timeout 1 s, so
// that a find_job round nobody answers is short) and writes the key; the
// manor is not started (start does that).
func newEnv(t *testing.T, extraConfig string) *env {
	t.Helper()
	root, err := os.MkdirTemp("", "c")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	e := &env{t: t, root: root, conf: filepath.Join(root, "etc"), sock: filepath.Join(root, "s"), cache: filepath.Join(root, "cache")}
	for _, d := range []string{e.conf, e.sock, e.cache} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "sock_dir: " + e.sock + "\ncachedir: " + e.cache + "\ngather_job_timeout: 1\n" + extraConfig
	if err := os.WriteFile(filepath.Join(e.conf, "master"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.writeKey(testKey)
	return e
}

func (e *env) keyPath() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	_, keyUser := cli.Users(name)
	return filepath.Join(e.cache, "."+keyUser+"_key")
}

func (e *env) writeKey(key string) {
	e.t.Helper()
	if err := os.WriteFile(e.keyPath(), []byte(key), 0o400); err != nil {
		e.t.Fatal(err)
	}
}

// start runs a fake manor for these minions; setup may set its options.
func (e *env) start(setup func(*clienttest.Manor), minions ...clienttest.Minion) *clienttest.Manor {
	e.t.Helper()
	m, err := clienttest.New(e.sock, testKey, minions...)
	if err != nil {
		e.t.Fatal(err)
	}
	if setup != nil {
		setup(m)
	}
	m.Start()
	e.t.Cleanup(m.Close)
	e.manor = m
	return m
}

type result struct {
	stdout, stderr string
	code           int
}

// salt runs the command with -c pointing at the env's config.
func (e *env) salt(args ...string) result {
	e.t.Helper()
	return e.saltCtx(context.Background(), args...)
}

func (e *env) saltCtx(ctx context.Context, args ...string) result {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := runContext(ctx, append([]string{"-c", e.conf}, args...), strings.NewReader(""), &out, &errb)
	return result{out.String(), errb.String(), code}
}

func pingers(ids ...string) []clienttest.Minion {
	var ms []clienttest.Minion
	for _, id := range ids {
		ms = append(ms, clienttest.Minion{ID: id, Return: true})
	}
	return ms
}

func jsonOf(v any) string {
	b, err := body.AppendJSON(nil, v)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// shellSplit splits a command line the way /bin/sh does for the plain
// words and single quotes the observed command lines use.
func shellSplit(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case quoted:
			if r == '\'' {
				quoted = false
			} else {
				cur.WriteRune(r)
			}
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
