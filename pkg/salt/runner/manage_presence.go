package runner

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// maxEstateFile bounds what is read of a road estate file; a real one is a
// few hundred bytes.
const maxEstateFile = 1 << 20

// presence asks the master for the estates in a RAET presence state and
// names them by minion id (the role of the estate), with their IP address,
// sorted by id.
func (e *Env) presence(ctx context.Context, state string) (body.Map, error) {
	cl, err := e.Client()
	if err != nil {
		return nil, err
	}
	estates, err := cl.Presence(ctx, state)
	if err != nil {
		return nil, err
	}
	roles := e.estateRoles()
	out := make(body.Map, 0, len(estates))
	for _, it := range estates {
		id, ok := roles[it.Key]
		if !ok {
			// an estate the keep does not hold yet: minions name theirs
			// <id>_minion (config.Minion.EstateName)
			id = strings.TrimSuffix(it.Key, "_minion")
		}
		out = append(out, body.Item{Key: id, Value: it.Value})
	}
	slices.SortFunc(out, func(a, b body.Item) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// estateRoles reads the master's road keep, <cachedir>/raet/<estate>/
// remote/estate.<name>.json, for the role (the minion id) of each remote
// estate name. Files that cannot be read are passed over: the estate is
// then named by its name.
func (e *Env) estateRoles() map[string]string {
	roles := map[string]string{}
	dir := filepath.Join(e.Opts.Cachedir, "raet", e.Opts.EstateName(), "remote")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return roles
	}
	for _, ent := range ents {
		name := ent.Name()
		if !strings.HasPrefix(name, "estate.") || filepath.Ext(name) != ".json" || !ent.Type().IsRegular() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var est struct{ Name, Role string }
		err = json.NewDecoder(io.LimitReader(f, maxEstateFile)).Decode(&est)
		f.Close()
		if err == nil && est.Name != "" && est.Role != "" {
			roles[est.Name] = est.Role
		}
	}
	return roles
}

// listState is manage.list_state for a presence state: the sorted ids, or
// {id: ip} with show_ip, of the minions in that state, within subset when
// one is given.
func (e *Env) listState(ctx context.Context, state string, subset any, showIP bool) (any, error) {
	present, err := e.presence(ctx, state)
	if err != nil {
		return nil, err
	}
	sub, hasSubset := subsetIDs(subset)
	out := body.Map{}
	ids := []string{}
	for _, it := range present {
		if hasSubset && !slices.Contains(sub, it.Key) {
			continue
		}
		out = append(out, it)
		ids = append(ids, it.Key)
	}
	if showIP {
		return out, nil
	}
	return ids, nil
}

// listNotState is manage.list_not_state for a presence state: the
// accepted minions not in that state, within subset when one is given.
func (e *Env) listNotState(ctx context.Context, state string, subset any) (any, error) {
	present, err := e.presence(ctx, state)
	if err != nil {
		return nil, err
	}
	keys, err := e.accepted()
	if err != nil {
		return nil, err
	}
	sub, hasSubset := subsetIDs(subset)
	out := []string{}
	for _, id := range keys {
		if _, in := present.Get(id); in || (hasSubset && !slices.Contains(sub, id)) {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// subsetIDs reads a subset argument: a list of ids, or one string of
// comma-separated ids as salt-run passes subset=a,b; false for None.
func subsetIDs(v any) ([]string, bool) {
	if v == nil {
		return nil, false
	}
	if s, ok := v.(string); ok {
		return strings.Split(s, ","), true
	}
	items, ok := py.ListItems(v)
	if !ok {
		return []string{py.Str(v)}, true
	}
	ids := make([]string, 0, len(items))
	for _, x := range items {
		ids = append(ids, py.Str(x))
	}
	return ids, true
}
