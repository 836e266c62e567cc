package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/auth"
)

const eauthMasterConf = `sharedsecret: s3cret
external_auth:
  auto:
    alice: ['test.*']
  sharedsecret:
    fred: ['.*']
`

// runSalt runs salt-raet with the environment and, when cred is not nil,
// as another user.
func (c *cluster) runSalt(env []string, cred *syscall.Credential, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "salt-raet"), append([]string{"-c", c.master.conf}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = "/"
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("salt-raet %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

func wantOut(t *testing.T, what string, r result, code int, stdout string) {
	t.Helper()
	if r.code != code || r.stdout != stdout {
		t.Fatalf("%s: exit %d, stdout %q (stderr %q); want exit %d, stdout %q", what, r.code, r.stdout, r.stderr, code, stdout)
	}
}

// The salt command with -a and -T against salt-master-raet, as the lead
// captured real Salt 3006.3 (briefs/ref17 70-77): output and exit codes.
func TestEauthCLI(t *testing.T) {
	t.Parallel()
	c := newCluster(t, true, eauthMasterConf)
	c.addMinion("m1")
	c.waitReady("m1")
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "xdg")}

	r := c.runSalt(env, nil, "-a", "auto", "--username", "alice", "--password", "x", "*", "test.ping")
	wantOut(t, "auto alice test.ping", r, 0, "m1:\n    True\n")
	r = c.runSalt(env, nil, "-a", "auto", "--username", "alice", "--password", "x", "*", "cmd.run", "id")
	wantOut(t, "auto alice cmd.run", r, 0, "Authorization error occurred.\n")
	r = c.runSalt(env, nil, "-a", "sharedsecret", "--username", "fred", "--password", "nope", "*", "test.ping")
	wantOut(t, "a wrong secret", r, 0, "Authentication error occurred.\n")
	r = c.runSalt(env, nil, "-a", "nosuch", "--username", "fred", "--password", "s3cret", "*", "test.ping")
	wantOut(t, "unknown eauth", r, 2, "The specified external authentication system \"nosuch\" is not available\nAvailable eauth types: auto, file, pam, sharedsecret\n")
	if r.stderr != "ERROR: Authentication failed\n" {
		t.Fatalf("unknown eauth stderr %q", r.stderr)
	}

	r = c.runSalt(env, nil, "-a", "sharedsecret", "--username", "fred", "--password", "s3cret", "-T", "*", "test.ping")
	wantOut(t, "-T", r, 0, "m1:\n    True\n")
	tok := readTokenFile(t, filepath.Join(home, "salt_token"))
	if _, err := os.Stat(filepath.Join(c.master.root, "var/cache/salt/master/tokens", tok)); err != nil {
		t.Fatalf("the master has no token %s: %v", tok, err)
	}
	if log := c.md.logText(); strings.Contains(log, "s3cret") || strings.Contains(log, "nope") {
		t.Fatal("a password is in the master's log")
	}
}

func readTokenFile(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no token file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).Match(b) {
		t.Fatalf("token file %q: want 64 hex digits, no newline", b)
	}
	return string(b)
}

