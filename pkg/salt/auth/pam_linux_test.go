//go:build linux && cgo

package auth

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pamUser makes a real user with a password for PAM to check, removed
// when the test ends. Skips when not root or without the tools or PAM.
func pamUser(t *testing.T, password string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("PAM tests make a user: they need root")
	}
	if !PAMAvailable() {
		t.Skip("libpam.so.0 could not be loaded")
	}
	for _, tool := range []string{"useradd", "userdel", "chpasswd", "usermod", "chage"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian's passwd package)", tool)
		}
	}
	if _, err := os.Stat("/etc/pam.d/login"); err != nil {
		t.Skip("no /etc/pam.d/login service")
	}
	name := fmt.Sprintf("i17pam%d", os.Getpid()%100000)
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
	}
	exec.Command("userdel", name).Run()
	run("", "useradd", "-M", "-s", "/usr/sbin/nologin", "-G", "adm", name)
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	run(name+":"+password+"\n", "chpasswd")
	return name
}

func TestPAMRealUser(t *testing.T) {
	name := pamUser(t, "Right-pass-1")
	if ok, err := pamAuthenticate("login", name, "Right-pass-1"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := pamAuthenticate("login", name, "wrong"); ok {
		t.Fatal("wrong password taken")
	}
	if ok, _ := pamAuthenticate("login", "i17-nosuchuser", "Right-pass-1"); ok {
		t.Fatal("unknown user taken")
	}
	// An expired account passes pam_authenticate and is refused by
	// pam_acct_mgmt, which Salt 3006.3 calls after it.
	if out, err := exec.Command("chage", "-E", "0", name).CombinedOutput(); err != nil {
		t.Fatalf("chage: %v %s", err, out)
	}
	if ok, _ := pamAuthenticate("login", name, "Right-pass-1"); ok {
		t.Fatal("expired account taken")
	}
	exec.Command("chage", "-E", "-1", name).Run()
	if out, err := exec.Command("usermod", "-L", name).CombinedOutput(); err != nil {
		t.Fatalf("usermod -L: %v %s", err, out)
	}
	if ok, _ := pamAuthenticate("login", name, "Right-pass-1"); ok {
		t.Fatal("locked account taken")
	}
}

// Through LoadAuth: the token carries the user's system groups, and the
// "<group>%" entries of external_auth:pam apply.
func TestPAMTokenGroups(t *testing.T) {
	name := pamUser(t, "Right-pass-2")
	a, _ := newTestAuth(t, Options{ExternalAuth: m("pam", m("adm%", l("test.*")))})
	tok, err := a.MkToken(m("eauth", "pam", "username", name, "password", "Right-pass-2"))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := tok.Get("groups")
	if !slices.Contains(strs(g), "adm") {
		t.Fatalf("token groups %v, want adm among them", g)
	}
	id, _ := tok.String("token")
	r := a.CheckAuthentication(m("token", id), "token", nil, false)
	if r.Error != nil || len(r.AuthList) != 1 || r.AuthList[0] != "test.*" {
		t.Fatalf("auth list from the adm%% entry: %+v", r)
	}
}
