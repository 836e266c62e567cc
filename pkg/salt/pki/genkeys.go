package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet"
)

// The files GenKeys writes for a name, in the directory it is given.
const (
	// GenKeySuffix ends the private keys' file, NAME.key: what the minion
	// keeps as <pki_dir>/local.key (RaetKey.gen_keys wrote NAME.key too).
	GenKeySuffix = ".key"
	// GenPubSuffix ends the public keys' file, NAME.pub: what the master
	// keeps for the minion as <pki_dir>/accepted/NAME (Salt writes
	// NAME.pub next to NAME.pem for the same preseeding).
	GenPubSuffix = ".pub"
)

// genPubMode is the mode of NAME.pub, Salt's for a generated public key:
// the file holds nothing secret.
const genPubMode = 0o644

// Generated is what GenKeys wrote, or found already there.
type Generated struct {
	KeyPath string // dir/NAME.key: {priv, sign}, mode 0400, as local.key
	PubPath string // dir/NAME.pub: {minion_id, pub, verify}, mode 0644, as accepted/NAME
	Local   *Local // the keys, as the minion will load them
	// Kept is true when NAME.key was already there: its keys are kept, as
	// Salt's gen_keys keeps an existing NAME.pem, so that a second run
	// cannot replace an identity a minion already uses.
	Kept bool
}

// Fingerprint is the fingerprint salt-key -f shows for the generated key
// once the master has it (over the public keys, as Local.Fingerprint).
func (g *Generated) Fingerprint() string { return g.Local.Fingerprint() }

// GenKeys is salt-key --gen-keys NAME --gen-keys-dir DIR for RAET: it makes
// a minion's long-term keys (an Ed25519 signing seed and a Curve25519
// private key) and writes them as two files in dir, which it creates if
// need be:
//
//   - NAME.key, {priv, sign} as RaetKey.write_local writes local.key, mode
//     0400: install it as the minion's <pki_dir>/local.key;
//   - NAME.pub, {minion_id: NAME, pub, verify} as RaetKey writes a remote's
//     key file: install it as the master's <pki_dir>/accepted/NAME to
//     preseed the minion's acceptance.
//
// An existing NAME.key is kept (and must be a valid one); NAME.pub is then
// written only when missing, from the kept keys. name must be a valid id.
func GenKeys(dir, name string) (*Generated, error) {
	if err := ValidID(name); err != nil {
		return nil, err
	}
	if err := mkdir.All(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pki: gen_keys_dir %s: %w", dir, err)
	}
	g := &Generated{KeyPath: filepath.Join(dir, name+GenKeySuffix), PubPath: filepath.Join(dir, name+GenPubSuffix)}
	local, err := LoadLocalFile(g.KeyPath)
	switch {
	case err == nil:
		g.Local, g.Kept = local, true
	case errors.Is(err, ErrNotFound):
		if g.Local, err = newLocalFile(dir, name+GenKeySuffix); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w (remove it to generate new keys)", err)
	}
	pub := encodeKeyFile(name, g.Local.PubHex(), g.Local.VerHex())
	if err := writeAtomic(dir, name+GenPubSuffix, pub, genPubMode, false); err != nil && !errors.Is(err, errExists) {
		return nil, err
	}
	return g, nil
}

// newLocalFile writes fresh keys to dir/name as local.key is written; the
// file must not exist yet. When another process wrote it meanwhile, its
// keys are the ones loaded and returned.
func newLocalFile(dir, name string) (*Local, error) {
	signer, err := raet.GenerateSigner()
	if err != nil {
		return nil, fmt.Errorf("pki: generate signing key: %w", err)
	}
	privateer, err := raet.GeneratePrivateer()
	if err != nil {
		return nil, fmt.Errorf("pki: generate private key: %w", err)
	}
	data := encodeLocalFile(privateer.Hex(), signer.SeedHex())
	if err := writeAtomic(dir, name, data, localKeyMode, false); err != nil {
		if errors.Is(err, errExists) {
			return LoadLocalFile(filepath.Join(dir, name))
		}
		return nil, err
	}
	return &Local{Signer: signer, Privateer: privateer}, nil
}

// ReadKeyFile reads a remote's key file at path, as the master reads
// accepted/<id>: {minion_id, pub, verify}. It reads a NAME.pub written by
// GenKeys; the id is the file's minion_id field.
func ReadKeyFile(path string) (Key, error) {
	b, err := readSmall(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Key{}, fmt.Errorf("%w: %s: %w", ErrNotFound, path, err)
		}
		return Key{}, fmt.Errorf("pki: %s: %w", path, err)
	}
	k, err := decodeKeyFile(b)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %s: %v", ErrInvalidKey, path, err)
	}
	m, _ := decodeStringMap(b) // decoded above
	k.ID, _ = field(m, "minion_id")
	return k, nil
}

// Preseed places the public keys of id (pub and verify, hex) as its
// accepted key file, as key.gen_accept writes <pki_dir>/minions/<id>: an
// existing accepted key is replaced only when replace is set (else
// errExists, reported as ErrExists). It does not look at the other
// statuses, as Salt's gen_accept does not.
func (s *Store) Preseed(id, pub, verify string, replace bool) error {
	if err := ValidID(id); err != nil {
		return err
	}
	err := writeAtomic(s.statusDir(raet.Accepted), id, encodeKeyFile(id, pub, verify), keyFileMode, replace)
	if errors.Is(err, errExists) {
		return ErrExists
	}
	return err
}

// ErrExists says a key file Preseed would write is there already.
var ErrExists = errors.New("pki: the key file exists")
