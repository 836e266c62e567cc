package master

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// MineFile is a minion's mine under <cachedir>/minions/<id>/, msgpack as
// Salt's localfs cache keeps the bank minions/<id>, key mine: {alias:
// return, or an ACL entry}.
const MineFile = "mine.p"

// mineLock keeps the read-modify-write of a mine file to one worker at a
// time, for all minions: mine requests are rare and small.
var mineLock sync.Mutex

// handleMine answers a mine request of the minion id (AESFuncs._mine,
// _mine_get, _mine_delete, _mine_flush) on its track. The id is the
// signing estate's: a minion writes and deletes only its own mine.
func (m *Master) handleMine(id string, rs road.RemoteState, req route.Route, cmd string, load body.Map) {
	var ret any
	switch cmd {
	case protocol.CmdMine:
		ret = m.mineStore(id, load)
	case protocol.CmdMineGet:
		ret = m.mineGet(id, load)
	case protocol.CmdMineDelete:
		ret = m.mineDelete(id, load)
	case protocol.CmdMineFlush:
		ret = m.mineFlush(id)
	}
	m.stats.Add("mine_request")
	m.replyTo("mine", id, rs, req, cmd, ret)
}

// mineKept reports whether mines are kept at all: minion_data_cache or
// enforce_mine_cache, as RemoteFuncs checks; without, a store or delete
// is answered true and forgotten.
func (m *Master) mineKept() bool {
	return m.cfg.MinionDataCache || py.Truthy(m.cfg.Raw["enforce_mine_cache"])
}

// mineStore is _mine: the load's data updates the minion's mine, or
// replaces it with clear (where Salt 3006 fails on an unset variable).
func (m *Master) mineStore(id string, load body.Map) bool {
	data, ok := load.Map("data")
	if !ok {
		m.refuse("bad_load", "Dropped a mine update from %s: its data is no mapping", id)
		return false
	}
	if !m.mineKept() {
		return true
	}
	mineLock.Lock()
	defer mineLock.Unlock()
	mine, _ := m.readMine(id)
	if clear, _ := load.Get("clear"); py.Truthy(clear) || mine == nil {
		mine = body.Map{}
	}
	for _, it := range data {
		mine.Set(it.Key, it.Value)
	}
	return m.writeMine(id, mine)
}

// mineDelete is _mine_delete: one alias out of the minion's mine; false
// when the mine cannot be read as a mapping.
func (m *Master) mineDelete(id string, load body.Map) bool {
	fun, ok := load.Get("fun")
	if !ok {
		return false
	}
	if !m.mineKept() {
		return true
	}
	mineLock.Lock()
	defer mineLock.Unlock()
	mine, err := m.readMine(id)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true
	case err != nil:
		return false
	}
	name := py.Str(fun)
	if _, ok := mine.Get(name); !ok {
		return true
	}
	mine.Delete(name)
	return m.writeMine(id, mine)
}

// mineFlush is _mine_flush: the minion's mine file goes; false when there
// was none, as the localfs cache's flush answers.
func (m *Master) mineFlush(id string) bool {
	if !m.mineKept() {
		return true
	}
	mineLock.Lock()
	defer mineLock.Unlock()
	if job.ValidID(id) != nil {
		return false
	}
	err := os.Remove(filepath.Join(m.cfg.Cachedir, "minions", id, MineFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		m.stats.Add("cache_error")
		m.log.Errorf("Mine of %s: %v", id, err)
	}
	return err == nil
}

// readMine reads the minion's mine; an error wrapping fs.ErrNotExist when
// it has none.
func (m *Master) readMine(id string) (body.Map, error) {
	if err := job.ValidID(id); err != nil {
		return nil, err
	}
	path := filepath.Join(m.cfg.Cachedir, "minions", id, MineFile)
	mine, err := readData(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		m.log.Warnf("Mine of %s: %v", id, err)
	}
	return mine, err
}

// writeMine replaces the minion's mine file; false (logged) when it
// cannot.
func (m *Master) writeMine(id string, mine body.Map) bool {
	err := job.ValidID(id)
	var data []byte
	if err == nil {
		data, err = body.AppendMsgpack(nil, mine)
	}
	dir := filepath.Join(m.cfg.Cachedir, "minions", id)
	if err == nil {
		err = mkdir.All(dir, 0o700)
	}
	if err == nil {
		err = fsutil.WriteFile(dir, MineFile, data, fsutil.WriteOptions{Mode: 0o600, TempPrefix: ".mine-tmp-"})
	}
	if err != nil {
		m.stats.Add("cache_error")
		m.log.Errorf("Mine of %s: %v", id, err)
		return false
	}
	return true
}
