package keep

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// ErrCleared marks a file deleted on load because its field set was not the
// exact one raet writes: the reference deletes such a file (clearLocalData,
// clearRemoteData) and carries on without it, and so does this package, but
// says so. Match it with errors.Is.
var ErrCleared = errors.New("field set is not the one raet writes; file cleared as the reference does")

// ErrMalformed marks a file that cannot be used as it stands: it does not
// decode, is not a mapping, or a field has a value of the wrong type or
// range. Such a file is left in place; deleting it could lose an identity
// over a typo. Key material of the wrong size or encoding also matches
// raet.ErrKey. Match it with errors.Is.
var ErrMalformed = errors.New("malformed")

// FileError is a keep file that could not be used, or could not be written.
type FileError struct {
	Path  string // the file
	Field string // the field at fault; "" when it is the whole file
	Err   error  // ErrCleared, an error wrapping ErrMalformed, or an I/O error
}

// Error names the file, and the field when one is at fault, so that an
// operator knows what to fix.
func (e *FileError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("keep: %s: field %q: %v", e.Path, e.Field, e.Err)
	}
	return fmt.Sprintf("keep: %s: %v", e.Path, e.Err)
}

// Unwrap gives the cause, for errors.Is(err, ErrCleared) and friends.
func (e *FileError) Unwrap() error { return e.Err }

// Field lists, in the order raet writes them.
var (
	localFields      = []string{"name", "uid", "ha", "iha", "natted", "fqdn", "dyned", "sid", "puid", "aha", "role"}
	remoteFields     = []string{"name", "uid", "fuid", "ha", "iha", "natted", "fqdn", "dyned", "sid", "main", "kind", "joined", "role"}
	remoteRoleFields = []string{"role", "acceptance", "verhex", "pubhex"}
)

// sameFieldSet is the reference's verifyLocalData/verifyRemoteData: the keys
// of the estate file together with the keys the load merges in from the role
// file (always added, null when the role file lacks them) must be exactly
// the estate fields plus those merged keys.
func sameFieldSet(m body.Map, fields, merged []string) bool {
	want := make(map[string]bool, len(fields)+len(merged))
	for _, f := range fields {
		want[f] = true
	}
	for _, f := range merged {
		want[f] = true
	}
	have := make(map[string]bool, len(m)+len(merged))
	for _, it := range m {
		if !want[it.Key] {
			return false
		}
		have[it.Key] = true
	}
	for _, f := range merged {
		have[f] = true
	}
	return len(have) == len(want)
}

// readMap reads and decodes one keep file. A missing file is returned as an
// error matching fs.ErrNotExist; one that does not decode to a mapping with
// string keys is a *FileError wrapping ErrMalformed.
func (k *Keep) readMap(path string) (body.Map, error) {
	b, err := k.readBehind(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &FileError{Path: path, Err: err}
	}
	var v any
	if k.kind == KindJSON {
		v, err = body.DecodeJSON(b)
	} else {
		v, err = body.DecodeMsgpack(b)
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	m, ok := v.(body.Map)
	if !ok {
		return nil, &FileError{Path: path, Err: fmt.Errorf("%w: not a mapping with str keys but %T", ErrMalformed, v)}
	}
	return m, nil
}

// encode serialises one file's mapping as Keep.dump does. Keep.dump first
// turns every top-level bytes value into a str (UTF-8), for both kinds.
func (k *Keep) encode(m body.Map) ([]byte, error) {
	for i := range m {
		if b, ok := m[i].Value.([]byte); ok {
			m[i].Value = string(b)
		}
	}
	if k.kind == KindJSON {
		return body.AppendJSONIndent(nil, m, 2)
	}
	return body.AppendMsgpack(nil, m)
}

// File modes. The reference opens files with mode 0664 less the umask.
// Public files get the same (or keep the mode of the file they replace, so
// that an operator's chmod survives as it does with the reference's in-place
// rewrite). The local role file holds the private keys and is always 0600,
// a deliberate deviation: a keep holding private keys must not be readable
// by others.
const (
	publicMode  os.FileMode = 0o664
	privateMode os.FileMode = 0o600
)

// writeFile encodes m and replaces path with it atomically: a temporary file
// in the same directory is written, fsync'd (the reference fsyncs too),
// renamed over path, and the directory fsync'd so that the rename is durable.
// A reader, or a crash, sees the old file or the new one, never a part. The
// temporary name (".estate.<name>.json.tmp-<random>") is one the reference's
// loader skips, as its extension is neither .json nor .msgpack.
func (k *Keep) writeFile(path string, m body.Map, private bool) error {
	data, err := k.encode(m)
	if err != nil {
		return &FileError{Path: path, Err: err}
	}
	if k.behind != nil {
		return k.behind.queue(path, behindOp{data: data, private: private})
	}
	if err := writeAtomic(path, data, private); err != nil {
		return &FileError{Path: path, Err: err}
	}
	return nil
}

func writeAtomic(path string, data []byte, private bool) (err error) {
	dir, base := filepath.Split(path)
	mode := publicMode
	keepMode := false
	if private {
		mode = privateMode
	} else if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		mode, keepMode = st.Mode().Perm(), true
	}
	var f *os.File
	for range 100 {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%016x", base, rand.Uint64()))
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if keepMode {
		// OpenFile's mode is cut by the umask; the old file's is not.
		if err = f.Chmod(mode); err != nil {
			return err
		}
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Filesystems that cannot fsync a
// directory report EINVAL, which is not a failure of the write.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// removeFile deletes path; a file already gone is not an error, as the
// reference checks os.path.exists first.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &FileError{Path: path, Err: err}
	}
	return nil
}

// listNamed returns the files of dir that the reference's loaders and
// clearers see as <prefix>.<name>.<ext>, sorted by file name: kind ""
// accepts both .json and .msgpack, as the reference's clear functions do;
// otherwise only files of that kind. The name is everything between the
// first dot and the extension, so it may hold dots, but not be empty.
func listNamed(dir, prefix string, kind Kind) (paths []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("keep: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		fn := e.Name()
		ext := filepath.Ext(fn)
		switch {
		case kind == "" && (ext == ".json" || ext == ".msgpack"):
		case kind != "" && ext == "."+string(kind):
		default:
			continue
		}
		p, name, _ := strings.Cut(strings.TrimSuffix(fn, ext), ".")
		if p != prefix || name == "" {
			continue
		}
		paths = append(paths, filepath.Join(dir, fn))
	}
	return paths, nil
}

// fields reads typed values out of one decoded file, naming the file and
// field in every error.
type fields struct {
	path string
	m    body.Map
}

func (f fields) bad(field, format string, args ...any) error {
	return &FileError{Path: f.path, Field: field, Err: fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)}
}

