//go:build !linux

package job

import (
	"errors"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// jobDir is held open only on Linux (jobdir_linux.go); elsewhere every
// return is written through the paths (Cache.saveReturnFiles).
type jobDir struct{ last time.Time }

var errNoJobDir = errors.New("job cache: no open job directories here")

func (c *Cache) openJobDir(string, bool) (*jobDir, error) { return nil, errNoJobDir }

func (d *jobDir) close() {}

// chmodNeeded is true here: the umask is not read.
func (c *Cache) chmodNeeded() bool { return true }

func (d *jobDir) saveReturn(*Cache, string, []byte, []byte) error { return errNoJobDir }

func (d *jobDir) savePrepared(*Cache, bool, body.Map, []string) error { return errNoJobDir }
