package lane

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/internal/mkdir"
)

// Conn is a lane's datagram socket, hidden behind a small interface as the
// road's is. Addresses are socket paths.
type Conn interface {
	// ReadFrom waits for a datagram. from is the sender's bound path, or
	// "" for a sender that is not bound.
	ReadFrom(b []byte) (n int, from string, err error)
	// WriteTo sends one datagram, waiting while the receiver's queue is
	// full. A receiver that is gone (no socket file, or a file nobody is
	// bound to) is ErrGone.
	WriteTo(b []byte, to string) error
	LocalAddr() string
	Close() error
}

// ErrGone says the yard at an address no longer exists.
var ErrGone = errors.New("lane: yard gone")

// ErrClosed is returned by a Conn used after Close.
var ErrClosed = errors.New("lane: socket closed")

// HA is a yard's socket path (Yard.computeHa): <dir>/<lane>.<yard>.uxd.
func HA(dir, lane, yard string) string {
	return filepath.Join(dir, lane+"."+yard+".uxd")
}

// NamesFromHA returns the lane and yard names of a socket path
// (Yard.namesFromHa): the file name without its ".uxd", cut at its last dot.
func NamesFromHA(ha string) (lane, yard string, err error) {
	base := filepath.Base(ha)
	root, ok := strings.CutSuffix(base, ".uxd")
	if !ok || ha == "" || strings.HasSuffix(ha, "/") {
		return "", "", fmt.Errorf("lane: %q is not a yard's socket: the file name must end in .uxd", ha)
	}
	i := strings.LastIndexByte(root, '.')
	if i < 0 {
		return "", "", fmt.Errorf("lane: %q is not a yard's socket: no <lane>.<yard> in its name", ha)
	}
	return root[:i], root[i+1:], nil
}

// CheckLane refuses a lane name the reference refuses, or that would not
// come back out of a socket path: empty, or holding a space, a newline, a
// slash or a NUL. Dots are allowed: a minion's lane is <id>_minion and
// Salt's default id is the host's FQDN; the name survives the socket path
// because the yard name after it has no dot and the path is cut at the
// last one (Yard.namesFromHa).
func CheckLane(name string) error {
	if name == "" || strings.ContainsAny(name, " \n/\x00") {
		return fmt.Errorf("lane: invalid lane name %q: it must be non-empty, with no space, newline or slash", name)
	}
	return nil
}

// CheckYard refuses a yard name the reference refuses, or that would not
// come back out of a socket path: empty, or holding a space, a newline (it
// ends a page head line), a dot (the path is cut at its last dot) or a
// slash.
func CheckYard(name string) error {
	if name == "" || strings.ContainsAny(name, " \n./\x00") {
		return fmt.Errorf("lane: invalid yard name %q: it must be non-empty, with no space, newline, dot or slash", name)
	}
	return nil
}

// Default socket directories (yarding.py): the first that can be made and
// written, as the reference picks.
const (
	DefaultDir = "/var/cache/raet"
	AltDir     = "~/.raet/uxd"
)

// SocketDir returns dir made absolute and created (mode 0700), or, when dir
// is empty or cannot be used, the reference's default and then its fallback.
func SocketDir(dir string) (string, error) {
	var tried []string
	for _, d := range []string{dir, DefaultDir, AltDir} {
		if d == "" {
			continue
		}
		if strings.HasPrefix(d, "~/") {
			home, err := os.UserHomeDir()
			if err != nil {
				tried = append(tried, d+": "+err.Error())
				continue
			}
			d = filepath.Join(home, d[2:])
		}
		abs, err := filepath.Abs(d)
		if err == nil {
			err = mkdir.All(abs, 0o700)
		}
		if err == nil {
			err = syscall.Access(abs, 0o6) // read and write
		}
		if err == nil {
			return abs, nil
		}
		tried = append(tried, d+": "+err.Error())
		if dir != "" && d == dir {
			// An explicit directory that cannot be used is an error,
			// not a reason to put sockets somewhere else.
			return "", fmt.Errorf("lane: socket directory %s", tried[0])
		}
	}
	return "", fmt.Errorf("lane: no usable socket directory (%s)", strings.Join(tried, "; "))
}

// NewSessionID makes a yard session id as nacling.uuid(18) does: the time
// in microseconds in hex, then random hex, 18 characters in all.
func NewSessionID() string {
	front := strconv.FormatInt(time.Now().UnixMicro(), 16)
	var r [9]byte
	rand.Read(r[:])
	return (front + hex.EncodeToString(r[:]))[:SessionIDSize]
}

// uxd is a Unix datagram socket bound to a yard's path. It is a blocking
// socket driven by plain system calls, so that a send to a receiver whose
// queue is full sleeps in the kernel until there is room. Go's
// non-blocking sockets spin on such a send: the kernel says the sender's
// own socket is writable while the receiver is full.
//
// A read waits in the kernel with no timeout: an idle yard costs no
// wakeup at all (a read that woke every so often to look for Close cost an
// idle minion five system calls a second, and kept the Go runtime's
// monitor thread from its deep sleep). Close's shutdown wakes it. A send
// waits at most pollEvery at a time, so Close is seen by one stuck on a
// full receiver, which its own socket's shutdown does not wake.
type uxd struct {
	fd     int
	path   string
	closed atomic.Bool
	// inUse is held shared by every call on fd and exclusively by Close,
	// so fd is closed only once no call can still use its number.
	inUse sync.RWMutex
}

