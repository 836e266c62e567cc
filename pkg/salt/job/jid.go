package job

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// ErrBadJID reports a string that is not a job id.
var ErrBadJID = errors.New("job: not a jid")

// jidLen is the length of a jid's time part: %Y%m%d%H%M%S%f.
const jidLen = 20

// NewJID formats now as salt.utils.jid.gen_jid does: "%Y%m%d%H%M%S%f", 20
// digits with microseconds (spec/salt-raet.md §3.5). The wall time is taken
// in now's own location; Salt uses local time, so pass time.Now() (or a time
// already converted with In). Years outside 0..9999 cannot be written in
// four digits and are clamped, so the result always has 20 digits.
func NewJID(now time.Time) string {
	var b [jidLen]byte
	return string(appendJID(b[:0], now))
}

func appendJID(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	y = min(max(y, 0), 9999)
	dst = appendPad(dst, y, 4)
	dst = appendPad(dst, int(mo), 2)
	dst = appendPad(dst, d, 2)
	dst = appendPad(dst, h, 2)
	dst = appendPad(dst, mi, 2)
	dst = appendPad(dst, s, 2)
	return appendPad(dst, t.Nanosecond()/1000, 6)
}

func appendPad(dst []byte, n, width int) []byte {
	var b [8]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// JIDGen hands out job ids that are never repeated by the same generator:
// when the clock has not moved past the last id (two calls in the same
// microsecond, or a clock stepped back), the new id is the last one plus one
// microsecond. Salt does this only with unique_jid (gen_jid's
// LAST_JID_DATETIME); doing it always costs nothing and spares the job
// cache a retry. Ids from different processes can still meet; the cache's
// PrepJID guards against that.
//
// The zero JIDGen is ready to use: local time, no pid suffix. A JIDGen must
// not be copied after first use.
type JIDGen struct {
	// Unique appends "_<pid>" as Salt's unique_jid option does.
	Unique bool
	// Location is the zone the time is written in; nil means time.Local.
	// time.UTC gives the utc_jid option.
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PID is the suffix for Unique; 0 means os.Getpid().
	PID int

	mu   sync.Mutex
	last time.Time // wall time of the last id, microsecond precision
}

// Next returns a new jid.
func (g *JIDGen) Next() string {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	loc := g.Location
	if loc == nil {
		loc = time.Local
	}
	// In strips the monotonic reading, so the comparison below is on wall
	// time, which is what the jid shows.
	t := now().In(loc).Truncate(time.Microsecond)
	g.mu.Lock()
	if !g.last.IsZero() && !t.After(g.last) {
		t = g.last.Add(time.Microsecond)
	}
	g.last = t
	g.mu.Unlock()
	if !g.Unique {
		return NewJID(t)
	}
	pid := g.PID
	if pid == 0 {
		pid = os.Getpid()
	}
	b := appendJID(make([]byte, 0, jidLen+12), t)
	b = append(b, '_')
	return string(strconv.AppendInt(b, int64(pid), 10))
}

// IsJID reports whether s is a job id: 20 digits, optionally followed by '_'
// and at least one more character (salt.utils.jid.is_jid; a bare trailing
// '_' is refused there too). Salt checks the 20 characters with int(), which
// would also take a sign, spaces or underscores; only digits are accepted
// here, because a jid names a time.
func IsJID(s string) bool {
	if len(s) != jidLen && (len(s) <= jidLen+1 || s[jidLen] != '_') {
		return false
	}
	return allDigits(s[:jidLen])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// JIDToTime returns the time a jid was made, read in the local time zone as
// Salt writes it.
func JIDToTime(jid string) (time.Time, error) {
	return JIDToTimeIn(jid, time.Local)
}

// JIDToTimeIn returns the time a jid was made, reading its wall time in loc.
// A jid whose fields are out of range (month 13, second 61) is an error.
func JIDToTimeIn(jid string, loc *time.Location) (time.Time, error) {
	if !IsJID(jid) {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadJID, jid)
	}
	n := func(i, j int) int {
		v, _ := strconv.Atoi(jid[i:j])
		return v
	}
	t := time.Date(n(0, 4), time.Month(n(4, 6)), n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 20)*1000, loc)
	// time.Date normalises out-of-range fields; a jid that does not come
	// back unchanged named no real time.
	if NewJID(t) != jid[:jidLen] {
		return time.Time{}, fmt.Errorf("%w: %q does not name a valid time", ErrBadJID, jid)
	}
	return t, nil
}

var monthAbbr = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// FormatJIDTime renders a jid's time as salt.utils.jid.jid_to_time does,
// e.g. "2026, Nov 22 03:45:01.123456" (used by jobs.list_jobs and the
// CLI's --verbose output). Like Salt it only slices the digits, so an
// impossible day or hour is shown as it is; a string that is not a jid, or
// whose month is not 01..12, gives "" (Salt returns "" for the first and
// raises for the second).
func FormatJIDTime(jid string) string {
	if !IsJID(jid) {
		return ""
	}
	mo, _ := strconv.Atoi(jid[4:6])
	if mo < 1 || mo > 12 {
		return ""
	}
	return jid[0:4] + ", " + monthAbbr[mo-1] + " " + jid[6:8] + " " +
		jid[8:10] + ":" + jid[10:12] + ":" + jid[12:14] + "." + jid[14:20]
}
