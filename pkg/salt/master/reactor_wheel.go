package master

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

// The wheel functions a reaction may call, the key wheel's: key.accept,
// key.reject, key.delete and key.list_all (salt/wheel/key.py), on the
// master's key store. Each key moved fires salt/key as salt.key.Key does.

// runWheel runs a wheel reaction (WheelClient.low), firing
// salt/wheel/<jid>/new and .../ret under the user Reactor.
func (r *reactor) runWheel(fun string, arg []any, kwarg body.Map) error {
	jid := r.m.opts.jids.Next()
	tag := "salt/wheel/" + jid
	data := body.Map{{Key: "fun", Value: "wheel." + fun}, {Key: "fun_args", Value: funArgs(arg, kwarg)},
		{Key: "jid", Value: jid}, {Key: "user", Value: ReactorUser}}
	r.m.ev.fire(tag+"/new", data)
	ret, err := r.m.wheel(fun, arg, kwarg)
	var result any = ret
	if err != nil {
		result = fmt.Sprintf("Exception occurred in wheel %s: %v", fun, err)
	}
	r.m.ev.fire(tag+"/ret", append(data[:len(data):len(data)],
		body.Item{Key: "return", Value: result}, body.Item{Key: "success", Value: err == nil}))
	return err
}

// wheel calls the key wheel's function fun. match is the first positional
// argument or the keyword match: a glob (comma-separated globs) or a list
// of them.
func (m *Master) wheel(fun string, arg []any, kwarg body.Map) (body.Map, error) {
	if fun == "key.list_all" {
		return m.wheelListAll()
	}
	var match any
	if len(arg) > 0 {
		match = arg[0]
	} else {
		match, _ = kwarg.Get("match")
	}
	glob, err := matchGlob(match)
	if err != nil {
		return nil, err
	}
	include := func(name string) bool { v, _ := kwarg.Bool(name); return v }
	switch fun {
	case "key.accept":
		from := []raet.Acceptance{raet.Pending}
		if include("include_rejected") {
			from = append(from, raet.Rejected)
		}
		return m.wheelMove(glob, protocol.KeyActAccept, raet.Accepted, from)
	case "key.reject":
		from := []raet.Acceptance{raet.Pending}
		if include("include_accepted") {
			from = append(from, raet.Accepted)
		}
		return m.wheelMove(glob, protocol.KeyActReject, raet.Rejected, from)
	case "key.delete":
		return m.wheelDelete(glob)
	}
	return nil, fmt.Errorf("'%s' is not available", fun)
}

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

// wheelMove moves the keys matching glob in the statuses from to "to",
// firing salt/key with act for each; it returns what Key.name_match says
// of the glob afterwards, as Salt's key wheel does.
func (m *Master) wheelMove(glob, act string, to raet.Acceptance, from []raet.Acceptance) (body.Map, error) {
	found, err := m.store.Match(glob, from...)
	if err != nil {
		return nil, err
	}
	moved := []string{}
	var errs []error
	for _, st := range from {
		for _, id := range found[st] {
			if err := m.store.Move(id, st, to); err != nil {
				errs = append(errs, err)
				continue
			}
			moved = append(moved, id)
			m.ev.fire(TagKey, protocol.KeyEventData(act, id, time.Now()))
		}
	}
	slices.Sort(moved)
	m.log.Infof("Key wheel: %s %v", act, moved)
	return m.nameMatch(glob, errors.Join(errs...))
}

// wheelDelete deletes every key of the ids matching glob.
func (m *Master) wheelDelete(glob string) (body.Map, error) {
	found, err := m.store.Match(glob)
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
		if err := m.store.Delete(id); err != nil && !errors.Is(err, pki.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, id)
		m.ev.fire(TagKey, protocol.KeyEventData(protocol.KeyActDelete, id, time.Now()))
	}
	m.log.Infof("Key wheel: delete %v", deleted)
	return m.nameMatch(glob, errors.Join(errs...))
}

// wheelListAll is key.list_all: every key by status, under Salt 3006's
// names, "local" the master's own key files (for RAET, local.key; Salt
// lists master.pem and master.pub).
func (m *Master) wheelListAll() (body.Map, error) {
	all, err := m.store.List()
	if err != nil {
		return nil, err
	}
	list := func(st raet.Acceptance) []string {
		ids := slices.Clone(all[st])
		slices.Sort(ids)
		if ids == nil {
			ids = []string{}
		}
		return ids
	}
	local := []string{}
	if _, err := os.Stat(m.store.LocalPath()); err == nil {
		local = append(local, filepath.Base(m.store.LocalPath()))
	}
	return body.Map{
		{Key: "local", Value: local},
		{Key: "minions", Value: list(raet.Accepted)},
		{Key: "minions_pre", Value: list(raet.Pending)},
		{Key: "minions_rejected", Value: list(raet.Rejected)},
		{Key: "minions_denied", Value: []string{}},
	}, nil
}

// keyDirs are Salt's names of the key statuses, in salt-key's order.
var keyDirs = []struct {
	st   raet.Acceptance
	name string
}{{raet.Accepted, "minions"}, {raet.Pending, "minions_pre"}, {raet.Rejected, "minions_rejected"}}

// nameMatch is Key.name_match: the keys glob matches now, by status, the
// statuses without one left out; err is passed on.
func (m *Master) nameMatch(glob string, err error) (body.Map, error) {
	found, merr := m.store.Match(glob)
	if merr != nil {
		return nil, errors.Join(err, merr)
	}
	out := body.Map{}
	for _, d := range keyDirs {
		if ids := found[d.st]; len(ids) > 0 {
			ids = slices.Clone(ids)
			slices.Sort(ids)
			out = append(out, body.Item{Key: d.name, Value: ids})
		}
	}
	return out, err
}
