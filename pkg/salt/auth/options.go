package auth

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Options are the master's options LoadAuth reads (salt.config
// DEFAULT_MASTER_OPTS), taken from config.Master's Raw.
type Options struct {
	ExternalAuth            body.Map // external_auth: {} (eauth → {user|group%|*|^opt: ...})
	TokenDir                string   // token_dir: <cachedir>/tokens (Salt forces it there)
	TokenExpire             float64  // token_expire: 43200 (seconds)
	TokenExpireUserOverride any      // token_expire_user_override: False (bool or {eauth: [users]})
	KeepACLInToken          bool     // keep_acl_in_token: False
	EauthACLModule          string   // eauth_acl_module: ""
	EauthTokens             string   // eauth_tokens: localfs (the only store here)
	Sharedsecret            *string  // sharedsecret: unset
	PermissiveACL           bool     // permissive_acl: False
	PublisherACL            body.Map // publisher_acl: {} (user glob/regex → [funs])
	PublisherACLBlacklist   body.Map // publisher_acl_blacklist: {} (users: [...], modules: [...])
	SudoACL                 bool     // sudo_acl: False
	PAMService              string   // auth.pam.service: login
	HashType                string   // hash_type: sha256
	User                    string   // user: the user the master runs as
}

// ReadOptions reads the auth options of a master's configuration, naming
// the option that has the wrong type.
func ReadOptions(opts *config.Master) (Options, error) {
	o := Options{
		TokenDir:    filepath.Join(opts.Cachedir, "tokens"),
		TokenExpire: 43200,
		EauthTokens: "localfs",
		PAMService:  "login",
		HashType:    opts.HashType,
		User:        opts.User,
	}
	if o.HashType == "" {
		o.HashType = "sha256"
	}
	raw := opts.Raw
	var err error
	set := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	set(dictOpt(raw, "external_auth", &o.ExternalAuth))
	set(dictOpt(raw, "publisher_acl", &o.PublisherACL))
	set(dictOpt(raw, "publisher_acl_blacklist", &o.PublisherACLBlacklist))
	set(boolOpt(raw, "keep_acl_in_token", &o.KeepACLInToken))
	set(boolOpt(raw, "permissive_acl", &o.PermissiveACL))
	set(boolOpt(raw, "sudo_acl", &o.SudoACL))
	set(strOpt(raw, "eauth_acl_module", &o.EauthACLModule))
	set(strOpt(raw, "eauth_tokens", &o.EauthTokens))
	set(strOpt(raw, "auth.pam.service", &o.PAMService))
	if v, ok := raw["token_expire"]; ok && v != nil {
		f, e := py.Float(v)
		if e != nil {
			set(fmt.Errorf("token_expire: want a number of seconds, not %s", py.TypeName(v)))
		}
		o.TokenExpire = f
	}
	if v, ok := raw["token_expire_user_override"]; ok && v != nil {
		switch v.(type) {
		case bool:
		default:
			if _, isDict := py.DictItems(v); !isDict {
				set(fmt.Errorf("token_expire_user_override: want True, False or {eauth: [users]}, not %s", py.TypeName(v)))
			}
		}
		o.TokenExpireUserOverride = v
	}
	if v, ok := raw["sharedsecret"]; ok && v != nil {
		s := py.Str(v)
		o.Sharedsecret = &s
	}
	if o.EauthTokens != "localfs" {
		set(fmt.Errorf("eauth_tokens: %q is not supported (only localfs)", o.EauthTokens))
	}
	return o, err
}

func dictOpt(raw map[string]any, key string, dst *body.Map) error {
	v, ok := raw[key]
	if !ok || v == nil {
		return nil
	}
	m, ok := py.DictItems(v)
	if !ok {
		return fmt.Errorf("%s: want a mapping, not %s", key, py.TypeName(v))
	}
	*dst = m
	return nil
}

func boolOpt(raw map[string]any, key string, dst *bool) error {
	v, ok := raw[key]
	if !ok || v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return fmt.Errorf("%s: want True or False, not %s", key, py.TypeName(v))
	}
	*dst = b
	return nil
}

func strOpt(raw map[string]any, key string, dst *string) error {
	v, ok := raw[key]
	if !ok || v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: want a string, not %s", key, py.TypeName(v))
	}
	*dst = s
	return nil
}

// eauthConfig is external_auth[eauth], and whether eauth is configured.
func (o Options) eauthConfig(eauth string) (body.Map, bool) {
	v, ok := o.ExternalAuth.Get(eauth)
	if !ok {
		return nil, false
	}
	m, _ := py.DictItems(v)
	return m, true
}

// PublisherACLUsers are the users named in publisher_acl that get an access
// key (masterapi.access_keys: the names that are not regular expressions).
func (o Options) PublisherACLUsers() []string {
	var users []string
	for _, it := range o.PublisherACL {
		if isPlainName(it.Key) && !slices.Contains(users, it.Key) {
			users = append(users, it.Key)
		}
	}
	return users
}
