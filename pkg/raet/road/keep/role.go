package keep

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// RoleAcceptance reads role/remote/role.<role>: the role's stored acceptance
// (nil for null) and keys ("" for null). A missing file gives nil, "", ""
// and no error, as the reference's loadRemoteRoleData defaults do. A
// waiting join re-reads it to see whether an operator has accepted the keys.
func (k *Keep) RoleAcceptance(role string) (acceptance *raet.Acceptance, verhex, pubhex string, err error) {
	_, acceptance, verhex, pubhex, err = k.readRole(role)
	return acceptance, verhex, pubhex, err
}

// readRole is RoleAcceptance that also says whether the file exists.
func (k *Keep) readRole(role string) (exists bool, acceptance *raet.Acceptance, verhex, pubhex string, err error) {
	if err := checkName("role", role); err != nil {
		return false, nil, "", "", err
	}
	path := k.remoteRolePath(role)
	m, err := k.readMap(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil, "", "", nil
	}
	if err != nil {
		return true, nil, "", "", err
	}
	f := fields{path, m}
	if acceptance, err = f.acceptance("acceptance"); err != nil {
		return true, nil, "", "", err
	}
	if verhex, err = f.hexKey("verhex"); err != nil {
		return true, nil, "", "", err
	}
	if pubhex, err = f.hexKey("pubhex"); err != nil {
		return true, nil, "", "", err
	}
	return true, acceptance, verhex, pubhex, nil
}

// Verdict is the outcome of EvaluateRole.
type Verdict struct {
	Status raet.Acceptance  // what to do with the keys now
	Prior  *raet.Acceptance // the stored acceptance before; nil when none
	Reason string           // why the keys were rejected; "" unless Status is Rejected
	Wrote  bool             // the role file was written
}

// StatusRole is RoadKeep.statusRole(role, verhex, pubhex, dump=True): the
// acceptance of a role presenting these keys under the keep's auto mode,
// recorded in the role file when it is not a rejection. See EvaluateRole.
func (k *Keep) StatusRole(role, verhex, pubhex string) (raet.Acceptance, error) {
	v, err := k.EvaluateRole(role, verhex, pubhex, true)
	return v.Status, err
}

// EvaluateRole decides whether to accept the keys a remote of role presents
// (spec section 7), against the stored role file ("prior"):
//
//	auto     no prior  prior accepted        prior pending           prior rejected
//	always   accepted  accepted              accepted                accepted
//	once     accepted  accepted if same keys accepted if same keys   rejected
//	never    pending   accepted if same keys pending if same keys    rejected
//
// and rejected otherwise; keys are the same when both verhex and pubhex
// equal the stored ones (as strings, as the reference compares them).
//
// With dump, a result that is not rejected is recorded: changed keys and
// the new status are written to the role file when any of them differ. A
// rejected result never writes, so the stored keys and status survive a
// rejected impostor; only RejectRemote stores a rejection. As in the
// reference, a role file with fields beyond the four raet writes is never
// rewritten here.
//
// verhex and pubhex must be 64 hex digits (raet.ErrKey). A role file that
// cannot be read, or holds wrongly typed values, is an error and nothing is
// written: a caller should then refuse the keys.
func (k *Keep) EvaluateRole(role, verhex, pubhex string, dump bool) (Verdict, error) {
	if err := checkName("role", role); err != nil {
		return Verdict{Status: raet.Rejected}, err
	}
	for _, c := range []struct{ field, v string }{{"verhex", verhex}, {"pubhex", pubhex}} {
		if err := checkHexKey(c.field, c.v); err != nil {
			return Verdict{Status: raet.Rejected}, fmt.Errorf("keep: role %q: %w", role, err)
		}
	}
	k.roleMu.Lock()
	defer k.roleMu.Unlock()

	stored, err := k.loadRoleData(role)
	if err != nil {
		return Verdict{Status: raet.Rejected}, err
	}
	sameKeys := verhex == stored.verhex && pubhex == stored.pubhex
	status, reason, err := judgeRole(k.auto, stored.prior, sameKeys)
	if err != nil {
		return Verdict{Status: raet.Rejected}, err
	}
	v := Verdict{Status: status, Prior: stored.prior, Reason: reason}
	if !dump || v.Status == raet.Rejected {
		return v, nil
	}
	v.Wrote, err = k.recordRole(stored, verhex, pubhex, v.Status)
	return v, err
}

// roleData is a role file as EvaluateRole reads it.
type roleData struct {
	path           string
	data           body.Map // every field, for writing back
	prior          *raet.Acceptance
	verhex, pubhex string
}

