// Package testutil holds the few helpers the tests of several packages
// share: a buffer that daemons and tests may write and read at once, and a
// free UDP port on loopback.
package testutil

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer safe for a running daemon's goroutines,
// which may outlive the test, and the test reading it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreeUDPPort finds a UDP port on 127.0.0.1 nobody is bound to now, for a
// process that must be given a port in its config rather than bind :0.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// WaitFor polls cond every few milliseconds until it holds, failing the
// test when it still does not after within: a wait on an event, never a
// fixed sleep. Give within generously; a loaded machine is slow.
func WaitFor(tb testing.TB, what string, within time.Duration, cond func() bool) {
	tb.Helper()
	end := time.Now().Add(within)
	for !cond() {
		if time.Now().After(end) {
			tb.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FreeTCPPort returns a TCP port on loopback that was free a moment ago.
func FreeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
