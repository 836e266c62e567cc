package keep

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// LoadLocal loads the local estate and its keys, as RoadStack.restoreLocal
// reads them; a stack that finds one must use it over its own arguments
// (persisted identity wins).
//
// It returns nil, nil when local/estate is absent. When the estate file's
// field set is not exactly the one raet writes, the file is deleted as the
// reference does, and LoadLocal returns nil with a *FileError matching
// ErrCleared, so that the caller can say why the identity is new. A file that
// does not decode or has a wrongly typed value is left alone and reported as
// a *FileError matching ErrMalformed (the reference treats an undecodable
// estate file as absent and overwrites it, and crashes on the role file).
// The role file's own "role" field and any extra fields in it are ignored,
// as the reference ignores them; a missing role file gives empty keys.
func (k *Keep) LoadLocal() (*Local, error) {
	path := k.localPath()
	m, err := k.readMap(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !sameFieldSet(m, localFields, []string{"sighex", "prihex"}) {
		if err := removeFile(path); err != nil {
			return nil, err
		}
		return nil, &FileError{Path: path, Err: ErrCleared}
	}
	f := fields{path, m}
	l := &Local{Natted: f.raw("natted"), Dyned: f.raw("dyned")}
	if l.Name, err = f.str("name"); err != nil {
		return nil, err
	}
	if l.UID, err = f.u32("uid"); err != nil {
		return nil, err
	}
	if l.HA, err = f.ha("ha"); err != nil {
		return nil, err
	}
	if l.IHA, err = f.optHA("iha"); err != nil {
		return nil, err
	}
	if l.FQDN, err = f.str("fqdn"); err != nil {
		return nil, err
	}
	if l.SID, err = f.u32("sid"); err != nil {
		return nil, err
	}
	if l.PUID, err = f.u32("puid"); err != nil {
		return nil, err
	}
	if l.AHA, err = f.ha("aha"); err != nil {
		return nil, err
	}
	if l.Role, err = f.str("role"); err != nil {
		return nil, err
	}

	rolePath := k.localRolePath()
	rm, err := k.readMap(rolePath)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	rf := fields{rolePath, rm}
	if l.SigHex, err = rf.hexKey("sighex"); err != nil {
		return nil, err
	}
	if l.PriHex, err = rf.hexKey("prihex"); err != nil {
		return nil, err
	}
	return l, nil
}

// DumpLocal writes local/estate and then role/local/role, as
// RoadKeep.dumpLocal does. The role file holds the private keys and is
// written with mode 0600. Both keys must be 64 hex digits (raet.ErrKey
// otherwise): a keep without them would make the reference invent new ones.
func (k *Keep) DumpLocal(l *Local) error {
	if err := checkHexKey("sighex", l.SigHex); err != nil {
		return fmt.Errorf("keep: local: %w", err)
	}
	if err := checkHexKey("prihex", l.PriHex); err != nil {
		return fmt.Errorf("keep: local: %w", err)
	}
	for _, c := range []struct {
		what string
		ha   *HA
	}{{"ha", &l.HA}, {"iha", l.IHA}, {"aha", &l.AHA}} {
		if c.ha != nil {
			if err := checkHA("local "+c.what, *c.ha); err != nil {
				return err
			}
		}
	}
	estate := body.Map{
		{Key: "name", Value: l.Name},
		{Key: "uid", Value: int64(l.UID)},
		{Key: "ha", Value: haValue(l.HA)},
		{Key: "iha", Value: optHAValue(l.IHA)},
		{Key: "natted", Value: l.Natted},
		{Key: "fqdn", Value: l.FQDN},
		{Key: "dyned", Value: l.Dyned},
		{Key: "sid", Value: int64(l.SID)},
		{Key: "puid", Value: int64(l.PUID)},
		{Key: "aha", Value: haValue(l.AHA)},
		{Key: "role", Value: l.Role},
	}
	if err := k.writeFile(k.localPath(), estate, false); err != nil {
		return err
	}
	role := body.Map{
		{Key: "role", Value: l.Role},
		{Key: "sighex", Value: l.SigHex},
		{Key: "prihex", Value: l.PriHex},
	}
	return k.writeFile(k.localRolePath(), role, true)
}

// ClearLocal deletes the local estate file and the local role file, what a
// stack made with cleanlocal=True (or clean=True) starts from. The
// reference deletes only the estate file and then overwrites the role file
// with the new keys on its first dump; deleting both leaves the same keep
// without the old private keys lying about in between.
func (k *Keep) ClearLocal() error {
	if err := k.remove(k.localPath()); err != nil {
		return err
	}
	return k.remove(k.localRolePath())
}
