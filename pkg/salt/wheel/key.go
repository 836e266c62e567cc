package wheel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// keyDirs are Salt's names of the key statuses, in salt-key's order.
var keyDirs = []struct {
	st   raet.Acceptance
	name string
}{{raet.Accepted, "minions"}, {raet.Pending, "minions_pre"}, {raet.Rejected, "minions_rejected"}}

// matchGlob reads key.*'s match: a glob (comma-separated globs) or a
// list of them, as Key.name_match takes it.
func matchGlob(match any) (string, error) {
	switch v := match.(type) {
	case string:
		if v != "" {
			return v, nil
		}
	case []any:
		var globs []string
		for _, g := range v {
			s, ok := g.(string)
			if !ok {
				return "", fmt.Errorf("match %v is not a list of globs", v)
			}
			globs = append(globs, s)
		}
		if len(globs) > 0 {
			return strings.Join(globs, ","), nil
		}
	}
	return "", errors.New("no match was given (a minion id glob)")
}

func (w *Wheel) accept(a args) (any, error) {
	return w.decide(a, protocol.KeyActAccept, raet.Accepted, "include_rejected", raet.Rejected)
}

func (w *Wheel) reject(a args) (any, error) {
	return w.decide(a, protocol.KeyActReject, raet.Rejected, "include_accepted", raet.Accepted)
}

// decide moves the pending keys a's match names to status to, and those
// of status also too when a's flag include says so (key.accept's
// include_rejected, key.reject's include_accepted).
func (w *Wheel) decide(a args, act string, to raet.Acceptance, include string, also raet.Acceptance) (any, error) {
	glob, err := matchGlob(a["match"])
	if err != nil {
		return nil, err
	}
	from := []raet.Acceptance{raet.Pending}
	if a.flag(include) {
		from = append(from, also)
	}
	return w.move(glob, act, to, from)
}

// move moves the keys matching glob in the statuses from to "to",
// firing salt/key with act for each; it returns what Key.name_match says
// of the glob afterwards, as Salt's key wheel does.
func (w *Wheel) move(glob, act string, to raet.Acceptance, from []raet.Acceptance) (body.Map, error) {
	found, err := w.store.Match(glob, from...)
	if err != nil {
		return nil, err
	}
	moved := []string{}
	var errs []error
	for _, st := range from {
		for _, id := range found[st] {
			if err := w.store.Move(id, st, to); err != nil {
				errs = append(errs, err)
				continue
			}
			moved = append(moved, id)
			w.fire(protocol.TagKey, protocol.KeyEventData(act, id, time.Now()))
		}
	}
	slices.Sort(moved)
	w.log.Infof("Key wheel: %s %v", act, moved)
	return w.nameMatch(glob, errors.Join(errs...))
}

// delete deletes every key of the ids matching glob.
func (w *Wheel) delete(a args) (any, error) {
	glob, err := matchGlob(a["match"])
	if err != nil {
		return nil, err
	}
	found, err := w.store.Match(glob)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, list := range found {
		for _, id := range list {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	deleted := []string{}
	var errs []error
	for _, id := range ids {
		if err := w.store.Delete(id); err != nil && !errors.Is(err, pki.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, id)
		w.fire(protocol.TagKey, protocol.KeyEventData(protocol.KeyActDelete, id, time.Now()))
	}
	w.log.Infof("Key wheel: delete %v", deleted)
	return w.nameMatch(glob, errors.Join(errs...))
}

// sortedIDs returns the ids of a status sorted, never nil (Salt lists
// an empty status as []).
func sortedIDs(ids []string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if ids == nil {
		ids = []string{}
	}
	return ids
}

// listAll is key.list_all: every key by status, under Salt 3006's names,
// "local" the master's own key files (for RAET, local.key; Salt lists
// master.pem and master.pub).
func (w *Wheel) listAll() (body.Map, error) {
	all, err := w.store.List()
	if err != nil {
		return nil, err
	}
	local := []string{}
	if _, err := os.Stat(w.store.LocalPath()); err == nil {
		local = append(local, filepath.Base(w.store.LocalPath()))
	}
	// In the order real salt-api printed them (salt.key.Key.list_all).
	return body.Map{
		{Key: "minions", Value: sortedIDs(all[raet.Accepted])},
		{Key: "minions_pre", Value: sortedIDs(all[raet.Pending])},
		{Key: "minions_rejected", Value: sortedIDs(all[raet.Rejected])},
		{Key: "minions_denied", Value: []string{}},
		{Key: "local", Value: local},
	}, nil
}

// listStatus is key.list (Key.list_status): the keys of the status
// match starts with ("acc", "pre" or "un", "rej", "den"), or all of them
// for "all"; any other match is an empty mapping.
func (w *Wheel) listStatus(match string) (body.Map, error) {
	if strings.HasPrefix(match, "all") {
		return w.listAll()
	}
	var st raet.Acceptance
	name := ""
	switch {
	case strings.HasPrefix(match, "acc"):
		st, name = raet.Accepted, "minions"
	case strings.HasPrefix(match, "pre"), strings.HasPrefix(match, "un"):
		st, name = raet.Pending, "minions_pre"
	case strings.HasPrefix(match, "rej"):
		st, name = raet.Rejected, "minions_rejected"
	case strings.HasPrefix(match, "den"):
		return body.Map{{Key: "minions_denied", Value: []string{}}}, nil
	default:
		return body.Map{}, nil
	}
	ids, err := w.store.ListStatus(st)
	if err != nil {
		return nil, err
	}
	return body.Map{{Key: name, Value: sortedIDs(ids)}}, nil
}

// nameMatch is Key.name_match: the keys glob matches now, by status, the
// statuses without one left out; err is passed on.
func (w *Wheel) nameMatch(glob string, err error) (body.Map, error) {
	found, merr := w.store.Match(glob)
	if merr != nil {
		return nil, errors.Join(err, merr)
	}
	out := body.Map{}
	for _, d := range keyDirs {
		if ids := found[d.st]; len(ids) > 0 {
			out = append(out, body.Item{Key: d.name, Value: sortedIDs(ids)})
		}
	}
	return out, err
}

// finger is key.finger (Key.finger): the fingerprints of the keys match
// selects, by status, and of the master's own key under "local" when the
// glob matches local.key, as salt-key -f shows them. RAET's fingerprint is
// over the public keys whatever hash_type says.
func (w *Wheel) finger(a args) (any, error) {
	glob, err := matchGlob(a["match"])
	if err != nil {
		return nil, err
	}
	found, err := w.store.Match(glob)
	if err != nil {
		return nil, err
	}
	out := body.Map{}
	for _, d := range keyDirs {
		fps := body.Map{}
		for _, id := range sortedIDs(found[d.st]) {
			key, err := w.store.Read(id, d.st)
			if err != nil {
				return nil, err
			}
			fps = append(fps, body.Item{Key: id, Value: pki.ColonHex(key.Fingerprint())})
		}
		if len(fps) > 0 {
			out = append(out, body.Item{Key: d.name, Value: fps})
		}
	}
	if pki.NameMatch(pki.LocalKeyFile, glob) {
		if local, err := w.store.LoadLocal(); err == nil {
			out = append(out, body.Item{Key: "local", Value: body.Map{{Key: pki.LocalKeyFile, Value: pki.ColonHex(local.Fingerprint())}}})
		}
	}
	return out, nil
}
