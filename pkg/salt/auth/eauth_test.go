package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func fileOpts(t *testing.T, content string, opts ...any) Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := m("^filename", path)
	for i := 0; i < len(opts); i += 2 {
		cfg = append(cfg, m(opts[i], opts[i+1])...)
	}
	cfg = append(cfg, m("carol", l("test.ping"))...)
	return Options{ExternalAuth: m("file", cfg)}
}

func TestFileText(t *testing.T) {
	cases := []struct {
		name, content   string
		opts            []any
		user, pass      string
		want            bool
		wantErrContains string
	}{
		{"plain", "alice:x\ncarol:secret\n", nil, "carol", "secret", true, ""},
		{"plain wrong", "carol:secret\n", nil, "carol", "secrets", false, ""},
		{"unknown user", "carol:secret\n", nil, "dave", "secret", false, ""},
		{"first line decides", "carol:a\ncarol:secret\n", nil, "carol", "secret", false, ""},
		{"short line ends", "alice\ncarol:secret\n", nil, "carol", "secret", false, "password field (1) does not exist"},
		{"separator and fields", "1|secret|carol\n", []any{"^field_separator", "|", "^username_field", 3, "^password_field", 2}, "carol", "secret", true, ""},
		{"sha256", "carol:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\n", []any{"^hashtype", "sha256"}, "carol", "secret", true, ""},
		{"md5 wrong", "carol:2bb80d537b1da3e38bd30361aa855686\n", []any{"^hashtype", "md5"}, "carol", "secret", false, ""},
		{"unsupported hash", "carol:x\n", []any{"^hashtype", "sha1"}, "carol", "secret", false, "Hash func 'sha1' is not supported."},
	}
	for _, c := range cases {
		f := fileAuth{cfg: fileOpts(t, c.content, c.opts...)}
		got, err := f.auth(c.user, c.pass)
		if got != c.want {
			t.Errorf("%s: auth = %v, want %v (err %v)", c.name, got, c.want, err)
		}
		if c.wantErrContains != "" && (err == nil || !strings.Contains(err.Error(), c.wantErrContains)) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.wantErrContains)
		}
		if err != nil && strings.Contains(err.Error(), c.pass) {
			t.Errorf("%s: the error names the password: %v", c.name, err)
		}
	}
	var none fileAuth
	none.cfg = Options{ExternalAuth: m("file", m("carol", l(".*")))}
	if _, err := none.auth("carol", "x"); err == nil || !strings.Contains(err.Error(), "^filename") {
		t.Errorf("no ^filename: %v", err)
	}
}

func TestFileHtpasswd(t *testing.T) {
	bc, _ := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	bcy := "$2y$" + string(bc[4:])
	content := strings.Join([]string{
		"# comment",
		"bcrypt:" + string(bc),
		"bcrypty:" + bcy,
		"apr:$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/",
		"sha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
		"plain:secret",
		"sha512:$6$salt$abcdef",
		"des:abJnggxhB/yWI",
		"",
	}, "\n")
	f := fileAuth{cfg: fileOpts(t, content, "^filetype", "htpasswd")}
	for _, u := range []string{"bcrypt", "bcrypty", "apr", "sha", "plain"} {
		if ok, err := f.auth(u, "secret"); !ok || err != nil {
			t.Errorf("%s: right password refused (%v)", u, err)
		}
		if ok, _ := f.auth(u, "wrong"); ok {
			t.Errorf("%s: wrong password taken", u)
		}
	}
	for _, u := range []string{"sha512", "des"} {
		ok, err := f.auth(u, "secret")
		if ok || err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: = %v, %v; want a refusal saying the form is not supported", u, ok, err)
		}
	}
	if ok, _ := f.auth("nobody", "secret"); ok {
		t.Error("unknown user taken")
	}
}

func TestFileHtdigest(t *testing.T) {
	content := "carol:realm1:8fe25d63c974094d830492a66e92e7a8\n"
	f := fileAuth{cfg: fileOpts(t, content, "^filetype", "htdigest")}
	if _, err := f.auth("carol", "secret"); err == nil || !strings.Contains(err.Error(), "^realm") {
		t.Fatalf("htdigest without ^realm: %v", err)
	}
	f = fileAuth{cfg: fileOpts(t, content, "^filetype", "htdigest", "^realm", "realm1")}
	if ok, err := f.auth("carol", "secret"); !ok || err != nil {
		t.Fatalf("htdigest refused the right password: %v", err)
	}
	if ok, _ := f.auth("carol", "secret2"); ok {
		t.Fatal("htdigest took a wrong password")
	}
	f = fileAuth{cfg: fileOpts(t, content, "^filetype", "htdigest", "^realm", "realm2")}
	if ok, _ := f.auth("carol", "secret"); ok {
		t.Fatal("htdigest took another realm's entry")
	}
}

func TestSharedsecretAndAuto(t *testing.T) {
	s := "s3cret"
	if ok, _ := (sharedsecretAuth{secret: &s}).auth("anyone", "s3cret"); !ok {
		t.Error("sharedsecret refused the secret")
	}
	if ok, _ := (sharedsecretAuth{secret: &s}).auth("anyone", "s3cre"); ok {
		t.Error("sharedsecret took a wrong secret")
	}
	if ok, _ := (sharedsecretAuth{}).auth("anyone", ""); ok {
		t.Error("sharedsecret without the option took an empty password")
	}
	if ok, _ := (autoAuth{}).auth("anyone", ""); !ok {
		t.Error("auto refused")
	}
}
