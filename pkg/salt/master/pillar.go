package master

import (
	"errors"
	"path/filepath"
	"time"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pillar"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/sirupsen/logrus"
)

// pillarTimeout bounds the delivery of a pillar reply.
const pillarTimeout = 30 * time.Second

// PillarFunc compiles the pillar of one minion from its grains, the
// environments it asked for ("" for none) and the pillar= override of a
// command line (nil for none); it is pillar.Compiler.Compile. Errors are
// part of the pillar, in its "_errors" list, as Salt returns them.
type PillarFunc func(id string, grains map[string]any, saltenv, pillarenv string, override map[string]any) map[string]any

// WithPillar sets the function that compiles pillars; without it they are
// compiled from the configuration's pillar_roots (newPillarCompiler).
func WithPillar(f PillarFunc) Option { return func(o *options) { o.pillar = f } }

// pillarLoad is what a _pillar load asks for.
type pillarLoad struct {
	grains             body.Map
	saltenv, pillarenv string
	override           map[string]any
}

// handlePillar is RemoteFuncs._pillar for the minion id (the role of the
// estate that signed the request, never the load's id): the pillar is
// compiled for it on this worker, kept with its grains in
// <cachedir>/minions/<id>/data.p (when minion_data_cache) for targeting,
// and sent back. A request with a track (src share) is answered there with
// the pillar; the older form without one gets an empty pillar, as before.
// Pillar values are never logged.
func (m *Master) handlePillar(id string, rs road.RemoteState, req route.Route, load body.Map) {
	pl, ok := m.readPillarLoad(id, load)
	if !ok {
		return
	}
	pl.grains.Set("id", id) // as RemoteFuncs._pillar sets load["grains"]["id"]
	pillar := m.compilePillar(id, pl)
	if m.cfg.MinionDataCache {
		if err := m.saveData(id, pl.grains, pillar); err != nil {
			m.stats.Add("cache_error")
			m.log.Errorf("Minion data cache of %s: %v", id, err)
		} else {
			m.dataCacheRefreshed(id)
		}
	}
	m.stats.Add("pillar")
	reply := protocol.PillarReply(m.estate, rs.Name)
	if req.Src.Share != "" {
		reply = protocol.RemoteReply(m.estate, req, pillar)
	}
	m.log.Debugf("Pillar of %s compiled (%d top-level keys)", id, len(pillar))
	d := m.road.Transmit(reply, rs.UID, pillarTimeout)
	m.watchers.Add(1)
	go func() {
		defer m.watchers.Done()
		if err := d.Err(); err != nil && !errors.Is(err, road.ErrStopped) {
			m.stats.Add("pillar_reply_undelivered")
			m.log.Warnf("Pillar reply to %s (estate %s) was not delivered: %v", id, rs.Name, err)
		}
	}()
}

// readPillarLoad reads a _pillar load; false (counted and logged) when its
// grains are not a mapping. An override that is not a mapping is ignored,
// as Salt's Pillar ignores one that is not a dict.
func (m *Master) readPillarLoad(id string, load body.Map) (pillarLoad, bool) {
	grains, ok := protocol.PillarGrains(load)
	if !ok {
		v, _ := load.Get("grains")
		m.refuse("bad_load", "Dropped a pillar request from %s: grains is a %T, not a mapping", id, v)
		return pillarLoad{}, false
	}
	pl := pillarLoad{grains: append(body.Map(nil), grains...)}
	pl.saltenv, _ = load.String("saltenv")
	if pl.saltenv == "" {
		pl.saltenv, _ = load.String("env") // the pre-2016.11 name, as _pillar reads it
	}
	pl.pillarenv, _ = load.String("pillarenv")
	if v, ok := load.Get("pillar_override"); ok && v != nil {
		if o, ok := v.(body.Map); ok {
			pl.override = protocol.PlainMap(o)
		} else {
			m.log.Warnf("Pillar request from %s: pillar_override is a %T, not a mapping; ignored", id, v)
		}
	}
	return pl, true
}

// compilePillar runs the pillar function; an empty pillar without one.
func (m *Master) compilePillar(id string, pl pillarLoad) map[string]any {
	if m.opts.pillar == nil {
		return map[string]any{}
	}
	p := m.opts.pillar(id, protocol.PlainMap(pl.grains), pl.saltenv, pl.pillarenv, pl.override)
	if p == nil {
		p = map[string]any{}
	}
	return p
}

// saveData writes <cachedir>/minions/<id>/data.p = {"grains": ...,
// "pillar": ...}, msgpack as Salt's localfs cache keeps it; the one writer
// of the file.
func (m *Master) saveData(id string, grains body.Map, pillar map[string]any) error {
	if err := job.ValidID(id); err != nil {
		return err
	}
	data, err := body.AppendMsgpack(nil, body.Map{
		{Key: "grains", Value: grains},
		{Key: "pillar", Value: pillar},
	})
	if err != nil {
		return err
	}
	dir := filepath.Join(m.cfg.Cachedir, "minions", id)
	if err := mkdir.All(dir, 0o700); err != nil {
		return err
	}
	return fsutil.WriteFile(dir, DataFile, data, fsutil.WriteOptions{Mode: 0o600, TempPrefix: ".data-tmp-"})
}

// newPillarCompiler is the pillar compiler of the configuration: its
// pillar_roots, merging options, renderer and nodegroups, with the master's
// options as the templates' opts, as Salt's master compiles pillar.
func newPillarCompiler(cfg *config.Master, log logrus.FieldLogger) *pillar.Compiler {
	o := cfg.FileOptions()
	return pillar.New(pillar.Options{
		Roots: o.PillarRoots, SourceMergingStrategy: o.PillarSourceMergingStrategy,
		MergeLists: o.PillarMergeLists, Renderer: o.Renderer, Nodegroups: o.Nodegroups,
		Opts: cfg.Raw, Log: log,
	})
}
