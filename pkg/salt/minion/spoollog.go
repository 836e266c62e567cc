package minion

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// SpoolLogFile is the log of the spool, in its directory: the returns not
// yet delivered, appended, and a record of each delivered since. The
// leading '.' keeps it out of the spool's listing of the one-file-per-
// return layout of earlier versions, whose files are still read.
const SpoolLogFile = ".returns.log"

// Kinds of spool log records.
const (
	spoolRecReturn = 'R' // jid, then the road message (msgpack)
	spoolRecDone   = 'D' // jid: delivered
)

// spoolLogCompact is the size past which a log whose records are mostly
// of delivered returns is rewritten to the returns still waiting.
const spoolLogCompact = 1 << 20

// spoolLogEmptyAt is the size from which a log with no return waiting is
// emptied; below it the delivery is appended like any other. Emptying the
// file at each delivery (a truncate, a close, and an open at the next
// return) cost a minion answering one job at a time three syscalls per job
// where the record costs one write.
const spoolLogEmptyAt = 64 << 10

// spoolLog keeps a spool's returns in one file, so that a return costs an
// append and its delivery another, where a file per return made an inode
// and removed it again (and a filesystem that must skip recently freed
// inodes, as ext4 without a journal does, made every later file slower).
// A record is kind (1 byte), length of the rest (4 bytes, big endian),
// CRC-32 of kind and rest (4 bytes), then the rest: the jid's length (1
// byte), the jid and, for a return, the message. Reading stops at the
// first record that is cut short or does not match its CRC (a crash in
// the middle of an append), and drops it. Once no return waits and the
// file has grown to spoolLogEmptyAt it is emptied (truncated, not
// removed) and closed; past spoolLogCompact of mostly delivered records
// it is rewritten to those that wait.
type spoolLog struct {
	path   string
	commit *fsutil.Committer // nil: each append synced

	mu   sync.Mutex
	f    *os.File // open while returns wait
	size int64
	live map[string]spoolLogEntry // jid → its message in the file
	held int64                    // bytes of the messages in live
}

type spoolLogEntry struct{ off, n int64 }

// openSpoolLog reads the log in dir; problem names a damaged tail that
// was dropped, for the caller to log.
func openSpoolLog(dir string) (l *spoolLog, problem error, err error) {
	l = &spoolLog{path: filepath.Join(dir, SpoolLogFile), live: map[string]spoolLogEntry{}}
	data, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	good := l.parse(data)
	if good < int64(len(data)) {
		problem = fmt.Errorf("%s: %d bytes from offset %d are not a whole record (a write cut short); dropped", l.path, int64(len(data))-good, good)
	}
	if len(l.live) == 0 {
		l.size, l.held = 0, 0
		return l, problem, os.Truncate(l.path, 0)
	}
	if l.f, err = os.OpenFile(l.path, os.O_RDWR, 0); err != nil {
		return nil, problem, err
	}
	l.size = good
	if good < int64(len(data)) {
		if err := l.f.Truncate(good); err != nil {
			l.f.Close()
			return nil, problem, err
		}
	}
	return l, problem, nil
}

// parse indexes the records of data, returning where the whole ones end.
func (l *spoolLog) parse(data []byte) int64 {
	var off int64
	for {
		rest := data[off:]
		if len(rest) < 9 {
			return off
		}
		n := int64(binary.BigEndian.Uint32(rest[1:5]))
		if int64(len(rest)-9) < n || n < 1 {
			return off
		}
		payload := rest[9 : 9+n]
		if crc32.ChecksumIEEE(append([]byte{rest[0]}, payload...)) != binary.BigEndian.Uint32(rest[5:9]) {
			return off
		}
		jl := int64(payload[0])
		if jl+1 > n {
			return off
		}
		jid := string(payload[1 : 1+jl])
		switch rest[0] {
		case spoolRecReturn:
			l.set(jid, spoolLogEntry{off: off + 9 + 1 + jl, n: n - 1 - jl})
		case spoolRecDone:
			l.drop(jid)
		default:
			return off
		}
		off += 9 + n
	}
}

// set and drop change live and held.
func (l *spoolLog) set(jid string, e spoolLogEntry) {
	l.drop(jid)
	l.live[jid] = e
	l.held += e.n
}

func (l *spoolLog) drop(jid string) {
	if old, ok := l.live[jid]; ok {
		l.held -= old.n
		delete(l.live, jid)
	}
}