// pollEvery bounds each blocking send, so Close is seen within it.
const pollEvery = 200 * time.Millisecond

// ListenUXD binds a Unix datagram socket at path, replacing a stale socket
// file left there (as the reference does on bind), with the given file mode
// (0600 when zero) and receive buffer. It refuses to replace a file that is
// not a socket, or a socket another process is bound to.
func ListenUXD(path string, mode os.FileMode, rcvbuf int) (Conn, error) {
	if len(path) >= len(syscall.RawSockaddrUnix{}.Path) {
		return nil, fmt.Errorf("lane: socket path %q is %d bytes, more than a Unix socket's %d", path, len(path), len(syscall.RawSockaddrUnix{}.Path)-1)
	}
	if mode == 0 {
		mode = 0o600
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("lane: %s exists and is not a socket", path)
		}
		if boundElsewhere(path) {
			return nil, fmt.Errorf("lane: %s: another yard is bound there", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("lane: removing stale socket: %w", err)
		}
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("lane: socket: %w", err)
	}
	// The mode of the socket's inode becomes the mode of the file bind
	// makes, so the file is never there with wider permissions.
	if err := syscall.Fchmod(fd, uint32(mode.Perm())); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("lane: socket mode: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("lane: bind %s: %w", path, err)
	}
	// Undo the umask, which bind applies on top of the mode.
	if err := os.Chmod(path, mode.Perm()); err != nil {
		syscall.Close(fd)
		os.Remove(path)
		return nil, fmt.Errorf("lane: socket mode: %w", err)
	}
	if rcvbuf > 0 {
		// As large as the system lets; a smaller buffer only slows senders.
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
	}
	tv := syscall.NsecToTimeval(int64(pollEvery))
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv); err != nil {
		syscall.Close(fd)
		os.Remove(path)
		return nil, fmt.Errorf("lane: socket timeout: %w", err)
	}
	return &uxd{fd: fd, path: path}, nil
}

// boundElsewhere reports whether a process is bound at a socket path: a datagram
// of nothing sent there is refused only when nobody is.
func boundElsewhere(path string) bool {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
	return err == nil
}

func (u *uxd) LocalAddr() string { return u.path }

func (u *uxd) ReadFrom(b []byte) (int, string, error) {
	u.inUse.RLock()
	defer u.inUse.RUnlock()
	for {
		if u.closed.Load() {
			return 0, "", ErrClosed
		}
		n, sa, err := syscall.Recvfrom(u.fd, b, 0)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			continue
		case err != nil:
			if u.closed.Load() {
				return 0, "", ErrClosed
			}
			return 0, "", fmt.Errorf("lane: read: %w", err)
		}
		from := ""
		if ua, ok := sa.(*syscall.SockaddrUnix); ok {
			from = ua.Name
		}
		if n == 0 && from == "" && u.closed.Load() {
			return 0, "", ErrClosed // woken by Close's shutdown
		}
		return n, from, nil
	}
}

func (u *uxd) WriteTo(b []byte, to string) error {
	sa := &syscall.SockaddrUnix{Name: to}
	u.inUse.RLock()
	defer u.inUse.RUnlock()
	for {
		if u.closed.Load() {
			return ErrClosed
		}
		err := syscall.Sendto(u.fd, b, 0, sa)
		switch err {
		case nil:
			return nil
		case syscall.EAGAIN, syscall.EINTR, syscall.ENOBUFS:
			continue // the receiver is full: wait again
		case syscall.EPIPE:
			if u.closed.Load() {
				return ErrClosed // shut down by Close
			}
		case syscall.ENOENT, syscall.ECONNREFUSED:
			return fmt.Errorf("%w: %s: %v", ErrGone, to, err)
		}
		return fmt.Errorf("lane: send to %s: %w", to, err)
	}
}

// TryWriteTo is WriteTo without the wait: nothing is sent, and sent is
// false, while the receiver's queue is full.
func (u *uxd) TryWriteTo(b []byte, to string) (sent bool, err error) {
	sa := &syscall.SockaddrUnix{Name: to}
	u.inUse.RLock()
	defer u.inUse.RUnlock()
	for {
		if u.closed.Load() {
			return false, ErrClosed
		}
		err := syscall.Sendto(u.fd, b, syscall.MSG_DONTWAIT, sa)
		switch err {
		case nil:
			return true, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN, syscall.ENOBUFS:
			return false, nil
		case syscall.EPIPE:
			if u.closed.Load() {
				return false, ErrClosed
			}
		case syscall.ENOENT, syscall.ECONNREFUSED:
			return false, fmt.Errorf("%w: %s: %v", ErrGone, to, err)
		}
		return false, fmt.Errorf("lane: send to %s: %w", to, err)
	}
}

// Close wakes a blocked read, closes the socket and removes its file, as
// the reference's close does.
func (u *uxd) Close() error {
	if u.closed.Swap(true) {
		return nil
	}
	syscall.Shutdown(u.fd, syscall.SHUT_RDWR)
	// A read returns at once on the shutdown, a send within pollEvery.
	u.inUse.Lock()
	err := syscall.Close(u.fd)
	u.inUse.Unlock()
	if rerr := os.Remove(u.path); rerr != nil && !os.IsNotExist(rerr) && err == nil {
		err = rerr
	}
	return err
}
