package keep

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// LoadRemotes loads every remote estate of the keep's kind, each merged
// with its role file's acceptance and keys, in file name order (the
// reference uses directory order), as RoadStack.restoreRemotes reads them.
//
// The remotes returned are usable even when err is not nil: err joins one
// *FileError per file that was not loaded. A remote estate file whose field
// set is not exactly the one raet writes is deleted, as the reference does,
// and reported with ErrCleared. A file that does not decode or has a wrongly
// typed value, and a remote whose role file is so, is left alone and
// reported with ErrMalformed (the reference crashes on most of these). A
// missing role file, or one lacking acceptance or keys, gives null values,
// as the reference's defaults do.
//
// A remote's Name is the one inside its file; like the reference, nothing
// checks that it matches the file name. Files of the other kind are
// ignored. The reference's loader reads both, letting whichever directory
// order gives last win, while it clears and writes only its own kind;
// reading one kind keeps load and clear in step.
func (k *Keep) LoadRemotes() ([]*Remote, error) {
	k.settle()
	paths, err := listNamed(k.remoteDir(), "estate", k.kind)
	if err != nil {
		return nil, err
	}
	var (
		remotes []*Remote
		errs    []error
	)
	roles := map[string]*Remote{} // role data already read, by role
	for _, path := range paths {
		r, err := k.loadRemote(path, roles)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the directory was listed
		}
		if err != nil {
			if errors.Is(err, ErrCleared) {
				if rerr := k.remove(path); rerr != nil {
					err = rerr
				}
			}
			errs = append(errs, err)
			continue
		}
		remotes = append(remotes, r)
	}
	return remotes, errors.Join(errs...)
}

func (k *Keep) loadRemote(path string, roles map[string]*Remote) (*Remote, error) {
	m, err := k.readMap(path)
	if err != nil {
		return nil, err
	}
	if !sameFieldSet(m, remoteFields, []string{"acceptance", "verhex", "pubhex"}) {
		return nil, &FileError{Path: path, Err: ErrCleared}
	}
	f := fields{path, m}
	r := &Remote{Natted: f.raw("natted"), Dyned: f.raw("dyned")}
	if r.Name, err = f.str("name"); err != nil {
		return nil, err
	}
	if err := checkName("name", r.Name); err != nil {
		return nil, f.bad("name", "%w", err)
	}
	if r.UID, err = f.u32("uid"); err != nil {
		return nil, err
	}
	if r.FUID, err = f.u32("fuid"); err != nil {
		return nil, err
	}
	if r.HA, err = f.ha("ha"); err != nil {
		return nil, err
	}
	if r.IHA, err = f.optHA("iha"); err != nil {
		return nil, err
	}
	if r.FQDN, err = f.str("fqdn"); err != nil {
		return nil, err
	}
	if r.SID, err = f.u32("sid"); err != nil {
		return nil, err
	}
	if r.Main, err = f.optBool("main"); err != nil {
		return nil, err
	}
	if r.Kind, err = f.integer("kind"); err != nil {
		return nil, err
	}
	if r.Joined, err = f.optBool("joined"); err != nil {
		return nil, err
	}
	if r.Role, err = f.str("role"); err != nil {
		return nil, err
	}
	if err := checkName("role", r.Role); err != nil {
		return nil, f.bad("role", "%w", err)
	}
	rd, ok := roles[r.Role]
	if !ok {
		rd = &Remote{}
		if rd.Acceptance, rd.VerHex, rd.PubHex, err = k.RoleAcceptance(r.Role); err != nil {
			return nil, err
		}
		roles[r.Role] = rd
	}
	r.Acceptance, r.VerHex, r.PubHex = rd.Acceptance, rd.VerHex, rd.PubHex
	return r, nil
}

