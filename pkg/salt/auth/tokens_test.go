package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

func sharedsecretOpts(secret string) Options {
	return Options{
		ExternalAuth: m("sharedsecret", m("fred", l(".*", "@runner")), "auto", m("alice", l("test.*"))),
		Sharedsecret: &secret,
	}
}

func TestMkTokenWritesSaltsFile(t *testing.T) {
	a, _ := newTestAuth(t, sharedsecretOpts("s3cret"))
	now := time.Unix(1796689717, 539857000)
	a.Now = func() time.Time { return now }
	tok, err := a.MkToken(m("eauth", "sharedsecret", "username", "fred", "password", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Keys(); !slices.Equal(got, []string{"start", "expire", "name", "eauth", "token"}) {
		t.Fatalf("token keys %v, want Salt's order", got)
	}
	id, _ := tok.String("token")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("token %q is not a sha256 hex digest", id)
	}
	path := filepath.Join(a.opts.TokenDir, id)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("the .tmp file is left behind: %v", err)
	}
	// The bytes Salt 3006's localfs writes for the same data.
	got, _ := os.ReadFile(path)
	want := []byte("\x85\xa5start\xcb\x41\xda\xc5\xd3\xcd\x62\x8d\x04\xa6expire\xcb\x41\xda\xc5\xfd\xfd\x62\x8d\x04" +
		"\xa4name\xa4fred\xa5eauth\xacsharedsecret\xa5token\xda\x00\x40" + id)
	if start, _ := tok.Get("start"); start != 1796689717.539857 {
		t.Fatalf("start %v", start)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("token file\n got %q\nwant %q", got, want)
	}
	back, err := a.GetTok(id)
	if err != nil || back == nil {
		t.Fatalf("GetTok: %v %v", back, err)
	}
	if name, _ := back.String("name"); name != "fred" {
		t.Fatalf("GetTok name %q", name)
	}
}

