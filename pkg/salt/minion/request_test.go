package minion

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/clock"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// answerTracks makes the fake master answer every request that came from
// a track share with answer(load), as the master's remote_cmd answers the
// file server's commands (the start events and _mine with true); nil
// answers nothing.
func (fm *fakeMaster) answerTracks(answer func(load body.Map) any) {
	fm.router.Handle(ShareRemoteCmd, func(msg route.Message) {
		fm.onRemoteCmd(msg)
		if msg.Route.Src.Share == "" || msg.Route.Src.Yard != "" { // not a track: returns come from a yard
			return
		}
		load, _ := msg.Body.Map("load")
		var ret any = true // the start events and the mine schedule of every start
		if cmd, _ := load.String("cmd"); cmd != protocol.CmdMinionEvent && cmd != protocol.CmdMine {
			ret = answer(load)
		}
		if ret == nil {
			return
		}
		if err := fm.router.Send(protocol.RemoteReply(masterEstate, msg.Route, ret)); err != nil {
			fm.t.Errorf("reply: %v", err)
		}
	})
}

type requestResult struct {
	ret any
	err error
}

func (r *running) request(load body.Map) chan requestResult {
	out := make(chan requestResult, 1)
	go func() {
		ret, err := r.m.Request(context.Background(), load)
		out <- requestResult{ret, err}
	}()
	return out
}

func waitResult(t *testing.T, ch chan requestResult) requestResult {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(deadline):
		t.Fatalf("the request did not end within %v", deadline)
	}
	return requestResult{}
}

// A request goes to the master's remote_cmd from a fresh 18-character
// track, with the minion's id in its load, and each requester gets the
// return the master gave to its own track.
func TestRequestGetsItsOwnReply(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	fm.answerTracks(func(load body.Map) any {
		p, _ := load.String("path")
		return body.Map{{Key: "hsum", Value: "hash of " + p}, {Key: "hash_type", Value: "sha256"}}
	})
	e := newEnv(t, fm.addr, "")
	r := e.start("127.0.0.1:0")
	fm.waitCmd("_pillar request", isCmd("_pillar"))

	paths := []string{"a.sls", "b.sls", "c/init.sls"}
	var chans []chan requestResult
	for _, p := range paths {
		chans = append(chans, r.request(body.Map{{Key: "cmd", Value: "_file_hash"}, {Key: "path", Value: p},
			{Key: "saltenv", Value: "base"}, {Key: "id", Value: "spoofed"}}))
	}
	for i, ch := range chans {
		res := waitResult(t, ch)
		if res.err != nil {
			t.Fatalf("request %s: %v", paths[i], res.err)
		}
		m, _ := res.ret.(body.Map)
		if h, _ := m.String("hsum"); h != "hash of "+paths[i] {
			t.Errorf("request %s got %v", paths[i], res.ret)
		}
	}
	msg := fm.waitCmd("_file_hash request", isCmd("_file_hash"))
	if len(msg.Route.Src.Share) != 18 || msg.Route.Src.Estate != "m1_minion" {
		t.Errorf("request route %v, want a source share of 18 characters", msg.Route)
	}
	if msg.Route.Dst != (route.Addr{Estate: masterEstate, Share: "remote_cmd"}) {
		t.Errorf("request destination %v", msg.Route.Dst)
	}
	if id, _ := loadOf(t, msg).String("id"); id != "m1" {
		t.Errorf("request id %q, want the minion id", id)
	}
	if n := r.m.Stats()["reply_unknown_track"]; n != 0 {
		t.Errorf("%d replies for unknown tracks", n)
	}
}

// A reply for a track no request waits on is counted and dropped.
func TestReplyForUnknownTrackIsCounted(t *testing.T) {
	t.Parallel()
	fm, e, r := startJoined(t)
	uid, _ := fm.stack.UID("m1_minion")
	req := route.Route{Src: route.Addr{Estate: "m1_minion", Share: "0123456789abcdef01"}}
	if err := fm.stack.Transmit(protocol.RemoteReply(masterEstate, req, true), uid, deadline).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stray reply counted", func() bool { return r.m.Stats()["reply_unknown_track"] == 1 })
	e.hook.wait(t, "no request waits for it", 1)
}

