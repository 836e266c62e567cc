// Package pki is the RAET key store of a Salt daemon: Salt 2018.3's RaetKey
// (salt/key.py) over the same files under pki_dir (spec/salt-raet.md 2.2),
// so a Go master, minion or salt-key can take over an existing Salt RAET
// install and the other way round.
//
// Everything the store knows lives in files; a Store holds only the
// directory and the options. Several processes (the master deciding joins,
// salt-key moving keys) therefore work on one pki_dir at once, and every
// change is one rename or one unlink so that none of them ever sees a
// half-written key file.
package pki

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// Errors to match with errors.Is. Every returned error also names the id or
// the file it is about.
var (
	// ErrNotFound: no key file for the id in the status asked for. Errors
	// carrying it also match fs.ErrNotExist.
	ErrNotFound = errors.New("pki: no such key")
	// ErrInvalidID: an id that cannot be a file name in a key directory.
	ErrInvalidID = errors.New("pki: invalid minion id")
	// ErrInvalidKey: a key that is not 64 hex digits, or a key file that is
	// not the msgpack map Salt writes.
	ErrInvalidKey = errors.New("pki: invalid key")
	// ErrInsecure: an autosign or autoreject file that others (or, without
	// permissive_pki_access, its group) can write, so it is not used.
	ErrInsecure = errors.New("pki: insecure file permissions")
	// ErrAutosignExpired: a minions_autosign entry was older than
	// autosign_timeout and has been removed.
	ErrAutosignExpired = errors.New("pki: autosign entry expired")
	// ErrPendingFull is the warning of a decision that refused a new id
	// because max_pending_keys keys are pending already.
	ErrPendingFull = errors.New("pki: too many pending keys")
)

// statuses are the three key directories in the order Salt's key outputter
// prints them (sorted names: accepted, pending, rejected).
var statuses = [...]raet.Acceptance{raet.Accepted, raet.Pending, raet.Rejected}

// Statuses returns the three statuses in the order salt-key prints them:
// accepted, pending, rejected.
func Statuses() []raet.Acceptance {
	c := statuses
	return c[:]
}

// DefaultAutosignTimeout is Salt's autosign_timeout default (120 minutes),
// the age after which a minions_autosign entry is dropped unused.
const DefaultAutosignTimeout = 120 * time.Minute

// maxKeyFile bounds what is read of a key file. A real one is under 200
// bytes; the bound keeps a stray huge file from being read into memory.
const maxKeyFile = 64 << 10

// Options are the master/minion settings RaetKey.status reads
// (spec/salt-raet.md 2.1 and 5).
type Options struct {
	OpenMode   bool // open_mode: accept and overwrite every key
	AutoAccept bool // auto_accept: accept every new or pending key
	// AutosignFile and AutorejectFile are autosign_file and autoreject_file;
	// empty means unset.
	AutosignFile   string
	AutorejectFile string
	// AutosignDir is the directory of one-shot autosign entries. Salt
	// hard-codes <pki_dir>/minions_autosign (masterapi.AutoKey
	// check_autosign_dir), which is what empty means here.
	AutosignDir string
	// AutosignTimeout is autosign_timeout: entries of AutosignDir older
	// than this are removed without being used. Zero means
	// DefaultAutosignTimeout; negative means entries never expire (Salt's
	// autosign_timeout <= 0).
	AutosignTimeout time.Duration
	// PermissivePKIAccess is permissive_pki_access: a group-writable
	// autosign or autoreject file is still used.
	PermissivePKIAccess bool
	// MaxPendingKeys is max_pending_keys: a new id is not written to
	// pending/ once this many keys wait there, and its join is refused as
	// rejected (see ErrPendingFull). Zero or less: no bound, as in Salt.
	MaxPendingKeys int
	// Commit, when set, is the group commit of the key files a decision
	// writes: they are written without an fsync each, and are durable once
	// the caller has run Commit.Commit (the master deciding a join storm's
	// thousands of keys makes one sync per batch, not two per key).
	Commit *fsutil.Committer
}

// Store is the key store under one pki_dir. It is safe for concurrent use,
// including by several processes: it keeps no state beyond the directory.
type Store struct {
	dir  string
	opts Options
	// OnWarnings, when set, hears the warnings of the decisions StatusRole
	// takes for a road stack (an autosign file ignored as insecure, expired
	// autosign entries), which the road cannot log. Set it before use.
	OnWarnings func(id string, warnings []error)
}

// WithCommit returns the store writing the key files of its decisions
// under the group commit c (Options.Commit).
func (s *Store) WithCommit(c *fsutil.Committer) *Store {
	cp := *s
	cp.opts.Commit = c
	return &cp
}