// A token file written by Salt 3006.3's localfs (groups included) is read,
// and written back byte for byte by appendPayload.
func TestSaltTokenFileReadAndRewritten(t *testing.T) {
	raw, err := os.ReadFile("testdata/salt3006-token")
	if err != nil {
		t.Fatal(err)
	}
	const id = "f32905c70ec70756100997c9125383fe1bcc5e28751eaf791e22031fc7cc93b9"
	a, _ := newTestAuth(t, sharedsecretOpts("s3cret"))
	a.Now = func() time.Time { return time.Unix(1796689800, 0) }
	if err := os.WriteFile(filepath.Join(a.opts.TokenDir, id), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := a.GetTok(id)
	if err != nil || tok == nil {
		t.Fatalf("GetTok of Salt's token: %v, %v", tok, err)
	}
	packed, err := appendPayload(nil, tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(packed, raw) {
		t.Fatalf("rewritten\n got %q\nwant %q", packed, raw)
	}
	if groups, _ := tok.Get("groups"); len(groups.([]any)) != 2 {
		t.Fatalf("groups %v", groups)
	}
}

func TestGetTokRemovesExpiredAndBroken(t *testing.T) {
	a, _ := newTestAuth(t, sharedsecretOpts("s3cret"))
	now := time.Unix(1_800_000_000, 0)
	a.Now = func() time.Time { return now }
	tok, err := a.MkToken(m("eauth", "auto", "username", "alice", "password", "x"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := tok.String("token")
	now = now.Add(43201 * time.Second)
	if got, err := a.GetTok(id); got != nil || err != nil {
		t.Fatalf("expired token: %v, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(a.opts.TokenDir, id)); !os.IsNotExist(err) {
		t.Fatalf("expired token file not removed: %v", err)
	}
	broken := filepath.Join(a.opts.TokenDir, "abcd")
	os.WriteFile(broken, []byte("\xc1 not msgpack"), 0o600)
	if got, err := a.GetTok("abcd"); got != nil || err != nil {
		t.Fatalf("broken token: %v, %v", got, err)
	}
	if _, err := os.Stat(broken); !os.IsNotExist(err) {
		t.Fatal("broken token file not removed")
	}
	// No expire at all: removed, as Salt's tdata.get("expire", 0).
	noexp, _ := appendPayload(nil, body.Map{{Key: "name", Value: "x"}}, 0)
	os.WriteFile(filepath.Join(a.opts.TokenDir, "noexp"), noexp, 0o600)
	if got, _ := a.GetTok("noexp"); got != nil {
		t.Fatal("a token without expire was taken")
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", "nope"} {
		if got, err := a.GetTok(bad); got != nil || err != nil {
			t.Fatalf("GetTok(%q): %v, %v", bad, got, err)
		}
	}
}

func TestListAndRmToken(t *testing.T) {
	a, _ := newTestAuth(t, sharedsecretOpts("s3cret"))
	var ids []string
	for range 3 {
		tok, err := a.MkToken(m("eauth", "auto", "username", "alice", "password", "x"))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := tok.String("token")
		ids = append(ids, id)
	}
	got, err := a.ListTokens()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Fatalf("ListTokens %v, want %v", got, ids)
	}
	if err := a.RmToken(ids[0]); err != nil {
		t.Fatal(err)
	}
	if tok, _ := a.GetTok(ids[0]); tok != nil {
		t.Fatal("removed token still read")
	}
	if err := a.RmToken("../etc"); err == nil {
		t.Fatal("RmToken took a path")
	}
}

func TestMkTokenRefusedWaitsLikeTheSlowest(t *testing.T) {
	a, waits := newTestAuth(t, sharedsecretOpts("s3cret"))
	for _, load := range []body.Map{
		m("eauth", "sharedsecret", "username", "fred", "password", "wrong"),
		m("eauth", "sharedsecret", "username", "fred"),
		m("eauth", "sharedsecret", "username", "fred", "password", 7),
	} {
		tok, err := a.MkToken(load)
		if tok != nil || err != ErrNotAuthenticated {
			t.Fatalf("MkToken(%v) = %v, %v; want ErrNotAuthenticated", load, tok, err)
		}
	}
	if len(*waits) != 3 {
		t.Fatalf("time_auth waited %d times, want 3", len(*waits))
	}
	for _, w := range *waits {
		// max_fail starts at 1 s: each failure lasts 0.75 s to 1.25 s.
		if w < 700*time.Millisecond || w > 1250*time.Millisecond {
			t.Fatalf("time_auth wait %v outside 1 s ± 25%%", w)
		}
	}
	// An eauth not configured is refused without calling the module.
	*waits = nil
	if tok, _ := a.MkToken(m("eauth", "pam", "username", "root", "password", "x")); tok != nil {
		t.Fatal("an eauth not in external_auth made a token")
	}
	if len(*waits) != 0 {
		t.Fatal("an eauth not configured went through time_auth")
	}
}

func TestMkTokenExpireOverride(t *testing.T) {
	o := sharedsecretOpts("s")
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		override any
		want     float64
	}{
		{nil, 43200},
		{false, 43200},
		{true, 60},
		{map[string]any{"auto": []any{"alice"}}, 60},
		{map[string]any{"auto": []any{"bob"}}, 43200},
	} {
		o.TokenExpireUserOverride = c.override
		a, _ := newTestAuth(t, o)
		a.Now = func() time.Time { return now }
		tok, err := a.MkToken(m("eauth", "auto", "username", "alice", "password", "x", "token_expire", int64(60)))
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := tok.Get("expire")
		if exp.(float64)-1_800_000_000 != c.want {
			t.Errorf("override %v: expire in %v s, want %v", c.override, exp.(float64)-1_800_000_000, c.want)
		}
	}
}

// A failure's wait holds nothing another caller needs: a right password
// gets its token while a wrong one is still waiting.
func TestTimeAuthWaitBlocksNobody(t *testing.T) {
	a, _ := newTestAuth(t, sharedsecretOpts("s3cret"))
	waiting, release := make(chan struct{}), make(chan struct{})
	a.sleep = func(time.Duration) { close(waiting); <-release }
	done := make(chan error, 1)
	go func() {
		_, err := a.MkToken(m("eauth", "sharedsecret", "username", "fred", "password", "wrong"))
		done <- err
	}()
	<-waiting
	ok := make(chan error, 1)
	go func() {
		_, err := a.MkToken(m("eauth", "sharedsecret", "username", "fred", "password", "s3cret"))
		ok <- err
	}()
	select {
	case err := <-ok:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a right password waited behind a wrong one's time_auth")
	}
	close(release)
	if err := <-done; err != ErrNotAuthenticated {
		t.Fatalf("wrong password: %v", err)
	}
}
