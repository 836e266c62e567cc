package lane

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/internal/testvectors/jsonview"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// sockDir is a short temp dir: a Unix socket path holds at most 107 bytes,
// and t.TempDir's paths carry the test's name.
func sockDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "lane")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// running is a lane stack with Run going until the test ends.
func running(t testing.TB, cfg Config) *Stack {
	t.Helper()
	s, err := NewStack(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go s.Run(ctx)
	t.Cleanup(func() {
		cancel()
		<-s.Stopped()
	})
	return s
}

// next waits for the next message a stack receives.
func next(t testing.TB, s *Stack) Received {
	t.Helper()
	select {
	case m := <-s.Receive():
		return m
	case <-time.After(30 * time.Second):
		t.Fatalf("%s received nothing within 30 s (stats %v)", s.Name(), s.Stats())
		return Received{}
	}
}

func TestLaneBothWays(t *testing.T) {
	for _, pk := range []raet.PackKind{raet.PackJSON, raet.PackMsgpack} {
		t.Run(pk.String(), func(t *testing.T) {
			dir := sockDir(t)
			a := running(t, Config{Name: "alpha", Lane: "interop", Dir: dir, PackKind: pk})
			b := running(t, Config{Name: "beta", Lane: "interop", Dir: dir, PackKind: pk})
			if a.Addr() != dir+"/interop.alpha.uxd" {
				t.Fatalf("alpha at %s", a.Addr())
			}
			fi, err := os.Stat(a.Addr())
			if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
				t.Fatalf("socket file %v: %v", fi.Mode(), err)
			}
			m := body.Map{{Key: "route", Value: body.Map{{Key: "src", Value: []any{"e", "alpha", nil}}}}, {Key: "n", Value: int64(1)}}
			if err := a.Transmit(m, "beta").Err(); err != nil {
				t.Fatal(err)
			}
			got := next(t, b)
			if got.From != "alpha" || fmt.Sprint(got.Body) != fmt.Sprint(m) {
				t.Fatalf("beta got %v from %s", got.Body, got.From)
			}
			// beta took alpha as a yard from its first page, and answers it.
			if b.Yards()["alpha"] != a.Addr() {
				t.Fatalf("beta's yards %v", b.Yards())
			}
			if err := b.Transmit(body.Map{{Key: "back", Value: true}}, "alpha").Err(); err != nil {
				t.Fatal(err)
			}
			if got := next(t, a); got.From != "beta" {
				t.Fatalf("alpha got %v", got)
			}
		})
	}
}

func TestLaneYardGone(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir})
	err := a.Transmit(body.Map{{Key: "x", Value: 1}}, "nobody").Err()
	if !errors.Is(err, ErrGone) {
		t.Fatalf("send to nobody: %v", err)
	}
	if _, ok := a.Yards()["nobody"]; ok {
		t.Fatal("a gone yard is still known")
	}
}