// Open prepares pkiDir for use: the directory and its accepted/, pending/
// and rejected/ subdirectories are created mode 0700 when missing (the
// daemons' start-up in Salt does the same, spec/salt-raet.md 2.2); existing
// directories keep their modes. Temporary files that a crashed writer left
// more than an hour ago are removed.
func Open(pkiDir string, opts Options) (*Store, error) {
	if pkiDir == "" {
		return nil, errors.New("pki: empty pki_dir")
	}
	s := &Store{dir: pkiDir, opts: opts}
	if err := mkdir.All(pkiDir, 0o700); err != nil {
		return nil, fmt.Errorf("pki: create pki_dir: %w", err)
	}
	for _, st := range statuses {
		d := s.statusDir(st)
		if err := mkdir.One(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("pki: create %s: %w", d, err)
		}
		if fi, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("pki: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("pki: %s is not a directory", d)
		}
	}
	for _, d := range []string{pkiDir, s.statusDir(raet.Accepted), s.statusDir(raet.Pending), s.statusDir(raet.Rejected)} {
		fsutil.RemoveStaleTemps(d, tempPrefix, time.Hour)
	}
	return s, nil
}

// Dir returns the pki_dir.
func (s *Store) Dir() string { return s.dir }

// Options returns the options the store was opened with.
func (s *Store) Options() Options { return s.opts }

// Path returns the file of id in the directory of status. It does not check
// the id; use it for messages and tools, not to decide.
func (s *Store) Path(status raet.Acceptance, id string) string {
	return filepath.Join(s.statusDir(status), id)
}

func (s *Store) statusDir(st raet.Acceptance) string {
	return filepath.Join(s.dir, statusName(st))
}

// StatusName is the name of a status's directory, which salt-key's
// outputters use as the status's heading too: accepted, pending or
// rejected.
func StatusName(st raet.Acceptance) string { return statusName(st) }

// statusName is the directory name of a status; these are RaetKey's ACC,
// PEND and REJ.
func statusName(st raet.Acceptance) string {
	switch st {
	case raet.Accepted:
		return "accepted"
	case raet.Pending:
		return "pending"
	case raet.Rejected:
		return "rejected"
	}
	return fmt.Sprintf("acceptance-%d", uint8(st))
}

func checkStatus(st raet.Acceptance) error {
	if st != raet.Accepted && st != raet.Pending && st != raet.Rejected {
		return fmt.Errorf("pki: unknown key status %d", uint8(st))
	}
	return nil
}

// ValidID refuses ids that would not name a plain file inside a key
// directory. It is Salt's salt.utils.verify.valid_id (no '/', '\\' or NUL)
// plus two rules of this store: no leading '.' (which covers "." and ".."
// and keeps ids apart from the store's own temporary files), and not empty;
// fsutil.NameProblem holds the rules, which the job cache shares.
func ValidID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty id", ErrInvalidID)
	}
	if why := fsutil.NameProblem(id); why != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidID, id, why)
	}
	return nil
}

// normHex returns a key as the 64 lowercase hex digits Salt stores, so that
// comparisons do not depend on the case a peer or an editor used. Callers
// wrap the error with ErrInvalidKey and what the key belongs to.
func normHex(what, s string) (string, error) {
	if len(s) != 2*raet.KeySize {
		return "", fmt.Errorf("%s has %d characters, want %d hex digits", what, len(s), 2*raet.KeySize)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("%s is not hex", what)
	}
	return strings.ToLower(s), nil
}

// Key is one remote's key file.
type Key struct {
	ID     string
	Status raet.Acceptance
	Pub    string // Curve25519 public key, 64 lowercase hex
	Verify string // Ed25519 verify key, 64 lowercase hex
}

// Fingerprint is the key's salt-key fingerprint (see Fingerprint).
func (k Key) Fingerprint() string { return Fingerprint(k.Pub, k.Verify) }

// String is what salt-key -p prints for the key (RaetKey._get_key_str).
func (k Key) String() string { return "pub: " + k.Pub + "\nverify: " + k.Verify }

// Fingerprint is RaetKey._get_key_finger: the SHA-256 hex digest, without
// colons, of "pub: <pubhex>\nverify: <verhex>" (spec/salt-raet.md 2.3). The
// original failed on Python 3 by hashing a str; this hashes the UTF-8
// bytes, which is what it meant.
func Fingerprint(pubhex, verhex string) string {
	sum := sha256.Sum256([]byte("pub: " + pubhex + "\nverify: " + verhex))
	return hex.EncodeToString(sum[:])
}

// Read returns the key of id in the directory of status. A missing file is
// ErrNotFound; a file that is there but cannot be used (not a Salt key
// file, or not readable) is a *FileError naming it, which matches
// ErrInvalidKey when the content is at fault.
func (s *Store) Read(id string, status raet.Acceptance) (Key, error) {
	if err := ValidID(id); err != nil {
		return Key{}, err
	}
	if err := checkStatus(status); err != nil {
		return Key{}, err
	}
	path := s.Path(status, id)
	b, err := readSmall(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Key{}, fmt.Errorf("%w: no %s key for %q: %w", ErrNotFound, statusName(status), id, err)
		}
		return Key{}, &FileError{ID: id, Status: status, Path: path, Err: err}
	}
	k, err := decodeKeyFile(b)
	if err != nil {
		return Key{}, &FileError{ID: id, Status: status, Path: path, Err: err, Invalid: true}
	}
	k.ID, k.Status = id, status
	return k, nil
}

