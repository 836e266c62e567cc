package minion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/fileserver"
	"github.com/saltraet/saltraet/pkg/salt/pillar"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// ErrMasterless is why a request that only a master answers (an event
// for the master's bus, the mine on the master) fails under file_client:
// local.
var ErrMasterless = errors.New("file_client is local: there is no master to ask")

// LocalMaster answers the minion's requests on its own host, as Salt's
// masterless minion does (file_client: local): the file server's commands
// from the minion's file_roots (Salt's FSClient runs the master's file
// server in process), _pillar compiled from its pillar_roots. Each load
// and answer goes through msgpack, so the file client and the pillar see
// what they would have read off the road.
type LocalMaster struct {
	id     string
	files  *fileserver.Server
	pillar *pillar.Compiler
}

// NewLocalMaster is the minion's own file server and pillar compiler, from
// the file_roots, pillar_roots and the options of the same names in its
// configuration. A bad option is reported where it was set.
func NewLocalMaster(cfg *config.Minion, log logrus.FieldLogger) (*LocalMaster, error) {
	o := cfg.FileOptions()
	files, err := fileserver.New(fileserver.Options{
		Roots: cfg.FileRoots, Backends: []string{"roots"}, HashType: cfg.HashType,
		BufferSize: o.FileBufferSize, IgnoreRegex: o.FileIgnoreRegex, IgnoreGlob: o.FileIgnoreGlob,
		TopFileMergingStrategy: o.TopFileMergingStrategy, Log: log,
	})
	if err != nil {
		key, msg, _ := strings.Cut(err.Error(), ": ")
		return nil, cfg.Errorf(key, "%s", msg)
	}
	comp := pillar.New(pillar.Options{
		Roots: o.PillarRoots, SourceMergingStrategy: o.PillarSourceMergingStrategy,
		MergeLists: o.PillarMergeLists, Renderer: o.Renderer, Nodegroups: o.Nodegroups,
		Opts: cfg.Raw, Log: log,
	})
	return &LocalMaster{id: cfg.ID, files: files, pillar: comp}, nil
}

// Request answers a load as the master would.
func (l *LocalMaster) Request(ctx context.Context, load body.Map) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	load, err := throughMsgpack(load)
	if err != nil {
		return nil, err
	}
	cmd, _ := load.String("cmd")
	var ret any
	switch cmd {
	case protocol.CmdPillar:
		ret, err = l.compilePillar(load)
		if err != nil {
			return nil, err
		}
	default:
		load.Set("id", l.id)
		var ok bool
		if ret, ok = l.files.Serve(cmd, load); !ok {
			return nil, fmt.Errorf("%s: %w", cmd, ErrMasterless)
		}
	}
	return throughMsgpack(ret)
}

// compilePillar is RemoteFuncs._pillar on the minion's own pillar_roots.
func (l *LocalMaster) compilePillar(load body.Map) (map[string]any, error) {
	grains, ok := protocol.PillarGrains(load)
	if !ok {
		return nil, errors.New("_pillar: grains is not a mapping")
	}
	g := protocol.PlainMap(grains)
	g["id"] = l.id
	saltenv, _ := load.String("saltenv")
	pillarenv, _ := load.String("pillarenv")
	var override map[string]any
	if v, ok := load.Map("pillar_override"); ok {
		override = protocol.PlainMap(v)
	}
	p := l.pillar.Compile(l.id, g, saltenv, pillarenv, override)
	if p == nil {
		p = map[string]any{}
	}
	return p, nil
}

// throughMsgpack is v as the other end of the road would read it.
func throughMsgpack[T any](v T) (T, error) {
	var zero T
	b, err := body.AppendMsgpack(nil, v)
	if err != nil {
		return zero, err
	}
	out, err := body.DecodeMsgpack(b)
	if err != nil {
		return zero, err
	}
	if out == nil {
		return zero, nil
	}
	t, ok := out.(T)
	if !ok {
		return zero, fmt.Errorf("msgpack: %T came back a %T", v, out)
	}
	return t, nil
}
