package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// fakeMinion is the manor yard of a minion web1 in the host's sock_dir:
// it answers _pillar with a pillar of its own (as if from the master) when
// answer is set, and hands every request it gets to the test.
type fakeMinion struct {
	yard *lane.Stack
	got  chan lane.Received
}

func startFakeMinion(t *testing.T, h *host, answer bool) *fakeMinion {
	t.Helper()
	sock := filepath.Join(h.root, "var", "run", "salt", "minion")
	y, err := lane.NewStack(lane.Config{Name: protocol.YardManor, Lane: "web1_minion", Dir: sock, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeMinion{yard: y, got: make(chan lane.Received, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	go y.Run(ctx) //nolint:errcheck
	t.Cleanup(func() { cancel(); <-y.Stopped() })
	go func() {
		for rx := range y.Receive() {
			f.got <- rx
			load, cmd, _ := protocol.Load(rx.Body)
			if !answer || cmd != protocol.CmdPillar {
				continue
			}
			rt, _ := route.ParseRoute(rx.Body)
			reply := protocol.RemoteReply("saltmaster", route.Route{Src: route.Addr{Yard: rx.From, Share: rt.Src.Share}},
				body.Map{{Key: "from_master", Value: true}, {Key: "asked_by", Value: str(load, "id")}})
			y.Transmit(reply, rx.From)
		}
	}()
	return f
}

// str is a string of a load, "" when it has none.
func str(m body.Map, key string) string { s, _ := m.String(key); return s }

// next is the next request the minion got, within a generous deadline.
func (f *fakeMinion) next(t *testing.T) (route.Route, body.Map) {
	t.Helper()
	select {
	case rx := <-f.got:
		rt, err := route.ParseRoute(rx.Body)
		if err != nil {
			t.Fatal(err)
		}
		load, _, _ := protocol.Load(rx.Body)
		return rt, load
	case <-time.After(30 * time.Second):
		t.Fatal("no request reached the minion's manor yard")
	}
	return route.Route{}, nil
}

// Without --local the pillar comes from the master through the minion's
// lane: a _pillar request to the manor's remote_cmd from a track of the
// caller's yard, answered there; the return then goes to the master as
// the minion's own job (jid "req").
func TestThroughMinionLane(t *testing.T) {
	h := newHost(t, "")
	f := startFakeMinion(t, h, true)
	h.call("pillar.items").want(t, "pillar.items", 0,
		"local:\n    ----------\n    asked_by:\n        web1\n    from_master:\n        True\n")
	rt, load := f.next(t)
	if rt.Dst.Share != protocol.ShareRemoteCmd || rt.Src.Share == "" || str(load, "cmd") != protocol.CmdPillar {
		t.Errorf("the pillar request: route %v, load %v", rt, load)
	}
	rt, load = f.next(t)
	if str(load, "cmd") == protocol.CmdPillar { // pillar.items compiles a fresh one, as Salt's
		rt, load = f.next(t)
	}
	if rt.Dst.Share != protocol.ShareRemoteCmd || str(load, "cmd") != "_return" || str(load, "jid") != "req" ||
		str(load, "fun") != "pillar.items" {
		t.Errorf("the return to the master: route %v, load %v", rt, load)
	}

	// --no-return-event: the pillar requests, and nothing after them.
	h.call("--no-return-event", "test.ping").want(t, "--no-return-event", 0, "local:\n    True\n")
	if _, load := f.next(t); str(load, "cmd") != protocol.CmdPillar {
		t.Errorf("--no-return-event: first request %v", load)
	}
	h.call("test.true").want(t, "test.true", 0, "local:\n    True\n")
	for range 2 {
		if _, load := f.next(t); str(load, "cmd") == "_return" && str(load, "fun") != "test.true" {
			t.Errorf("--no-return-event: a return of %s went to the master", str(load, "fun"))
		}
	}
}

// No minion running, or a master that does not answer within -t: Salt's
// "Unable to sign_in to master: ..." on stderr, exit 1, as Salt 3006.3's
// salt-call whose master does not answer.
func TestNoMaster(t *testing.T) {
	h := newHost(t, "")
	r := h.call("test.ping")
	if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "Unable to sign_in to master: the salt minion cannot be reached: no socket ") {
		t.Errorf("no minion: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	startFakeMinion(t, h, false)
	r = h.call("-t", "1", "test.ping")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "no answer from the master within 1s") ||
		!strings.HasSuffix(r.stderr, "\nUnable to sign_in to master: Attempt to authenticate with the salt master failed with timeout error\n") {
		t.Errorf("no answer: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// Command lines salt-call refuses, as its option parser does (64).
func TestUsage(t *testing.T) {
	h := newHost(t, "")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "Requires function, --grains or --doc"},
		{[]string{"-g", "test.ping"}, "-g/--grains does not accept any arguments"},
		{[]string{"-d", "test.ping", "test.echo"}, "You can only get documentation for one method at one time"},
		{[]string{"-l", "bogus", "test.ping"}, "option -l: invalid choice: 'bogus'"},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
	} {
		r := h.call(tc.args...)
		if r.code != 64 || !strings.Contains(r.stderr, "Usage: salt-call-raet [options] <function> [arguments]\n\nsalt-call-raet: error: "+tc.msg) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// -d prints the docstrings of the functions its argument starts; --out
// with an outputter Salt does not have falls back to nested, as
// salt-call's does.
func TestDocAndUnknownOutputter(t *testing.T) {
	h := newHost(t, "")
	// As Salt 3006.3 prints it: the docstring as written, markup and all.
	h.call("--local", "-d", "test.ping").want(t, "-d test.ping", 0, "test.ping:\n\n"+
		"    Used to make sure the minion is up and responding. Not an ICMP ping.\n\n    Returns ``True``.\n\n"+
		"    CLI Example:\n\n    .. code-block:: bash\n\n        salt '*' test.ping\n    \n\n")
	r := h.call("--local", "-d", "test.")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "test.arg:\n") || !strings.Contains(r.stdout, "\ntest.ping:\n") || strings.Contains(r.stdout, "sys.doc") {
		t.Errorf("-d test.: exit %d\n%s", r.code, r.stdout)
	}
	r = h.call("--local", "--out", "foo", "test.ping")
	if r.code != 0 || r.stdout != "local:\n    True\n" || !strings.Contains(r.stderr, "[ERROR   ] Invalid outputter foo specified, fall back to nested") {
		t.Errorf("--out foo: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}
