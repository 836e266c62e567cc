package modules

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// The masterless mine: Salt's mine module keeps it with the data module,
// under the key mine_cache of <cachedir>/datastore, a msgpack mapping.

// datastoreLock keeps the datastore's read-modify-write to one job at a
// time in this process.
var datastoreLock sync.Mutex

// mineDatastore reads <cachedir>/datastore (data.load): {} when it is
// missing or unreadable.
func mineDatastore(c *Call) body.Map {
	b, err := os.ReadFile(filepath.Join(c.exec.opts.Config.Cachedir, "datastore"))
	if err != nil {
		return body.Map{}
	}
	v, err := body.DecodeMsgpack(b)
	m, ok := v.(body.Map)
	if err != nil || !ok {
		return body.Map{}
	}
	return m
}

// mineLocalCache is the datastore's mine_cache when it is a mapping.
func mineLocalCache(c *Call) (body.Map, bool) {
	v, _ := mineDatastore(c).Get("mine_cache")
	m, ok := v.(body.Map)
	return m, ok
}

// mineLocalUpdate is data.update("mine_cache", mine): True once written.
func mineLocalUpdate(c *Call, mine body.Map) (any, error) {
	store := mineDatastore(c)
	store.Set("mine_cache", mine)
	b, err := body.AppendMsgpack(nil, store)
	if err != nil {
		return nil, err
	}
	dir := c.exec.opts.Config.Cachedir
	if err := mkdir.All(dir, 0o700); err != nil {
		return nil, cmdErr("%v", err)
	}
	if err := fsutil.WriteFile(dir, "datastore", b, fsutil.WriteOptions{Mode: 0o600, TempPrefix: ".datastore-tmp-"}); err != nil {
		return nil, cmdErr("%v", err)
	}
	return true, nil
}

// mineLocalStore is _mine_store masterless: data updates the mine, or
// replaces it with clear.
func mineLocalStore(c *Call, data body.Map, clear bool) (any, error) {
	datastoreLock.Lock()
	defer datastoreLock.Unlock()
	mine := body.Map{}
	if old, ok := mineLocalCache(c); ok && !clear {
		mine = old
	}
	for _, it := range data {
		mine.Set(it.Key, it.Value)
	}
	return mineLocalUpdate(c, mine)
}

// mineLocalDelete is mine.delete masterless.
func mineLocalDelete(c *Call, fun string) (any, error) {
	datastoreLock.Lock()
	defer datastoreLock.Unlock()
	mine, _ := mineLocalCache(c)
	mine.Delete(fun)
	return mineLocalUpdate(c, mine)
}

// mineLocalGet is mine.get masterless: the minion's own mine when the
// target matches the minion itself, {} otherwise.
func mineLocalGet(c *Call, tgt, fun any, tgtType string) (any, error) {
	ret := body.Map{}
	mt := target.Matcher{ID: eventMinionID(c), Grains: c.Grains(), Pillar: c.Pillar(), HasPillar: true}
	if ok, err := mt.Match(tgtType, tgt); err != nil || !ok {
		return ret, nil
	}
	mine, ok := mineLocalCache(c)
	funs, byFun, okFun := protocol.MineGetFunctions(fun)
	if !ok || !okFun {
		return ret, nil
	}
	id := eventMinionID(c)
	for _, f := range funs {
		entry, ok := mine.Get(f)
		if !ok {
			continue
		}
		data, _ := protocol.MineEntryData(entry)
		if byFun {
			ret.Set(f, body.Map{{Key: id, Value: data}})
		} else {
			ret.Set(id, data)
		}
	}
	return ret, nil
}