// spoolRecord builds one record.
func spoolRecord(kind byte, jid string, msg []byte) []byte {
	n := 1 + len(jid) + len(msg)
	rec := make([]byte, 9, 9+n)
	rec[0] = kind
	binary.BigEndian.PutUint32(rec[1:5], uint32(n))
	rec = append(rec, byte(len(jid)))
	rec = append(rec, jid...)
	rec = append(rec, msg...)
	binary.BigEndian.PutUint32(rec[5:9], crc32.ChecksumIEEE(append([]byte{kind}, rec[9:]...)))
	return rec
}

// jids lists the returns the log holds.
func (l *spoolLog) jids() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.live))
	for jid := range l.live {
		out = append(out, jid)
	}
	return out
}

// has tells whether the log holds a return of jid.
func (l *spoolLog) has(jid string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.live[jid]
	return ok
}

// put appends the return of jid, replacing one it held.
func (l *spoolLog) put(jid string, msg []byte) error {
	if len(jid) > 255 {
		return fmt.Errorf("spool log: jid of %d bytes", len(jid))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := spoolRecord(spoolRecReturn, jid, msg)
	if err := l.appendLocked(rec); err != nil {
		return err
	}
	l.set(jid, spoolLogEntry{off: l.size - int64(len(msg)), n: int64(len(msg))})
	return nil
}

// read returns the message of jid (fs.ErrNotExist when the log has none).
func (l *spoolLog) read(jid string) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.live[jid]
	if !ok {
		return nil, fmt.Errorf("%s: return of %s: %w", l.path, jid, fs.ErrNotExist)
	}
	buf := make([]byte, e.n)
	if _, err := l.f.ReadAt(buf, e.off); err != nil {
		return nil, fmt.Errorf("%s: return of %s: %w", l.path, jid, err)
	}
	return buf, nil
}

// done records the delivery of jid's return: the file emptied once no
// return waits and it has grown to spoolLogEmptyAt, rewritten once it is
// mostly delivered records.
func (l *spoolLog) done(jid string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.live[jid]; !ok {
		return nil
	}
	l.drop(jid)
	if len(l.live) == 0 && l.size >= spoolLogEmptyAt {
		return l.emptyLocked()
	}
	if err := l.appendLocked(spoolRecord(spoolRecDone, jid, nil)); err != nil {
		return err
	}
	if l.size > spoolLogCompact && l.held < l.size/2 {
		return l.compactLocked()
	}
	return nil
}

// appendLocked writes rec at the end, durable now or at the group commit.
func (l *spoolLog) appendLocked(rec []byte) error {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		l.f = f
	}
	if _, err := l.f.WriteAt(rec, l.size); err != nil {
		// What was written in part is cut off by the next open's read.
		return fmt.Errorf("%s: %w", l.path, err)
	}
	l.size += int64(len(rec))
	if l.commit == nil {
		return l.f.Sync()
	}
	l.commit.Wrote()
	l.commit.CommitSoon()
	return nil
}

// emptyLocked truncates the file, no return waiting, and closes it.
func (l *spoolLog) emptyLocked() error {
	l.size, l.held = 0, 0
	if l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	l.f.Close()
	l.f = nil
	if err == nil && l.commit != nil {
		l.commit.Wrote()
		l.commit.CommitSoon()
	}
	return err
}

// compactLocked rewrites the log to the returns that wait, whole or not at
// all (fsutil.WriteFile), and reopens it.
func (l *spoolLog) compactLocked() error {
	var data []byte
	live := make(map[string]spoolLogEntry, len(l.live))
	for jid, e := range l.live {
		msg := make([]byte, e.n)
		if _, err := l.f.ReadAt(msg, e.off); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: compact: %w", l.path, err)
		}
		data = append(data, spoolRecord(spoolRecReturn, jid, msg)...)
		live[jid] = spoolLogEntry{off: int64(len(data)) - e.n, n: e.n}
	}
	if err := writeFileCommitted(l.commit, filepath.Dir(l.path), SpoolLogFile, data, 0o600); err != nil {
		return fmt.Errorf("%s: compact: %w", l.path, err)
	}
	l.f.Close()
	f, err := os.OpenFile(l.path, os.O_RDWR, 0)
	if err != nil {
		l.f = nil
		return err
	}
	l.f, l.size, l.live = f, int64(len(data)), live
	return nil
}

// close releases the file.
func (l *spoolLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
