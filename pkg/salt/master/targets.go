package master

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// DataFile is a minion's cached grains and pillar under
// <cachedir>/minions/<id>/ (salt.cache localfs, filled by _pillar).
const DataFile = "data.p"

// maxDataFile bounds what is read of a data.p.
const maxDataFile = 16 << 20

// targets are the accepted minions a publish targets (CkMinions.check_minions):
// glob, pcre and list are matched against the ids of the accepted keys;
// grain, grain_pcre, ipcidr, pillar, pillar_pcre and compound expressions
// that use them against the grains and pillar cached in data.p, greedily:
// a minion with nothing cached counts as matched, and decides itself when
// the publish reaches it. Nodegroups are resolved before (nodegroups.go);
// range targets are refused, as the
// minions cannot evaluate them either.
func (m *Master) targets(tgtType string, tgt any, delim string) ([]string, error) {
	ids, err := m.accepted()
	if err != nil {
		return nil, err
	}
	needGrains, needPillar := target.NeedsGrains(tgtType, tgt), target.NeedsPillar(tgtType, tgt)
	out := []string{}
	for _, id := range ids {
		mt := target.Matcher{ID: id, Delimiter: delim, Greedy: true, HasPillar: true}
		if needGrains || needPillar {
			mt.Grains, mt.Pillar = m.cachedData(id)
		}
		ok, err := mt.Match(tgtType, tgt)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// MatchOnMaster is the master's side of targeting for one accepted
// minion by its grains alone (pillar targets are unsupported through it;
// the master's own targets read the pillar cache too): target.Match, except that grains == nil means the master has no
// grains for the minion, which then matches every grain-based target (and
// every grain-based word of a compound expression) greedily, as Salt's
// check_minions does with greedy=True.
func MatchOnMaster(tgtType string, tgt any, id string, grains map[string]any, delim string) (bool, error) {
	return target.Matcher{ID: id, Grains: grains, Delimiter: delim, Greedy: true}.Match(tgtType, tgt)
}

// cachedData reads the grains and pillar of <cachedir>/minions/<id>/data.p;
// both nil when there is none (or it cannot be read, which is logged). A
// data.p without a pillar gives an empty one, which matches no pillar
// target, as Salt's cache lookup gives None.
func (m *Master) cachedData(id string) (grains, pillar map[string]any) {
	path := filepath.Join(m.cfg.Cachedir, "minions", id, DataFile)
	top, err := readData(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			m.log.Warnf("Minion data cache of %s: %v", id, err)
		}
		return nil, nil
	}
	g, _ := top.Map("grains")
	p, _ := top.Map("pillar")
	return protocol.PlainMap(g), protocol.PlainMap(p)
}

// ReadGrains reads the "grains" mapping of a minion's data.p.
func ReadGrains(path string) (map[string]any, error) {
	top, err := readData(path)
	if err != nil {
		return nil, err
	}
	g, ok := top.Map("grains")
	if !ok {
		return nil, fmt.Errorf("%s has no grains mapping", path)
	}
	out := make(map[string]any, len(g))
	for _, it := range g {
		out[it.Key] = it.Value
	}
	return out, nil
}

// readData reads a minion's data.p, a msgpack mapping.
func readData(path string) (body.Map, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxDataFile {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", path, fi.Size(), maxDataFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := body.DecodeMsgpack(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	top, ok := v.(body.Map)
	if !ok {
		return nil, fmt.Errorf("%s is not a mapping", path)
	}
	return top, nil
}