// Without a master allowed on the road a request fails at once.
func TestRequestWithoutMaster(t *testing.T) {
	t.Parallel()
	// A port nobody answers on.
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	t.Cleanup(func() { conn.Close() })
	e := newEnv(t, netipPort(uint16(port)), "")
	r := e.start("127.0.0.1:0")
	res := waitResult(t, r.request(body.Map{{Key: "cmd", Value: "_file_envs"}}))
	if !errors.Is(res.err, ErrNoMaster) {
		t.Fatalf("request without a master: %v, %v; want ErrNoMaster", res.ret, res.err)
	}
}

// A request the master never answers fails after the request timeout of
// the minion's clock, not before.
func TestRequestTimesOutOnTheFakeClock(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	fm.answerTracks(func(body.Map) any { return nil })
	e := newEnv(t, fm.addr, "")
	f := clock.NewFake()
	r := e.start("127.0.0.1:0", WithClock(f), WithRetryInterval(time.Hour))
	fm.waitCmd("_pillar request", isCmd("_pillar"))
	ch := r.request(body.Map{{Key: "cmd", Value: "_file_list"}})
	fm.waitCmd("_file_list request", isCmd("_file_list"))
	// The road's own transaction runs on the same fake clock: the master's
	// done must reach it before the clock jumps, or the message itself
	// times out (under the race detector it came after).
	waitFor(t, "the _file_list request's delivery", func() bool {
		for _, rm := range r.m.road.Meters() {
			if rm.Transactions > 0 {
				return false
			}
		}
		return true
	})
	at := f.Now().Add(DefaultRequestTimeout)
	waitPending(t, f, at)
	f.Advance(DefaultRequestTimeout - time.Millisecond)
	select {
	case res := <-ch:
		t.Fatalf("the request ended before its timeout: %v, %v", res.ret, res.err)
	default:
	}
	f.Advance(time.Millisecond)
	res := waitResult(t, ch)
	if !errors.Is(res.err, ErrRequestTimeout) {
		t.Fatalf("unanswered request: %v, %v; want ErrRequestTimeout", res.ret, res.err)
	}
}

// The cp module fetches over the minion's request channel: a job asks the
// master's file server through the road, and the file lands in the
// minion's cache in chunks of file_buffer_size.
func TestCpJobFetchesFromTheMaster(t *testing.T) {
	t.Parallel()
	files := fileclienttest.New(t)
	files.Chunk = 1000
	data := bytes.Repeat([]byte("0123456789"), 250)
	files.Write("base", "srv/app.conf", data)
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	fm.answerTracks(func(load body.Map) any {
		ret, _ := files.Request(context.Background(), load)
		return ret
	})
	e := newEnv(t, fm.addr, "")
	e.start("127.0.0.1:0")

	jid := newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "cp.cache_file", "salt://srv/app.conf"))
	want := filepath.Join(e.cfg.Cachedir, "files", "base", "srv", "app.conf")
	checkReturn(t, fm.waitReturn(jid), jid, "cp.cache_file", true, 0, []any{"salt://srv/app.conf"}, "")
	if got, err := os.ReadFile(want); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("cached %d bytes, %v; want %d", len(got), err, len(data))
	}
	if n := files.Count("_serve_file"); n != 4 {
		t.Errorf("%d _serve_file requests for 3 chunks, want 4", n)
	}

	jid = newJID()
	fm.publish("m1_minion", pubLoad(jid, "*", "glob", "cp.list_master"))
	ret := checkReturn(t, fm.waitReturn(jid), jid, "cp.list_master", true, 0, []any{}, "")
	if v := field(t, ret, "return"); !reflect.DeepEqual(v, []any{"srv/app.conf"}) {
		t.Errorf("cp.list_master returned %#v", v)
	}
}