// The reference's pages, sent from a socket bound where its yard alpha
// was, reach a Go yard beta on lane interop as the bodies the reference
// received; and a Go yard sends the same bytes for the same body, session
// and book id.
func TestLaneStackVectors(t *testing.T) {
	for _, name := range []string{"single-json", "single-msgpack", "single-msgpack-bin", "empty-json", "book-json", "book-msgpack"} {
		t.Run(name, func(t *testing.T) {
			v := testvectors.LaneVector(t, name)
			dir := sockDir(t)
			beta := running(t, Config{Name: "beta", Lane: "interop", Dir: dir})
			alpha, err := ListenUXD(HA(dir, "interop", "alpha"), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer alpha.Close()
			for _, pg := range v.Pages {
				if err := alpha.WriteTo(testvectors.Hex(t, pg.Hex), beta.Addr()); err != nil {
					t.Fatal(err)
				}
			}
			got := next(t, beta)
			var want any
			if err := json.Unmarshal(v.Body, &want); err != nil {
				t.Fatal(err)
			}
			if got.From != "alpha" || !reflect.DeepEqual(jsonview.Of(got.Body), want) {
				t.Fatalf("received from %q:\n %.300v\nwant %.300v", got.From, jsonview.Of(got.Body), want)
			}

			// Back the other way: a Go yard alpha with the capture's session
			// and book id sends the body to a socket where beta was.
			alpha.Close()
			beta2, err := ListenUXD(HA(dir, "interop", "beta2"), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer beta2.Close()
			pk := raet.PackKind(v.PackKind.Value)
			goAlpha := running(t, Config{Name: "alpha", Lane: "interop", Dir: dir, PackKind: pk})
			h, _, _ := ParsePage(testvectors.Hex(t, v.Pages[0].Hex))
			goAlpha.mu.Lock()
			y := goAlpha.yardLocked("beta", beta2.LocalAddr()) // beta's name, the capture's socket
			y.SID, y.bid = h.SI, h.BI-1
			goAlpha.mu.Unlock()
			if err := goAlpha.Transmit(got.Body, "beta").Err(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, raet.UXDMaxPacketSize)
			for i, pg := range v.Pages {
				n, from, err := beta2.ReadFrom(buf)
				if err != nil || from != goAlpha.Addr() {
					t.Fatalf("page %d from %q: %v", i, from, err)
				}
				if hex.EncodeToString(buf[:n]) != pg.Hex {
					t.Fatalf("page %d: Go sent other bytes than the reference (%d vs %d)", i, n, pg.Len)
				}
			}
		})
	}
}

// A 10 MB body goes as a book of pages and arrives whole; so do bodies at
// the edges of one page.
func TestLaneBooks(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir, PackKind: raet.PackMsgpack})
	b := running(t, Config{Name: "beta", Dir: dir})
	for _, size := range []int{0, 65000, 65535, 200_000, 10 << 20} {
		pad := strings.Repeat("x", size)
		sum := sha256.Sum256([]byte(pad))
		m := body.Map{{Key: "pad", Value: pad}, {Key: "pad_sha256", Value: hex.EncodeToString(sum[:])}}
		if err := a.Transmit(m, "beta").Err(); err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		got := next(t, b)
		p, _ := got.Body.String("pad")
		if s := sha256.Sum256([]byte(p)); len(p) != size || hex.EncodeToString(s[:]) != hex.EncodeToString(sum[:]) {
			t.Fatalf("%d bytes: got %d", size, len(p))
		}
	}
	if st := a.Stats(); st["page_tx"] < 160+5 {
		t.Errorf("10 MB in %d pages: not paged", st["page_tx"])
	}
}

// Many yards on one lane: each sends to a hub and gets its answer.
func TestLaneManyYards(t *testing.T) {
	dir := sockDir(t)
	hub := running(t, Config{Name: "hub", Dir: dir})
	const n = 40
	yards := make([]*Stack, n)
	for i := range yards {
		yards[i] = running(t, Config{Name: fmt.Sprintf("y%d", i), Dir: dir})
		if err := yards[i].Transmit(body.Map{{Key: "i", Value: int64(i)}}, "hub").Err(); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for range yards {
		m := next(t, hub)
		i, _ := m.Body.Int("i")
		if m.From != fmt.Sprintf("y%d", i) || seen[m.From] {
			t.Fatalf("hub got %v from %s", m.Body, m.From)
		}
		seen[m.From] = true
		if err := hub.Transmit(body.Map{{Key: "to", Value: m.From}}, m.From).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i, y := range yards {
		if m := next(t, y); m.From != "hub" || mustString(m.Body, "to") != fmt.Sprintf("y%d", i) {
			t.Fatalf("y%d got %v", i, m.Body)
		}
	}
	if len(hub.Yards()) != n {
		t.Errorf("hub knows %d yards", len(hub.Yards()))
	}
}

// A yard that goes away is forgotten when a send finds its socket gone,
// and the send says so; when it comes back (a new session), sends reach it
// again, and it takes the sender back.
func TestLaneYardGoesAndComesBack(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir})
	ctx, cancel := context.WithCancel(context.Background())
	b, err := NewStack(Config{Name: "beta", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	go b.Run(ctx)
	if err := a.Transmit(body.Map{{Key: "n", Value: 1}}, "beta").Err(); err != nil {
		t.Fatal(err)
	}
	next(t, b)
	cancel()
	<-b.Stopped()
	if _, err := os.Stat(b.Addr()); !os.IsNotExist(err) {
		t.Fatalf("beta's socket file outlived it: %v", err)
	}
	if err := a.Transmit(body.Map{{Key: "n", Value: 2}}, "beta").Err(); !errors.Is(err, ErrGone) {
		t.Fatalf("send to a stopped yard: %v", err)
	}
	if _, ok := a.Yards()["beta"]; ok || a.Stats()["stale_transmit_yard"] != 1 {
		t.Fatalf("beta still known: %v %v", a.Yards(), a.Stats())
	}
	b2 := running(t, Config{Name: "beta", Dir: dir})
	if err := a.Transmit(body.Map{{Key: "n", Value: 3}}, "beta").Err(); err != nil {
		t.Fatal(err)
	}
	if m := next(t, b2); fmt.Sprint(m.Body.Get("n")) != "3 true" {
		t.Fatalf("beta came back to %v", m.Body)
	}
	if err := b2.Transmit(body.Map{{Key: "back", Value: true}}, "alpha").Err(); err != nil {
		t.Fatal(err)
	}
	next(t, a)
}

// With RefuseUnknown a yard takes pages only from yards it was told of.
func TestLaneRefuseUnknown(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir})
	b := running(t, Config{Name: "beta", Dir: dir, RefuseUnknown: true})
	if err := a.Transmit(body.Map{{Key: "n", Value: 1}}, "beta").Err(); err != nil {
		t.Fatal(err)
	}
	waitStat(t, b, "unaccepted_source_yard", 1)
	if err := b.AddYard("alpha"); err != nil {
		t.Fatal(err)
	}
	if err := a.Transmit(body.Map{{Key: "n", Value: 2}}, "beta").Err(); err != nil {
		t.Fatal(err)
	}
	if m := next(t, b); fmt.Sprint(m.Body.Get("n")) != "2 true" {
		t.Fatalf("got %v", m.Body)
	}
	select {
	case m := <-b.Receive():
		t.Fatalf("a refused page was delivered: %v", m)
	default:
	}
}

