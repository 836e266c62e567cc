package auth

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// fileAuth is salt/auth/file.py: users and passwords in a file named by
// external_auth: {file: {^filename: ...}}, with the ^filetype, ^hashtype,
// ^field_separator, ^username_field, ^password_field and ^realm options.
type fileAuth struct{ cfg Options }

// fileConfig is _get_file_auth_config: Salt's defaults, then every "^opt"
// of external_auth:file.
type fileConfig struct {
	filename, filetype, hashtype, separator, realm string
	userField, passField                           int
}

func (f fileAuth) config() (fileConfig, error) {
	c := fileConfig{filetype: "text", hashtype: "plaintext", separator: ":", userField: 1, passField: 2}
	ea, _ := f.cfg.eauthConfig("file")
	for _, it := range ea {
		if !strings.HasPrefix(it.Key, "^") {
			continue
		}
		var err error
		switch it.Key[1:] {
		case "filename":
			c.filename = py.Str(it.Value)
		case "filetype":
			c.filetype = strings.ToLower(py.Str(it.Value))
		case "hashtype":
			c.hashtype = py.Str(it.Value)
		case "field_separator":
			c.separator = py.Str(it.Value)
		case "realm":
			c.realm = py.Str(it.Value)
		case "username_field":
			c.userField, err = fieldNumber(it.Value)
		case "password_field":
			c.passField, err = fieldNumber(it.Value)
		}
		if err != nil {
			return c, fmt.Errorf("salt.auth.file: external_auth:file:%s: %v", it.Key, err)
		}
	}
	if c.filename == "" {
		return c, fmt.Errorf("salt.auth.file: An authentication file must be specified via external_auth:file:^filename")
	}
	if _, err := os.Stat(c.filename); err != nil {
		return c, fmt.Errorf("salt.auth.file: The configured external_auth:file:^filename (%s)does not exist on the filesystem", c.filename)
	}
	return c, nil
}

func fieldNumber(v any) (int, error) {
	n, err := py.Int(v)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("field numbers begin at 1, not %d", n)
	}
	return int(n), nil
}

func (f fileAuth) auth(username, password string) (bool, error) {
	c, err := f.config()
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(c.filename)
	if err != nil {
		return false, fmt.Errorf("salt.auth.file: %v", err)
	}
	switch c.filetype {
	case "htpasswd":
		return htpasswdCheck(string(data), username, password)
	case "htdigest":
		if c.realm == "" {
			return false, fmt.Errorf("salt.auth.file: A ^realm must be defined in external_auth:file for htdigest filetype")
		}
		return htdigestCheck(string(data), username, c.realm, password), nil
	default: // Salt's map falls back to text for an unknown filetype
		return c.text(string(data), username, password)
	}
}

// text is _text: the first line whose username field is the user decides;
// a line without the username or password field ends the search, refused.
func (c fileConfig) text(data, username, password string) (bool, error) {
	for _, line := range py.SplitLines(data) {
		fields := strings.Split(strings.TrimFunc(line, py.IsSpace), c.separator)
		if len(fields) < c.userField {
			return false, fmt.Errorf("salt.auth.file: username field (%d) does not exist in file %s", c.userField-1, c.filename)
		}
		if len(fields) < c.passField {
			return false, fmt.Errorf("salt.auth.file: password field (%d) does not exist in file %s", c.passField-1, c.filename)
		}
		if fields[c.userField-1] != username {
			continue
		}
		want := fields[c.passField-1]
		got := password
		if c.hashtype != "plaintext" {
			var err error
			if got, err = hashutilDigest(password, c.hashtype); err != nil {
				return false, err
			}
		}
		return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1, nil
	}
	return false, nil
}

// hashutilDigest is hashutil.digest: md5, sha256 or sha512, hex.
func hashutilDigest(s, checksum string) (string, error) {
	switch checksum {
	case "md5":
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:]), nil
	case "sha256":
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:]), nil
	case "sha512":
		h := sha512.Sum512([]byte(s))
		return hex.EncodeToString(h[:]), nil
	}
	return "", fmt.Errorf("Hash func '%s' is not supported.", checksum)
}
