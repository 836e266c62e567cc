package auth

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// htpasswdCheck is passlib's HtpasswdFile.check_password for the forms
// Apache's htpasswd writes: bcrypt ($2y$, $2a$, $2b$), $apr1$ (Apache's
// MD5), {SHA} and plain text. passlib's htpasswd context also takes
// md5_crypt ($1$), sha256_crypt ($5$), sha512_crypt ($6$) and des_crypt
// (13 characters of ./0-9A-Za-z); those are refused here with an error
// naming the form, never read as plain text.
func htpasswdCheck(data, username, password string) (bool, error) {
	hash, ok := htLookup(data, username, 1)
	if !ok {
		return false, nil
	}
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, fmt.Errorf("salt.auth.file: htpasswd bcrypt hash of %s: %v", username, err)
		}
		return err == nil, nil
	case strings.HasPrefix(hash, "$apr1$"):
		return subtle.ConstantTimeCompare([]byte(aprMD5Crypt(password, hash)), []byte(hash)) == 1, nil
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		want := "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
		return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
	case strings.HasPrefix(hash, "$1$"), strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$6$"):
		return false, fmt.Errorf("salt.auth.file: htpasswd hash of %s is %s...: md5_crypt, sha256_crypt and sha512_crypt are not supported by salt-master-raet (use bcrypt: htpasswd -B)", username, hash[:3])
	case isDESCrypt(hash):
		return false, fmt.Errorf("salt.auth.file: htpasswd hash of %s looks like des_crypt, which is not supported by salt-master-raet (use bcrypt: htpasswd -B)", username)
	}
	return subtle.ConstantTimeCompare([]byte(hash), []byte(password)) == 1, nil
}

// htdigestCheck is HtdigestFile.check_password: user:realm:md5(user:realm:password).
func htdigestCheck(data, username, realm, password string) bool {
	for _, line := range py.SplitLines(data) {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) != 3 || f[0] != username || f[1] != realm {
			continue
		}
		sum := md5.Sum([]byte(username + ":" + realm + ":" + password))
		return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(f[2])) == 1
	}
	return false
}

// htLookup finds the field after a user's name on its line; blank lines
// and # comments are skipped, and the first line of a user counts.
func htLookup(data, username string, field int) (string, bool) {
	for _, line := range py.SplitLines(data) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		f := strings.SplitN(line, ":", field+1)
		if len(f) == field+1 && f[0] == username {
			return f[field], true
		}
	}
	return "", false
}

func isDESCrypt(h string) bool {
	if len(h) != 13 {
		return false
	}
	for _, r := range h {
		if !(r == '.' || r == '/' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// aprMD5Crypt is Apache's $apr1$ (md5_crypt with its own magic), the
// whole hash string for password with the salt of setting.
func aprMD5Crypt(password, setting string) string {
	const magic = "$apr1$"
	salt := strings.TrimPrefix(setting, magic)
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(password)
	alt := md5.Sum([]byte(password + salt + password))
	ctx := md5.New()
	ctx.Write([]byte(password + magic + salt))
	for n := len(pw); n > 0; n -= 16 {
		ctx.Write(alt[:min(n, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final := ctx.Sum(nil)
	for i := range 1000 {
		c := md5.New()
		if i&1 != 0 {
			c.Write(pw)
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write([]byte(salt))
		}
		if i%7 != 0 {
			c.Write(pw)
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write(pw)
		}
		final = c.Sum(nil)
	}
	var out strings.Builder
	out.WriteString(magic + salt + "$")
	enc := func(a, b, c byte, n int) {
		v := uint(a)<<16 | uint(b)<<8 | uint(c)
		for ; n > 0; n-- {
			out.WriteByte(itoa64[v&0x3f])
			v >>= 6
		}
	}
	enc(final[0], final[6], final[12], 4)
	enc(final[1], final[7], final[13], 4)
	enc(final[2], final[8], final[14], 4)
	enc(final[3], final[9], final[15], 4)
	enc(final[4], final[10], final[5], 4)
	enc(0, 0, final[11], 2)
	return out.String()
}