// FileError is a key file that exists but cannot be used: garbage,
// truncated or wrong fields (Invalid), or one that cannot be read. A
// daemon refuses the id it is for, and the operator needs the path.
type FileError struct {
	ID      string
	Status  raet.Acceptance
	Path    string
	Err     error
	Invalid bool // the content is at fault, not the reading
}

func (e *FileError) Error() string {
	return fmt.Sprintf("key file %s is unreadable: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() []error {
	if e.Invalid {
		return []error{ErrInvalidKey, e.Err}
	}
	return []error{e.Err}
}

// Problems returns the key files of the given statuses (all three when
// none is given) that List names but Read cannot use, so that a listing
// can say which minions will be refused and why. A file that vanishes
// meanwhile is no problem.
func (s *Store) Problems(in ...raet.Acceptance) ([]*FileError, error) {
	if len(in) == 0 {
		in = statuses[:]
	}
	var out []*FileError
	for _, st := range in {
		ids, err := s.list(st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			var fe *FileError
			if _, err := s.Read(id, st); errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	return out, nil
}

// Get returns the key of id wherever it is. When the id has files in more
// than one directory (open_mode writes accepted/ without clearing the
// others, as Salt does), the one that decides Status is returned: rejected,
// then accepted, then pending.
func (s *Store) Get(id string) (Key, error) {
	if err := ValidID(id); err != nil {
		return Key{}, err
	}
	for _, st := range []raet.Acceptance{raet.Rejected, raet.Accepted, raet.Pending} {
		k, err := s.Read(id, st)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return k, err
		}
	}
	return Key{}, fmt.Errorf("%w: no key for %q in %s", ErrNotFound, id, s.dir)
}

// readSmall reads a key file. It opens without blocking, so that a FIFO
// or a device planted as a key file is refused instead of hanging the
// daemon, and errors leave out the path, which the caller names.
func readSmall(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("larger than a key file can be (%d bytes)", maxKeyFile)
	}
	return b, nil
}

// isKeyFile reports whether path is a regular file, following symlinks as
// Salt's os.path.isfile does.
func isKeyFile(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("pki: %w", err)
	}
	return fi.Mode().IsRegular(), nil
}

// List returns the ids in each directory, sorted bytewise, with every
// status present even when empty (salt-key -L prints all three headings,
// spec/salt-raet.md 2.3). Like RaetKey.list_keys it skips names starting
// with '.' and anything that is not a regular file.
func (s *Store) List() (map[raet.Acceptance][]string, error) {
	out := make(map[raet.Acceptance][]string, len(statuses))
	for _, st := range statuses {
		ids, err := s.list(st)
		if err != nil {
			return nil, err
		}
		out[st] = ids
	}
	return out, nil
}

func (s *Store) list(st raet.Acceptance) ([]string, error) {
	d := s.statusDir(st)
	ents, err := os.ReadDir(d)
	if err != nil {
		return nil, fmt.Errorf("pki: list %s: %w", d, err)
	}
	ids := []string{}
	for _, e := range ents {
		name := e.Name()
		if ValidID(name) != nil {
			continue
		}
		// The directory's own word on the type saves a stat per key (a
		// publish lists every accepted key); a symlink is followed.
		t := e.Type()
		if t.IsRegular() {
			ids = append(ids, name)
			continue
		}
		if t&fs.ModeSymlink == 0 {
			continue
		}
		if ok, _ := isKeyFile(filepath.Join(d, name)); ok {
			ids = append(ids, name)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// ListStatus returns the ids of one status, sorted bytewise, as List.
func (s *Store) ListStatus(st raet.Acceptance) ([]string, error) {
	if err := checkStatus(st); err != nil {
		return nil, err
	}
	return s.list(st)
}

// Match selects ids for salt-key -a/-r/-d/-p/-f the way Key.name_match
// does: glob may be a comma-separated list of fnmatch globs, and an id is
// selected when any of them matches. Only the statuses in "in" are searched
// (all three when none is given), and only statuses with a match appear in
// the result, so an empty map means "the glob does not match any keys".
// Unlike the original, an id that matches several globs is listed once.
func (s *Store) Match(glob string, in ...raet.Acceptance) (map[raet.Acceptance][]string, error) {
	if len(in) == 0 {
		in = statuses[:]
	}
	out := map[raet.Acceptance][]string{}
	for _, st := range in {
		if err := checkStatus(st); err != nil {
			return nil, err
		}
		ids, err := s.list(st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if NameMatch(id, glob) {
				out[st] = append(out[st], id)
			}
		}
	}
	return out, nil
}
