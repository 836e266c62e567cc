package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/saltraet/saltraet/pkg/raet"
)

// LocalKeyFile is the name, under pki_dir, of the daemon's own long-term
// keys (spec/salt-raet.md 2.2).
const LocalKeyFile = "local.key"

// localKeyMode is the mode RaetKey.write_local gives local.key.
const localKeyMode = 0o400

// Local is this daemon's long-term key pair set: the Ed25519 signer that
// signs every road packet and the Curve25519 private key of its boxes.
type Local struct {
	Signer    *raet.Signer
	Privateer *raet.Privateer
}

// PubHex is the Curve25519 public key peers store as "pub".
func (l *Local) PubHex() string { return l.Privateer.PubHex() }

// VerHex is the Ed25519 verify key peers store as "verify".
func (l *Local) VerHex() string { return l.Signer.VerHex() }

// Fingerprint is the fingerprint a peer's salt-key shows for this daemon's
// key (Fingerprint over the public keys). Salt's salt-key -F tried to hash
// local.key itself, which has no pub or verify, and failed; defining the
// local fingerprint over the derived public keys is a deliberate deviation
// (spec/salt-raet.md 2.3) that lets an operator compare the two ends.
func (l *Local) Fingerprint() string { return Fingerprint(l.PubHex(), l.VerHex()) }

// LocalPath is the path of local.key.
func (s *Store) LocalPath() string { return filepath.Join(s.dir, LocalKeyFile) }

// LoadLocal reads local.key. A missing file is ErrNotFound; a file that is
// not {priv, sign} with 64 hex digits each is ErrInvalidKey naming it.
func (s *Store) LoadLocal() (*Local, error) { return LoadLocalFile(s.LocalPath()) }

// LoadLocalFile reads a file written as local.key ({priv, sign}) at path:
// local.key itself, or a NAME.key written by GenKeys. Its errors are those
// of LoadLocal.
func LoadLocalFile(path string) (*Local, error) {
	b, err := readSmall(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s: %w", ErrNotFound, path, err)
		}
		return nil, fmt.Errorf("pki: %s: %w", path, err)
	}
	priv, sign, err := decodeLocalFile(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidKey, path, err)
	}
	signer, err := raet.NewSigner([]byte(sign))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: sign: %v", ErrInvalidKey, path, err)
	}
	privateer, err := raet.NewPrivateer([]byte(priv))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: priv: %v", ErrInvalidKey, path, err)
	}
	return &Local{Signer: signer, Privateer: privateer}, nil
}

// LoadOrCreateLocal reads local.key, or on a daemon's first start creates
// it with fresh random keys, mode 0400, as SaltKeep does. A local.key that
// exists but cannot be read is an error and is never replaced: new keys
// would silently give the daemon a new identity that every peer then
// rejects. When two processes start at once, one creates the file and both
// use its keys.
func (s *Store) LoadOrCreateLocal() (*Local, error) {
	l, err := s.LoadLocal()
	if err == nil || !errors.Is(err, ErrNotFound) {
		return l, err
	}
	signer, err := raet.GenerateSigner()
	if err != nil {
		return nil, fmt.Errorf("pki: generate signing key: %w", err)
	}
	privateer, err := raet.GeneratePrivateer()
	if err != nil {
		return nil, fmt.Errorf("pki: generate private key: %w", err)
	}
	data := encodeLocalFile(privateer.Hex(), signer.SeedHex())
	if err := writeAtomic(s.dir, LocalKeyFile, data, localKeyMode, false); err != nil {
		if errors.Is(err, errExists) {
			return s.LoadLocal()
		}
		return nil, err
	}
	return &Local{Signer: signer, Privateer: privateer}, nil
}

// WriteLocalFile writes l to dir/local.key as LoadOrCreateLocal writes
// fresh keys, for a daemon whose keys are made elsewhere (the minion
// emulator derives them from the id); an existing file is kept and its
// keys are not compared.
func WriteLocalFile(dir string, l *Local) error {
	err := writeAtomic(dir, LocalKeyFile, encodeLocalFile(l.Privateer.Hex(), l.Signer.SeedHex()), localKeyMode, false)
	if errors.Is(err, errExists) {
		return nil
	}
	return err
}