// loadRoleData is the reference's loadRemoteRoleData: the four fields as
// null, role set to the role when there is no file, else the file's fields
// laid over them (extra ones appended).
func (k *Keep) loadRoleData(role string) (roleData, error) {
	rd := roleData{path: k.remoteRolePath(role)}
	rd.data = body.Map{{Key: "role", Value: nil}, {Key: "acceptance", Value: nil}, {Key: "verhex", Value: nil}, {Key: "pubhex", Value: nil}}
	m, err := k.readMap(rd.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rd.data.Set("role", role)
	case err != nil:
		return rd, err
	default:
		for _, it := range m {
			rd.data.Set(it.Key, it.Value)
		}
	}
	f := fields{rd.path, rd.data}
	if rd.prior, err = f.acceptance("acceptance"); err != nil {
		return rd, err
	}
	if rd.verhex, err = f.hexKey("verhex"); err != nil {
		return rd, err
	}
	rd.pubhex, err = f.hexKey("pubhex")
	return rd, err
}

// judgeRole is the table of EvaluateRole: the status of keys under an auto
// mode, given the stored acceptance and whether the keys are the stored
// ones, with the reason for a rejection. Auto once and never differ only in
// what a role not yet decided gets: accepted or pending.
func judgeRole(auto raet.AutoMode, prior *raet.Acceptance, sameKeys bool) (raet.Acceptance, string, error) {
	var mode string
	var undecided raet.Acceptance
	switch auto {
	case raet.AutoAlways:
		return raet.Accepted, "", nil
	case raet.AutoOnce:
		mode, undecided = "auto once", raet.Accepted // first time, or pending: accept once
	case raet.AutoNever:
		mode, undecided = "auto never", raet.Pending // wait for an operator
	default:
		return raet.Rejected, "", fmt.Errorf("keep: unrecognized auto mode %d", auto)
	}
	switch {
	case prior == nil:
		return undecided, "", nil
	case *prior == raet.Accepted && !sameKeys:
		return raet.Rejected, mode + ": keys differ from the accepted ones", nil
	case *prior == raet.Accepted:
		return raet.Accepted, "", nil
	case *prior == raet.Pending && !sameKeys:
		return raet.Rejected, mode + ": keys differ from the pending ones", nil
	case *prior == raet.Pending:
		return undecided, "", nil
	default:
		return raet.Rejected, mode + ": role already rejected", nil
	}
}

// recordRole writes the keys and status to the role file when any of them
// differ from what it holds, unless it has fields beyond the four raet
// writes. It reports whether it wrote.
func (k *Keep) recordRole(rd roleData, verhex, pubhex string, status raet.Acceptance) (bool, error) {
	dirty := false
	if verhex != rd.verhex {
		rd.data.Set("verhex", verhex)
		dirty = true
	}
	if pubhex != rd.pubhex {
		rd.data.Set("pubhex", pubhex)
		dirty = true
	}
	if rd.prior == nil || *rd.prior != status {
		rd.data.Set("acceptance", int64(status))
		dirty = true
	}
	if !dirty || len(rd.data) != len(remoteRoleFields) {
		return false, nil
	}
	if err := k.writeFile(rd.path, rd.data, false); err != nil {
		return false, err
	}
	return true, nil
}

// SetAcceptance records an operator's decision about a role's stored keys,
// rewriting role/remote/role.<role> with the new acceptance and the keys it
// holds (the reference's acceptRemote/pendRemote/rejectRemote, which write
// the keys of a remote held in memory). A role with no file has no keys to
// decide about: that is an error matching fs.ErrNotExist.
func (k *Keep) SetAcceptance(role string, a raet.Acceptance) error {
	if a > raet.Rejected {
		return fmt.Errorf("keep: acceptance %d is not pending, accepted or rejected", a)
	}
	k.roleMu.Lock()
	defer k.roleMu.Unlock()
	exists, _, verhex, pubhex, err := k.readRole(role)
	if err != nil {
		return err
	}
	if !exists {
		return &FileError{Path: k.remoteRolePath(role), Err: fmt.Errorf("no keys recorded for role %q: %w", role, fs.ErrNotExist)}
	}
	return k.writeRole(role, int64(a), verhex, pubhex)
}

// AcceptRemote accepts the keys stored for role.
func (k *Keep) AcceptRemote(role string) error { return k.SetAcceptance(role, raet.Accepted) }

// PendRemote sets the keys stored for role back to pending.
func (k *Keep) PendRemote(role string) error { return k.SetAcceptance(role, raet.Pending) }

// RejectRemote rejects the keys stored for role. This is the only way a
// rejection is stored.
func (k *Keep) RejectRemote(role string) error { return k.SetAcceptance(role, raet.Rejected) }