// testUser makes a system user for the test and removes it after; skips
// when not root or without useradd.
func testUser(t *testing.T, prefix string) (*user.User, *syscall.Credential) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("running salt-raet as a non-root user needs root to make the user")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("useradd is not installed (Debian's passwd package)")
	}
	name := fmt.Sprintf("%s%d", prefix, os.Getpid()%100000)
	exec.Command("userdel", "-r", name).Run()
	if out, err := exec.Command("useradd", "-m", "-s", "/bin/sh", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", "-r", name).Run() })
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return u, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// openToUsers does what Salt's publisher_acl documentation asks of the
// operator: the config readable, the directories on the way to the
// access keys searchable, and sock_dir writable (here a client's yard is
// a socket it makes in sock_dir: mode 1777, as /tmp).
func openToUsers(t *testing.T, c *cluster) {
	t.Helper()
	root := c.master.root
	for _, d := range []string{"", "etc", "etc/salt", "var", "var/cache", "var/cache/salt", "var/cache/salt/master", "var/run", "var/run/salt"} {
		if err := os.Chmod(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(root, "etc/salt/master"), 0o644)
	os.Chmod(bin, 0o755) // the built commands, for the users to run
	if err := os.Chmod(c.sockDir(), 0o1777); err != nil {
		t.Fatal(err)
	}
}

// A publisher_acl user runs salt-raet within their rights, as real Salt
// (briefs/ref17 80-81): test.ping works, cmd.run is refused. A user
// without a key uses a token made with -T, and is refused once the token
// expired on the master.
func TestPublisherACLUser(t *testing.T) {
	t.Parallel()
	erin, erinCred := testUser(t, "i17e")
	bob, bobCred := testUser(t, "i17b")
	c := newCluster(t, true, eauthMasterConf+fmt.Sprintf("  pam:\n    %s: ['test.*']\npublisher_acl:\n  %s: ['test.*']\n", erin.Username, erin.Username))
	c.addMinion("m1")
	c.waitReady("m1")
	openToUsers(t, c)
	key := filepath.Join(c.master.root, "var/cache/salt/master", "."+erin.Username+"_key")
	fi, err := os.Stat(key)
	if err != nil {
		t.Fatalf("no access key for %s: %v", erin.Username, err)
	}
	if st := fi.Sys().(*syscall.Stat_t); strconv.Itoa(int(st.Uid)) != erin.Uid {
		t.Fatalf("%s is owned by uid %d", key, st.Uid)
	}
	erinEnv := []string{"HOME=" + erin.HomeDir, "USER=" + erin.Username}
	r := c.runSalt(erinEnv, erinCred, "*", "test.ping")
	wantOut(t, "erin test.ping", r, 0, "m1:\n    True\n")
	r = c.runSalt(erinEnv, erinCred, "*", "cmd.run", "id")
	wantOut(t, "erin cmd.run", r, 0, "Authorization error occurred.\n")

	// bob has no key: without credentials he cannot publish; with -T he
	// gets fred's token, which later runs use.
	bobEnv := []string{"HOME=" + bob.HomeDir, "USER=" + bob.Username, "XDG_CONFIG_HOME=" + filepath.Join(bob.HomeDir, "none")}
	r = c.runSalt(bobEnv, bobCred, "*", "test.ping")
	if r.code != 2 || !strings.Contains(r.stderr, "cannot read the master's access key") {
		t.Fatalf("bob without credentials: %+v", r)
	}
	r = c.runSalt(bobEnv, bobCred, "-a", "sharedsecret", "--username", "fred", "--password", "s3cret", "-T", "*", "test.ping")
	wantOut(t, "bob -T", r, 0, "m1:\n    True\n")
	tok := readTokenFile(t, filepath.Join(bob.HomeDir, "salt_token"))
	r = c.runSalt(bobEnv, bobCred, "*", "test.echo", "via-token")
	wantOut(t, "bob with the token", r, 0, "m1:\n    via-token\n")

	// Expire the token on the master: the next run is refused, and the
	// master removes it.
	tpath := filepath.Join(c.master.root, "var/cache/salt/master/tokens", tok)
	expired, _ := body.AppendMsgpack(nil, body.Map{{Key: "start", Value: 1.0}, {Key: "expire", Value: 2.0},
		{Key: "name", Value: "fred"}, {Key: "eauth", Value: "sharedsecret"}, {Key: "token", Value: tok}})
	if err := os.WriteFile(tpath, expired, 0o600); err != nil {
		t.Fatal(err)
	}
	r = c.runSalt(bobEnv, bobCred, "*", "test.echo", "via-token")
	wantOut(t, "bob with an expired token", r, 0, "Authentication error occurred.\n")
	if _, err := os.Stat(tpath); !os.IsNotExist(err) {
		t.Fatalf("the expired token was not removed: %v", err)
	}

	// PAM: her system password, checked by the master (as root).
	if !auth.PAMAvailable() {
		t.Skip("PAM is not available in this build (cgo) or on this system")
	}
	chpasswd := exec.Command("chpasswd")
	chpasswd.Stdin = strings.NewReader(erin.Username + ":Pam-pass-17\n")
	if out, err := chpasswd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v %s", err, out)
	}
	r = c.runSalt(erinEnv, erinCred, "-a", "pam", "--username", erin.Username, "--password", "Pam-pass-17", "*", "test.ping")
	wantOut(t, "erin -a pam", r, 0, "m1:\n    True\n")
	r = c.runSalt(erinEnv, erinCred, "-a", "pam", "--username", erin.Username, "--password", "wrong", "*", "test.ping")
	wantOut(t, "erin -a pam, a wrong password", r, 0, "Authentication error occurred.\n")
}