// describe names the Python type of a decoded value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the bool %v", x)
	case int64, uint64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the float %v", x)
	case []any:
		return fmt.Sprintf("a list of %d items", len(x))
	case body.Map:
		return "a mapping"
	case []byte:
		return "bytes"
	}
	return fmt.Sprintf("a %T", v)
}

// asString accepts str, and bin holding UTF-8 (what older writers may have
// left); Keep.dump writes every str as str.
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		if utf8.Valid(x) {
			return string(x), true
		}
	}
	return "", false
}

func (f fields) str(field string) (string, error) {
	v, _ := f.m.Get(field)
	s, ok := asString(v)
	if !ok {
		return "", f.bad(field, "%s, want a string", describe(v))
	}
	return s, nil
}

func asInt(v any) (int64, bool) {
	n, ok := v.(int64)
	return n, ok
}

func (f fields) u32(field string) (uint32, error) {
	v, _ := f.m.Get(field)
	n, ok := asInt(v)
	if !ok || n < 0 || n > math.MaxUint32 {
		return 0, f.bad(field, "%s, want an integer 0..4294967295", describe(v))
	}
	return uint32(n), nil
}

func (f fields) integer(field string) (int, error) {
	v, _ := f.m.Get(field)
	n, ok := asInt(v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, f.bad(field, "%s, want an integer", describe(v))
	}
	return int(n), nil
}

func (f fields) ha(field string) (HA, error) {
	v, _ := f.m.Get(field)
	l, ok := v.([]any)
	if ok && len(l) == 2 {
		host, okh := asString(l[0])
		port, okp := asInt(l[1])
		if okh && okp && port >= 0 && port <= 65535 {
			return HA{Host: host, Port: int(port)}, nil
		}
	}
	return HA{}, f.bad(field, "%s, want [host, port] with a string host and a port 0..65535", describe(v))
}

func (f fields) optHA(field string) (*HA, error) {
	if v, _ := f.m.Get(field); v == nil {
		return nil, nil
	}
	ha, err := f.ha(field)
	if err != nil {
		return nil, err
	}
	return &ha, nil
}

func (f fields) optBool(field string) (*bool, error) {
	v, _ := f.m.Get(field)
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return &x, nil
	}
	return nil, f.bad(field, "%s, want true, false or null", describe(v))
}

func (f fields) raw(field string) any {
	v, _ := f.m.Get(field)
	return v
}

func (f fields) acceptance(field string) (*raet.Acceptance, error) {
	v, _ := f.m.Get(field)
	if v == nil {
		return nil, nil
	}
	n, ok := asInt(v)
	if !ok || n < int64(raet.Pending) || n > int64(raet.Rejected) {
		return nil, f.bad(field, "%s, want 0 (pending), 1 (accepted), 2 (rejected) or null", describe(v))
	}
	a := raet.Acceptance(n)
	return &a, nil
}

// hexKey reads a key stored as hex text: null (or "") is no key, otherwise
// it must be 64 hex digits. Its case is kept as written, since the
// reference compares keys as strings.
func (f fields) hexKey(field string) (string, error) {
	v, _ := f.m.Get(field)
	if v == nil {
		return "", nil
	}
	s, ok := asString(v)
	if !ok {
		return "", f.bad(field, "%w", raet.Errorf(raet.CodeKey, "%s is %s, want 64 hex digits", field, describe(v)))
	}
	if s == "" {
		return "", nil
	}
	if err := checkHexKey(field, s); err != nil {
		return "", f.bad(field, "%w", err)
	}
	return s, nil
}

// checkHexKey accepts 64 hex digits, the hex of a 32-byte key.
func checkHexKey(field, s string) error {
	if len(s) != 64 {
		return raet.Errorf(raet.CodeKey, "%s has %d characters, want 64 hex digits", field, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return raet.Errorf(raet.CodeKey, "%s is not hex: %v", field, err)
	}
	return nil
}

// haValue is how an HA goes into a file: a 2-list [host, port].
func haValue(ha HA) any { return []any{ha.Host, int64(ha.Port)} }

func optHAValue(ha *HA) any {
	if ha == nil {
		return nil
	}
	return haValue(*ha)
}

func optBoolValue(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func acceptanceValue(a *raet.Acceptance) any {
	if a == nil {
		return nil
	}
	return int64(*a)
}

func hexValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func checkHA(what string, ha HA) error {
	if ha.Port < 0 || ha.Port > 65535 {
		return fmt.Errorf("keep: %s port %d is not 0..65535", what, ha.Port)
	}
	return nil
}
