package minion

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// salt-call's requests go through the running minion's lane: from a track
// of a caller yard to the manor's remote_cmd, on to the master over the
// road as the minion's estate, and the master's answer back to that yard
// and track. The pillar the Caller loads is the master's.
func TestCallerThroughMinionLane(t *testing.T) {
	t.Parallel()
	fm, e, _ := startJoined(t)
	asked := make(chan route.Route, 8)
	fm.router.Handle(ShareRemoteCmd, func(msg route.Message) {
		fm.onRemoteCmd(msg)
		load, _ := msg.Body.Map("load")
		if cmd, _ := load.String("cmd"); cmd != protocol.CmdPillar || msg.Route.Src.Yard == "" {
			return // the minion's own
		}
		asked <- msg.Route
		fm.router.Send(protocol.RemoteReply(masterEstate, msg.Route, body.Map{{Key: "role", Value: "web"}})) //nolint:errcheck
	})
	l, err := DialMinion(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := NewCaller(e.cfg, e.log, l)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := c.LoadPillar(ctx); err != nil {
		t.Fatal(err)
	}
	if res := c.Executor().Run(ctx, "pillar.get", []any{"role"}, modules.CallerPub("pillar.get", newJID(), os.Getpid())); res.Return != "web" {
		t.Errorf("pillar.get role: %v", res.Return)
	}
	src := (<-asked).Src
	if src.Estate != "m1_minion" || !strings.HasPrefix(src.Yard, "caller") || len(src.Share) != 18 {
		t.Errorf("the request's source %v: want the minion's estate, the caller's yard and a track", src)
	}

	// A return goes the same way, with no answer to wait for.
	if err := l.Send(ctx, body.Map{{Key: "cmd", Value: "_return"}, {Key: "jid", Value: "req"}, {Key: "fun", Value: "test.ping"}}); err != nil {
		t.Fatal(err)
	}
	fm.waitCmd("the caller's return", isReturn("req"))
}

// With no minion running DialMinion says so, naming the socket.
func TestDialMinionWithoutMinion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, netipPort(1), "")
	_, err := DialMinion(e.cfg)
	if !errors.Is(err, ErrNoMinion) || !strings.Contains(err.Error(), "m1_minion.manor.uxd") {
		t.Errorf("DialMinion: %v", err)
	}
}

// Masterless, the minion answers itself: _pillar from its pillar_roots,
// the file server's commands from its file_roots; what only a master
// does is refused with ErrMasterless.
func TestLocalMaster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"salt/a.sls":        "x: 1\n",
		"pillar/top.sls":    "base:\n  'm1':\n    - p\n",
		"pillar/p.sls":      "os_seen: {{ grains['os'] }}\n",
		"etc/minion":        "id: m1\nroot_dir: " + dir + "\nfile_client: local\nfile_roots: {base: [" + dir + "/salt]}\npillar_roots: {base: [" + dir + "/pillar]}\n",
		"salt/sub/b.txt":    "b\n",
		"pillar/ignored.sl": "",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o700) //nolint:errcheck
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.LoadMinion(filepath.Join(dir, "etc"))
	if err != nil {
		t.Fatal(err)
	}
	lm, err := NewLocalMaster(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := lm.Request(ctx, protocol.PillarLoad("m1", map[string]any{"os": "Debian"}, "", "", nil))
	if err != nil || !reflect.DeepEqual(protocol.PlainMap(p.(body.Map)), map[string]any{"os_seen": "Debian"}) {
		t.Errorf("_pillar: %v %v", p, err)
	}
	files, err := lm.Request(ctx, body.Map{{Key: "cmd", Value: protocol.CmdFileList}, {Key: "saltenv", Value: "base"}, {Key: "prefix", Value: ""}})
	if err != nil || !reflect.DeepEqual(files, []any{"a.sls", "sub/b.txt"}) {
		t.Errorf("_file_list: %v %v", files, err)
	}
	if _, err := lm.Request(ctx, body.Map{{Key: "cmd", Value: protocol.CmdMineGet}}); !errors.Is(err, ErrMasterless) {
		t.Errorf("_mine_get: %v, want ErrMasterless", err)
	}
}