// waitStat waits until a stack has counted something n times.
func waitStat(t *testing.T, s *Stack, key string, n uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats()[key] < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s = %d, want %d (%v)", s.Name(), key, s.Stats()[key], n, s.Stats())
		}
		time.Sleep(time.Millisecond)
	}
}

// Bad pages are counted and dropped; the yard goes on.
func TestLaneBadPages(t *testing.T) {
	dir := sockDir(t)
	b := running(t, Config{Name: "beta", Dir: dir})
	raw, err := ListenUXD(HA(dir, "lane", "alpha"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	send := func(s string) {
		if err := raw.WriteTo([]byte(s), b.Addr()); err != nil {
			t.Fatal(err)
		}
	}
	head := func(dn, extra string) string {
		return "ri RAET\nvn 0\npk 0\nsn alpha\ndn " + dn + "\nsi 000000000000000001\nbi 1\n" + extra
	}
	send("garbage")
	send(head("beta", "pn 0000\npc 0001\n\n") + "{not json")
	send(head("gamma", "pn 0000\npc 0001\n\n") + "{}")
	send(head("beta", "pn 0001\npc 0002\n\n") + "{}")
	for _, c := range []struct {
		key string
		n   uint64
	}{{"invalid_page_header", 1}, {"parsing_body_error", 1}, {"invalid_destination", 1}, {"missed_page", 1}} {
		waitStat(t, b, c.key, c.n)
	}
	send(head("beta", "pn 0000\npc 0001\n\n") + `{"ok":true}`)
	if m := next(t, b); fmt.Sprint(m.Body.Get("ok")) != "true true" {
		t.Fatalf("after bad pages: %v", m.Body)
	}
}

// A new session from a yard drops the books it had begun in the old one.
func TestLaneNewSessionDropsBooks(t *testing.T) {
	dir := sockDir(t)
	b := running(t, Config{Name: "beta", Dir: dir})
	raw, err := ListenUXD(HA(dir, "lane", "alpha"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	pages, err := PackBook(PageHead{SN: "alpha", DN: "beta", SI: "aaaaaaaaaaaaaaaaaa", BI: 1}, []byte(`{"pad":"`+strings.Repeat("z", 100_000)+`"}`))
	if err != nil || len(pages) != 2 {
		t.Fatal(len(pages), err)
	}
	raw.WriteTo(pages[0], b.Addr())
	single, _ := PackPage(PageHead{SN: "alpha", DN: "beta", SI: "bbbbbbbbbbbbbbbbbb", BI: 1}, []byte(`{"n":1}`))
	raw.WriteTo(single, b.Addr())
	next(t, b)
	raw.WriteTo(pages[1], b.Addr()) // the old book's end: its start is gone
	waitStat(t, b, "stale_book", 1)
	waitStat(t, b, "missed_page", 1)
}

// Binding replaces a stale socket file, never a live yard's socket or a
// file that is not a socket; closing removes the file.
func TestLaneBind(t *testing.T) {
	dir := sockDir(t)
	path := HA(dir, "lane", "alpha")
	c, err := ListenUXD(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ListenUXD(path, 0, 0); err == nil {
		t.Fatal("bound over a live yard")
	}
	// A stale file: a socket nobody is bound to any more.
	fd, _ := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	stale := HA(dir, "lane", "stale")
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: stale}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd)
	s, err := ListenUXD(stale, 0o660, 0)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	if fi, _ := os.Stat(stale); fi.Mode().Perm() != 0o660 {
		t.Errorf("mode %v, want 0660", fi.Mode().Perm())
	}
	s.Close()
	plain := filepath.Join(dir, "lane.file.uxd")
	os.WriteFile(plain, []byte("x"), 0o600)
	if _, err := ListenUXD(plain, 0, 0); err == nil {
		t.Fatal("replaced a file that is not a socket")
	}
	c.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("close left the socket file")
	}
	if _, err := ListenUXD(filepath.Join(dir, strings.Repeat("l", 120)+".y.uxd"), 0, 0); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("a path too long: %v", err)
	}
	if _, err := NewStack(Config{Name: "a.b", Dir: dir}); err == nil {
		t.Fatal("a yard name with a dot")
	}
}

// A flood of 100,000 small messages to a yard that starts reading only once
// the sender is held up: nothing is lost, the sender waits.
func TestLaneFlood(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir, PackKind: raet.PackMsgpack})
	b := running(t, Config{Name: "beta", Dir: dir})
	const n = 100_000
	results := make(chan *Delivery, n)
	go func() {
		for i := 0; i < n; i++ {
			results <- a.Transmit(body.Map{{Key: "seq", Value: int64(i)}}, "beta")
		}
		close(results)
	}()
	// The sender is held up: its yard's queue is full.
	deadline := time.Now().Add(30 * time.Second)
	for {
		a.mu.Lock()
		y := a.yards["beta"]
		full := y != nil && len(y.queue) >= YardQueue
		a.mu.Unlock()
		if full {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sender never waited")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < n; i++ {
		m := next(t, b)
		if seq, _ := m.Body.Int("seq"); seq != int64(i) {
			t.Fatalf("message %d is seq %d", i, seq)
		}
	}
	for d := range results {
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if st := a.Stats(); st["message_tx"] != n {
		t.Errorf("sender stats %v", st)
	}
}

func mustString(m body.Map, key string) string {
	s, _ := m.String(key)
	return s
}

// Several goroutines sending to one yard at once: each one's messages
// arrive in the order it sent them, whether Transmit sent one itself or
// queued it for the yard's writer (a full receiver, or the writer busy),
// and none is lost or sent twice.
func TestLaneSendersKeepOrder(t *testing.T) {
	dir := sockDir(t)
	a := running(t, Config{Name: "alpha", Dir: dir, PackKind: raet.PackMsgpack})
	b := running(t, Config{Name: "beta", Dir: dir})
	const senders, n = 4, 20_000
	errs := make(chan error, senders)
	for g := range senders {
		go func() {
			var last *Delivery
			for i := range n {
				last = a.Transmit(body.Map{{Key: "g", Value: int64(g)}, {Key: "seq", Value: int64(i)}}, "beta")
			}
			errs <- last.Err()
		}()
	}
	want := make([]int64, senders)
	for range senders * n {
		m := next(t, b)
		g, _ := m.Body.Int("g")
		seq, _ := m.Body.Int("seq")
		if g < 0 || g >= senders || seq != want[g] {
			t.Fatalf("sender %d: message seq %d, want %d", g, seq, want[g])
		}
		want[g]++
	}
	for range senders {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := a.Stats(); st["message_tx"] != senders*n {
		t.Errorf("sender stats %v", st)
	}
}
