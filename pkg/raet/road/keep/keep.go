// Package keep is the on-disk persistence of a road stack, the RoadKeep of
// raet 0.6.9 (raet/keeping.py, raet/road/keeping.py), file for file and byte
// for byte: a keep written here loads in the Python reference and the other
// way round, in both file kinds (json and msgpack).
//
// A keep directory holds
//
//	<dir>/local/estate.<ext>              the local estate (name, uid, ha, ..., puid, aha, role)
//	<dir>/role/local/role.<ext>           the local role and its private keys (sighex, prihex)
//	<dir>/remote/estate.<name>.<ext>      one file per remote estate, by estate name
//	<dir>/role/remote/role.<role>.<ext>   one file per remote role: acceptance and public keys
//
// Acceptance and keys belong to a role, not to an estate, so estates that
// share a role share them; loading merges each estate file with its role file.
//
// Where the reference crashes, loses data silently or can be steered by a
// peer, this package differs, and says so where it does: names that would
// leave the directory are refused, files are replaced atomically, the file
// holding private keys is private, a file with a wrongly typed value is
// reported and left alone, and a routine dump never undoes a rejection.
package keep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
)

// HA is a host address as the reference stores it: the 2-element list
// [host, port]. Host is kept as written (an IP address string in practice,
// possibly "" for "all interfaces" in a listening address).
type HA struct {
	Host string
	Port int
}

// Kind is the serialisation of a keep's files, which is also their file
// extension. RoadStack's default is json; a stack only reads its own kind.
type Kind string

// The two kinds the reference writes.
const (
	KindJSON    Kind = "json"    // json.dump(data, f, indent=2)
	KindMsgpack Kind = "msgpack" // msgpack.dump(data, f), msgpack-python 1.0 defaults
)

// Local is the local estate as a keep stores it: local/estate.<ext> merged
// with the keys of role/local/role.<ext>.
type Local struct {
	Name   string
	UID    uint32
	HA     HA  // the estate's (external) address
	IHA    *HA // internal address; nil is null (unset)
	Natted any // null unless an application sets it; written back as loaded
	FQDN   string
	Dyned  any // null unless an application sets it; written back as loaded
	SID    uint32
	PUID   uint32 // the stack's uid counter: the last uid handed out
	AHA    HA     // the stack's listening address
	Role   string

	// SigHex is the Ed25519 signing seed and PriHex the Curve25519 private
	// key, each 64 hex digits. Both are "" when the role file is missing or
	// holds null: the reference then makes fresh random keys for the old
	// identity, which a caller may do too, knowingly.
	SigHex string
	PriHex string
}

// Remote is one remote estate as a keep stores it: remote/estate.<name>.<ext>
// merged with role/remote/role.<role>.<ext>.
type Remote struct {
	Name   string
	UID    uint32 // nuid: the uid this stack gave the remote
	FUID   uint32 // the uid the remote gave this stack; 0 unknown
	HA     HA
	IHA    *HA
	Natted any
	FQDN   string
	Dyned  any
	SID    uint32
	Main   *bool // nil is null
	Kind   int   // application kind 0..255
	Joined *bool // nil is null: never joined (e.g. still pending)
	Role   string

	// Acceptance of the role's keys; nil is null, a role never judged.
	Acceptance *raet.Acceptance
	// VerHex (Ed25519 verify key) and PubHex (Curve25519 public key) are 64
	// hex digits, or "" for none recorded (null in the file).
	VerHex string
	PubHex string
}

// Keep is one keep directory. Its methods may be called from several
// goroutines: every file is replaced atomically and the read-modify-write of
// role files is serialised within the process. Nothing coordinates two
// processes on one keep (the reference does not either).
type Keep struct {
	dir  string
	kind Kind
	auto raet.AutoMode

	// roleMu serialises reading and rewriting role/remote files, so that
	// StatusRole and the operator actions do not lose each other's writes.
	roleMu sync.Mutex
	// behind, when set, takes the writes (WriteBehind).
	behind *behind
}

// The reference's default base directories.
const (
	baseDir    = "/var/cache/raet/keep"
	altBaseDir = ".raet/keep" // below the home directory
)

// DefaultDir is where the reference keeps a stack's files when given no
// dirpath: /var/cache/raet/keep/<stackname>, or ~/.raet/keep/<stackname> when
// that cannot be created or is not readable and writable (the usual case for
// a user who is not root). Like the reference it creates the first directory
// if it can, since that is how it finds out whether it may. stackname is the
// stack (local estate) name and should be a plain file name.
func DefaultDir(stackname string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "~" // the reference's expanduser leaves "~" when there is no home
	}
	return defaultDir(baseDir, filepath.Join(home, altBaseDir), stackname)
}

func defaultDir(base, alt, stackname string) string {
	if primary := filepath.Join(base, stackname); usableDir(primary) {
		return primary
	}
	return filepath.Join(alt, stackname)
}