// DumpRemote writes remote/estate.<name> and role/remote/role.<role>, as
// RoadKeep.dumpRemote does, with one safeguard the reference lacks: the role
// file is left as it is when r.Acceptance is rejected or the stored role is
// rejected. A rejection is recorded only by RejectRemote (an operator) and
// lifted only by StatusRole or AcceptRemote/PendRemote; the reference would
// let any routine dump of a remote it still holds as accepted undo an
// operator's rejection, or store keys it has just rejected. A role file that
// cannot be read is reported and left alone too, after the estate is written.
//
// The name and role must make plain file names (ErrBadName). A key is 64 hex
// digits, or "" for none (written as null).
func (k *Keep) DumpRemote(r *Remote) error {
	if err := checkName("name", r.Name); err != nil {
		return err
	}
	if err := checkName("role", r.Role); err != nil {
		return err
	}
	for _, c := range []struct{ field, v string }{{"verhex", r.VerHex}, {"pubhex", r.PubHex}} {
		if c.v != "" {
			if err := checkHexKey(c.field, c.v); err != nil {
				return fmt.Errorf("keep: remote %q: %w", r.Name, err)
			}
		}
	}
	if err := checkHA("remote ha", r.HA); err != nil {
		return err
	}
	if r.IHA != nil {
		if err := checkHA("remote iha", *r.IHA); err != nil {
			return err
		}
	}
	estate := body.Map{
		{Key: "name", Value: r.Name},
		{Key: "uid", Value: int64(r.UID)},
		{Key: "fuid", Value: int64(r.FUID)},
		{Key: "ha", Value: haValue(r.HA)},
		{Key: "iha", Value: optHAValue(r.IHA)},
		{Key: "natted", Value: r.Natted},
		{Key: "fqdn", Value: r.FQDN},
		{Key: "dyned", Value: r.Dyned},
		{Key: "sid", Value: int64(r.SID)},
		{Key: "main", Value: optBoolValue(r.Main)},
		{Key: "kind", Value: int64(r.Kind)},
		{Key: "joined", Value: optBoolValue(r.Joined)},
		{Key: "role", Value: r.Role},
	}
	if err := k.writeFile(k.remotePath(r.Name), estate, false); err != nil {
		return err
	}
	if r.Acceptance != nil && *r.Acceptance == raet.Rejected {
		return nil
	}
	k.roleMu.Lock()
	defer k.roleMu.Unlock()
	stored, _, _, err := k.RoleAcceptance(r.Role)
	if err != nil {
		return err
	}
	if stored != nil && *stored == raet.Rejected {
		return nil
	}
	return k.writeRole(r.Role, acceptanceValue(r.Acceptance), r.VerHex, r.PubHex)
}

// writeRole writes a remote role file with exactly the fields raet writes.
func (k *Keep) writeRole(role string, acceptance any, verhex, pubhex string) error {
	m := body.Map{
		{Key: "role", Value: role},
		{Key: "acceptance", Value: acceptance},
		{Key: "verhex", Value: hexValue(verhex)},
		{Key: "pubhex", Value: hexValue(pubhex)},
	}
	return k.writeFile(k.remoteRolePath(role), m, false)
}

// RemoveRemote deletes the remote's estate file, as the reference's
// removeRemote(clear=True) does. The role file stays: acceptance and keys
// belong to the role, which other estates may share and which is
// remembered if the estate joins again (RemoveRole forgets it).
func (k *Keep) RemoveRemote(r *Remote) error {
	if err := checkName("name", r.Name); err != nil {
		return err
	}
	return k.remove(k.remotePath(r.Name))
}

// RemoveRole deletes a remote role file, forgetting the role's acceptance
// and keys (the reference's clearRemoteRoleData).
func (k *Keep) RemoveRole(role string) error {
	if err := checkName("role", role); err != nil {
		return err
	}
	k.roleMu.Lock()
	defer k.roleMu.Unlock()
	return k.remove(k.remoteRolePath(role))
}

// ClearRemotes deletes every remote estate file, json and msgpack alike, as
// a stack made with cleanremote=True (or clean=True) does
// (clearAllRemoteData). Role files stay, so acceptances are remembered.
func (k *Keep) ClearRemotes() error {
	k.settle()
	return clearNamed(k.remoteDir(), "estate")
}

// Clear is the reference's clean=True: ClearLocal and ClearRemotes. Remote
// role files, with the acceptances of remote keys, stay.
func (k *Keep) Clear() error {
	return errors.Join(k.ClearLocal(), k.ClearRemotes())
}

// ClearAll deletes every keep file, remote role files included, as the
// reference's clearAllKeep(dirpath) does. The directories stay.
func (k *Keep) ClearAll() error {
	k.roleMu.Lock()
	defer k.roleMu.Unlock()
	err := errors.Join(k.ClearLocal(), k.ClearRemotes())
	k.settle()
	return errors.Join(err, clearNamed(k.remoteRoleDir(), "role"))
}

func clearNamed(dir, prefix string) error {
	paths, err := listNamed(dir, prefix, "")
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range paths {
		errs = append(errs, removeFile(p))
	}
	return errors.Join(errs...)
}
