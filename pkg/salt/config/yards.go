package config

import (
	"strings"
	"syscall"

	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// MaxSocketPath is the longest path a Unix socket can be bound at on Linux:
// sun_path holds 108 bytes with the terminating NUL.
var MaxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// longestYard is as long as the longest yard name a daemon or tool puts on
// a lane: the reference's "channel" plus an 18-character session id (its
// jobber, event and client yards are shorter).
var longestYard = "channel" + strings.Repeat("x", lane.SessionIDSize)

// CheckYardPaths refuses a master whose yard sockets could not be bound: a
// sock_dir so long that <sock_dir>/master.<yard>.uxd passes the limit of a
// Unix socket path. Checked at start, so the daemon does not run with a
// lane its tools cannot join.
func (m *Master) CheckYardPaths() error {
	return m.checkYardPaths(m.LaneName(), "")
}

// CheckYardPaths refuses a minion whose lane cannot exist: an id that
// does not make a lane name (<id>_minion), or a sock_dir and id so long
// that <sock_dir>/<id>_minion.<yard>.uxd passes the limit of a Unix socket
// path. Salt's default id is the FQDN, which can be long.
func (m *Minion) CheckYardPaths() error {
	if err := lane.CheckLane(m.LaneName()); err != nil {
		return m.placed("id", "%q cannot name the minion's lane %q: %v", m.ID, m.LaneName(), err)
	}
	return m.checkYardPaths(m.LaneName(), "id")
}

// checkYardPaths checks the longest socket path of lane in sock_dir; alt,
// when not empty, is the other option that makes the path long. The error
// is placed at whichever of the two a file set, sock_dir first.
func (c *Common) checkYardPaths(laneName, alt string) error {
	longest := lane.HA(c.SockDir, laneName, longestYard)
	if len(longest) <= MaxSocketPath {
		return nil
	}
	key := "sock_dir"
	if _, _, set := c.Origin(key); !set {
		if _, _, altSet := c.Origin(alt); alt != "" && altSet {
			key = alt
		}
	}
	fix := "sock_dir"
	if alt != "" {
		fix += " or " + alt
	}
	return c.placed(key, "the lane's yard sockets would be up to %d bytes long (%s), more than the %d a Unix socket path holds; set a shorter %s",
		len(longest), lane.HA(c.SockDir, laneName, "<yard>"), MaxSocketPath, fix)
}

// placed is Errorf, naming the config file when no file set the option, so
// the operator knows where to set it.
func (c *Common) placed(key, format string, args ...any) error {
	err := c.Errorf(key, format, args...)
	if e, ok := err.(*Error); ok && e.File == "" {
		e.File = c.ConfFile
	}
	return err
}