// usableDir creates dir if needed and reports whether it can be read and
// written, by listing it and creating and removing a probe file.
func usableDir(dir string) bool {
	if err := mkdir.All(dir, dirMode); err != nil {
		return false
	}
	if _, err := os.ReadDir(dir); err != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".raet-probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

// dirMode is the mode of every directory the keep makes. The reference's
// os.makedirs gives 0777 less the umask, which under umask 000 let anyone
// replace the files that hold the stack's private keys; Salt keeps its
// keys in directories of mode 0700 (verify_env), and so does the keep,
// whatever the umask.
const dirMode = 0o700

// Open opens the keep in dirpath, creating dirpath and its local, remote,
// role/local and role/remote directories as the reference's constructor
// does, but with mode 0700 (dirMode). A leading "~/" is the
// home directory. No stack name is appended: dirpath is the keep root. kind
// "" is json, the reference's default. auto is the policy StatusRole applies.
//
// Unlike the reference, a dirpath that cannot be created is an error rather
// than a silent move to ~/.raet/keep: a keep given explicitly should not
// wander (DefaultDir has the fallback for callers who want it).
func Open(dirpath string, kind Kind, auto raet.AutoMode) (*Keep, error) {
	if kind == "" {
		kind = KindJSON
	}
	if kind != KindJSON && kind != KindMsgpack {
		return nil, fmt.Errorf("keep: kind %q is not %q or %q", kind, KindJSON, KindMsgpack)
	}
	switch auto {
	case raet.AutoNever, raet.AutoOnce, raet.AutoAlways:
	default:
		return nil, fmt.Errorf("keep: unrecognized auto mode %d", auto)
	}
	if dirpath == "" {
		return nil, errors.New("keep: no directory given (DefaultDir gives the reference's default)")
	}
	if dirpath == "~" || strings.HasPrefix(dirpath, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("keep: expanding %q: %w", dirpath, err)
		}
		dirpath = filepath.Join(home, dirpath[1:])
	}
	abs, err := filepath.Abs(dirpath)
	if err != nil {
		return nil, fmt.Errorf("keep: %w", err)
	}
	k := &Keep{dir: abs, kind: kind, auto: auto}
	for _, d := range []string{k.localDir(), k.remoteDir(), k.localRoleDir(), k.remoteRoleDir()} {
		if err := mkdir.All(d, dirMode); err != nil {
			return nil, fmt.Errorf("keep: %w", err)
		}
	}
	return k, nil
}

// Dir returns the keep's root directory, absolute.
func (k *Keep) Dir() string { return k.dir }

// Kind returns the serialisation of the keep's files.
func (k *Keep) Kind() Kind { return k.kind }

// Auto returns the acceptance policy StatusRole applies.
func (k *Keep) Auto() raet.AutoMode { return k.auto }

func (k *Keep) localDir() string      { return filepath.Join(k.dir, "local") }
func (k *Keep) remoteDir() string     { return filepath.Join(k.dir, "remote") }
func (k *Keep) localRoleDir() string  { return filepath.Join(k.dir, "role", "local") }
func (k *Keep) remoteRoleDir() string { return filepath.Join(k.dir, "role", "remote") }

func (k *Keep) localPath() string {
	return filepath.Join(k.localDir(), "estate."+string(k.kind))
}

func (k *Keep) localRolePath() string {
	return filepath.Join(k.localRoleDir(), "role."+string(k.kind))
}

// remotePath and remoteRolePath take names already checked by checkName.
func (k *Keep) remotePath(name string) string {
	return filepath.Join(k.remoteDir(), "estate."+name+"."+string(k.kind))
}

func (k *Keep) remoteRolePath(role string) string {
	return filepath.Join(k.remoteRoleDir(), "role."+role+"."+string(k.kind))
}

// ErrBadName is returned (wrapped) for an estate name or role that cannot be
// part of a keep file name.
var ErrBadName = errors.New("keep: name cannot be used in a file name")

// maxFileName is the longest file name (one path component) Linux allows.
const maxFileName = 255

// checkName refuses a remote estate name or role that would not make a
// plain file name of its own inside the keep. The reference refuses only
// spaces (Keep.dump) and would follow a name such as "../../x" out of the
// directory; names come from peers, so here slashes, backslashes, control
// characters, "..", invalid UTF-8 and names too long for a file are refused
// as well. what says which field is at fault ("name", "role").
func checkName(what, name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %s %q %s", ErrBadName, what, name, why)
	}
	switch {
	case name == "":
		return bad("is empty")
	case !utf8.ValidString(name):
		return bad("is not UTF-8")
	case strings.Contains(name, ".."):
		return bad(`contains ".."`)
	case len("estate.")+len(name)+len(".msgpack") > maxFileName:
		return bad("is too long for a file name")
	}
	for _, r := range name {
		switch {
		case r == ' ':
			return bad("contains a space (the reference refuses file names with spaces)")
		case r == '/' || r == '\\':
			return bad("contains a path separator")
		case r < 0x20 || r == 0x7f:
			return bad("contains a control character")
		}
	}
	return nil
}
