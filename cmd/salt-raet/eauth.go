package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/auth"
	"github.com/saltraet/saltraet/pkg/salt/client"
)

// eauthOptions are Salt 3006's EauthMixIn options.
type eauthOptions struct {
	eauth              string // -a/--auth/--eauth/--external-auth
	mkToken            bool   // -T/--make-token
	username, password string // --username, --password
}

func addEauthFlags(f *pflag.FlagSet, o *eauthOptions) {
	f.StringVarP(&o.eauth, "auth", "a", "", "Specify an external authentication system to use.")
	f.StringVar(&o.eauth, "eauth", "", "The same as --auth.")
	f.StringVar(&o.eauth, "external-auth", "", "The same as --auth.")
	f.BoolVarP(&o.mkToken, "make-token", "T", false, "Generate and save an authentication token for re-use. The token is generated and made available for the period defined in the Salt Master.")
	f.StringVar(&o.username, "username", "", "Username for external authentication.")
	f.StringVar(&o.password, "password", "", "Password for external authentication.")
	for _, alias := range []string{"eauth", "external-auth"} {
		_ = f.MarkHidden(alias)
	}
}

// credentials are what a publish authenticates with besides the access
// key: a token, or an eauth with its username and password (kwargs of
// the load, as Salt's LocalClient sends them).
type credentials struct {
	token string
	creds body.Map // username, password
	eauth string
}

// kwargs adds the credentials to a publish's kwargs, in Salt's order.
func (c *credentials) kwargs(kw body.Map) body.Map {
	if c == nil {
		return kw
	}
	if c.token != "" {
		kw.Set("token", c.token)
	}
	if c.eauth != "" {
		for _, it := range c.creds {
			kw.Set(it.Key, it.Value)
		}
		kw.Set("eauth", c.eauth)
	}
	return kw
}

// tokenFile is the client's token_file option: the config's, else
// salt_token in the XDG config directory (~/.config/salt) when it exists,
// else in the home directory (salt.config.client_config).
func (s *saltCmd) tokenFile() string {
	if v, ok := s.cfg.Raw["token_file"].(string); ok && v != "" {
		return expandHome(v)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	if fi, err := os.Stat(filepath.Join(xdg, "salt")); err == nil && fi.IsDir() {
		return filepath.Join(xdg, "salt", "salt_token")
	}
	return filepath.Join(home, "salt_token")
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// savedToken is the token in token_file while it is younger than
// token_expire, as client_config reads it; "" otherwise.
func (s *saltCmd) savedToken() string {
	path := s.tokenFile()
	fi, err := os.Stat(path)
	if path == "" || err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	expire := 43200.0
	if v, ok := s.cfg.Raw["token_expire"]; ok {
		switch n := v.(type) {
		case int:
			expire = float64(n)
		case int64:
			expire = float64(n)
		case float64:
			expire = n
		}
	}
	if fi.ModTime().Add(time.Duration(expire * float64(time.Second))).Before(time.Now()) {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// errAuthFailed ends the command as Salt's "ERROR: Authentication failed".
var errAuthFailed = errors.New("Authentication failed")

// resolveCreds is Resolver.cli: the eauth module's arguments, from the
// options or asked on the terminal (the password without echo); an empty
// username is the user running the command.
func (s *saltCmd) resolveCreds(eauth string) (body.Map, error) {
	if !auth.HasModule(eauth) {
		fmt.Fprintf(s.stdout, "The specified external authentication system \"%s\" is not available\n", eauth)
		fmt.Fprintf(s.stdout, "Available eauth types: %s\n", strings.Join(auth.ModuleNames(), ", "))
		return nil, errAuthFailed
	}
	o := s.o.eauth
	in := bufio.NewReader(s.stdin) // one reader: the password's line follows the username's
	username, password := o.username, o.password
	var err error
	if !s.o.flags.Changed("username") {
		fmt.Fprint(s.stdout, "username: ")
		if username, err = in.ReadString('\n'); err != nil && !(errors.Is(err, io.EOF) && username != "") {
			return nil, errAuthFailed
		}
		username = strings.TrimRight(username, "\r\n")
	}
	if !s.o.flags.Changed("password") {
		if password, err = readPassword(in, s.stderr, "password: "); err != nil {
			return nil, errAuthFailed
		}
	}
	if username == "" {
		if u, err := user.Current(); err == nil {
			username = u.Username
		}
	}
	return body.Map{{Key: "username", Value: username}, {Key: "password", Value: password}}, nil
}

// eauthCredentials is the salt command's part of Salt's SaltCMD.run
// before the publish: a saved token (unless the master's access key can
// be read), else with -a the credentials, and with -T a token made from
// them and saved to token_file. keyRead says the access key was read.
func (s *saltCmd) eauthCredentials(ctx context.Context, c *client.LocalClient, keyRead bool) (*credentials, int, bool) {
	cr := &credentials{}
	// A saved token stands for the credentials, unless the access key
	// was read, which is then what authenticates (Salt reads .root_key).
	if tok := s.savedToken(); tok != "" {
		if !keyRead {
			cr.token = tok
			s.log.Debugf("Using the token in %s", s.tokenFile())
		}
		return cr, 0, false
	}
	eauth := s.o.eauth.eauth
	if eauth == "" {
		return cr, 0, false
	}
	creds, err := s.resolveCreds(eauth)
	if err != nil {
		fmt.Fprintln(s.stderr, "ERROR: Authentication failed")
		return nil, exitNoReturn, true
	}
	if s.o.eauth.mkToken {
		tok, err := c.MkToken(ctx, eauth, creds)
		if err != nil {
			s.log.Warnf("Could not make a token: %v", err)
		}
		if id, _ := tok.String("token"); id != "" {
			cr.token = id
			s.saveToken(id)
		}
	}
	cr.creds, cr.eauth = creds, eauth
	return cr, 0, false
}

// saveToken writes the token to token_file, mode 0600, as
// Resolver.token_cli does; a failure is not the command's (Salt passes).
func (s *saltCmd) saveToken(tok string) {
	path := s.tokenFile()
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err == nil {
		if err = f.Chmod(0o600); err == nil {
			_, err = f.WriteString(tok)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		s.log.Debugf("Could not save the token to %s: %v", path, err)
	}
}
