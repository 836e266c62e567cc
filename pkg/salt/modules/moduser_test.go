package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"

	"github.com/saltraet/saltraet/internal/testutil"
)

// usertestAccounts skips a test that makes accounts unless it runs as
// root with the shadow tools, takes the system lock, and removes the
// throwaway user and group (saltraet-t-*) however the test ends.
func usertestAccounts(t *testing.T, user, group string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creates a user and a group: needs root")
	}
	for _, tool := range []string{"useradd", "usermod", "userdel", "groupadd", "groupdel", "gpasswd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	testutil.LockSystem(t)
	cleanup := func() {
		exec.Command("userdel", "-r", user).Run()
		exec.Command("groupdel", user).Run() // the user's own group, when userdel left it
		exec.Command("groupdel", group).Run()
	}
	cleanup()
	t.Cleanup(cleanup)
}

func TestUserAndGroup(t *testing.T) {
	u, g := "saltraet-t-u1", "saltraet-t-g1"
	usertestAccounts(t, u, g)
	e := New(Options{})
	home := filepath.Join(t.TempDir(), "home")

	pkgtestWant(t, run(e, "user.info", u), `{}`)
	pkgtestWant(t, run(e, "group.info", "saltraet-t-nope"), `{}`)
	wantOK(t, run(e, "group.add", g), true)
	wantOK(t, run(e, "group.add", g), false) // it exists
	wantOK(t, run(e, "user.add", u, kw("home", home, "shell", "/bin/sh", "fullname", "Test User", "groups", []any{g})), true)
	wantOK(t, run(e, "user.add", u), false)
	if st, err := os.Stat(home); err != nil || !st.IsDir() {
		t.Fatalf("user.add did not create the home %s: %v", home, err)
	}
	info := run(e, "user.info", u).Return
	uid := usertestGet(info, "uid")
	gid := usertestGet(info, "gid")
	pkgtestWant(t, run(e, "user.info", u), `{"gid":`+jsonOf(t, gid)+`,"groups":["`+g+`","`+u+`"],"home":"`+home+`","name":"`+u+`","passwd":"x","shell":"/bin/sh","uid":`+jsonOf(t, uid)+
		`,"fullname":"Test User","roomnumber":"","workphone":"","homephone":"","other":""}`)
	pkgtestWant(t, run(e, "user.list_groups", u), `["`+g+`","`+u+`"]`)
	pkgtestWant(t, run(e, "user.primary_group", u), `"`+u+`"`)
	pkgtestWant(t, run(e, "user.primary_group", "saltraet-t-nope"), `"id: 'saltraet-t-nope': no such user"`)
	if !servicetestHas(run(e, "user.list_users").Return, u) {
		t.Errorf("list_users lacks %s", u)
	}
	found := false
	for _, x := range run(e, "user.getent").Return.([]any) {
		found = found || jsonOf(t, x) == jsonOf(t, info)
	}
	if !found {
		t.Errorf("getent lacks %s's info", u)
	}

	wantOK(t, run(e, "user.chshell", u, "/bin/bash"), true)
	wantOK(t, run(e, "user.chfullname", u, "Other Name"), true)
	wantOK(t, run(e, "user.chroomnumber", u, "12"), true)
	wantOK(t, run(e, "user.chhome", u, home+"2"), true)
	pkgtestWant(t, run(e, "user.info", u), `{"gid":`+jsonOf(t, gid)+`,"groups":["`+g+`","`+u+`"],"home":"`+home+`2","name":"`+u+`","passwd":"x","shell":"/bin/bash","uid":`+jsonOf(t, uid)+
		`,"fullname":"Other Name","roomnumber":"12","workphone":"","homephone":"","other":""}`)
	wantError(t, run(e, "user.chshell", "saltraet-t-nope", "/bin/sh"), "ERROR: User 'saltraet-t-nope' does not exist")
	wantError(t, run(e, "user.chfullname", "saltraet-t-nope", "x"), `The minion function caused an exception: KeyError: "getpwnam(): name not found: 'saltraet-t-nope'"`)
	wantOK(t, run(e, "user.chgroups", u, u), true)
	pkgtestWant(t, run(e, "user.list_groups", u), `["`+u+`"]`)

	wantOK(t, run(e, "group.adduser", g, u), true)
	pkgtestWant(t, run(e, "group.info", g), `{"name":"`+g+`","passwd":"x","gid":`+jsonOf(t, usertestGet(run(e, "group.info", g).Return, "gid"))+`,"members":["`+u+`"]}`)
	wantOK(t, run(e, "group.deluser", g, u), true)
	wantOK(t, run(e, "group.deluser", g, u), true) // not a member: nothing to do
	wantOK(t, run(e, "group.members", g, u), true)
	pkgtestWant(t, run(e, "user.list_groups", u), `["`+g+`","`+u+`"]`)
	getent := run(e, "group.getent").Return.([]any)
	if len(getent) == 0 || !servicetestHas(run(e, "user.list_groups", u).Return, g) {
		t.Errorf("group.getent: %d groups", len(getent))
	}

	sh := run(e, "shadow.info", u).Return
	if got := jsonOf(t, sh); len(got) < 20 || jsonOf(t, usertestGet(sh, "name")) != `"`+u+`"` || jsonOf(t, usertestGet(sh, "inact")) != "-1" {
		t.Errorf("shadow.info: %s", got)
	}
	pkgtestWant(t, run(e, "shadow.info", "saltraet-t-nope"), `{"name":"","passwd":"","lstchg":"","min":"","max":"","warn":"","inact":"","expire":""}`)

	wantError(t, run(e, "user.delete", u, kw("root", "/mnt")), "ERROR: user.delete: root (a chroot to work in) is not supported")
	wantOK(t, run(e, "user.delete", u, kw("remove", true)), true)
	wantOK(t, run(e, "user.delete", u), false)
	wantOK(t, run(e, "group.delete", g), true)
	wantOK(t, run(e, "group.delete", g), false)
	pkgtestWant(t, run(e, "user.info", u), `{}`)
}

// usertestGet is a key of a returned mapping.
func usertestGet(m any, key string) any {
	v, _ := m.(body.Map).Get(key)
	return v
}
