package protocol

import (
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The mine's requests, as Salt 3006's mine module sends them (on a track,
// Request) and its master's AESFuncs answer them: _mine stores a minion's
// function returns in its mine, _mine_get reads the mines of the minions a
// target matches, _mine_delete and _mine_flush remove a minion's own. None
// carries Salt's tok: the road's signature proves the sender, and the
// master takes the id from the signing estate.
const (
	CmdMine       = "_mine"
	CmdMineGet    = "_mine_get"
	CmdMineDelete = "_mine_delete"
	CmdMineFlush  = "_mine_flush"
)

// The keys of a mine entry that carries a minion-side ACL
// (salt.utils.mine.wrap_acl_structure): {"__data__": <return>,
// "__saltmine_acl__": 1, "allow_tgt": ..., "allow_tgt_type": ...}.
const (
	MineACLID      = "__saltmine_acl__"
	MineACLData    = "__data__"
	MineACLVersion = 1
)

// MineLoad is _mine: {"cmd": "_mine", "data": {alias: return}, "id": <id>,
// "clear": <clear>}; clear replaces the minion's mine rather than updating
// it.
func MineLoad(id string, data body.Map, clear bool) body.Map {
	return body.Map{{Key: "cmd", Value: CmdMine}, {Key: "data", Value: data},
		{Key: "id", Value: id}, {Key: "clear", Value: clear}}
}

// MineGetLoad is _mine_get: {"cmd", "id", "tgt", "fun", "tgt_type"}; fun is
// a function name, a comma-separated string of them, or a list.
func MineGetLoad(id string, tgt, fun any, tgtType string) body.Map {
	return body.Map{{Key: "cmd", Value: CmdMineGet}, {Key: "id", Value: id},
		{Key: "tgt", Value: tgt}, {Key: "fun", Value: fun}, {Key: "tgt_type", Value: tgtType}}
}

// MineDeleteLoad is _mine_delete: {"cmd", "id", "fun"}.
func MineDeleteLoad(id string, fun any) body.Map {
	return body.Map{{Key: "cmd", Value: CmdMineDelete}, {Key: "id", Value: id}, {Key: "fun", Value: fun}}
}

// MineFlushLoad is _mine_flush: {"cmd", "id"}.
func MineFlushLoad(id string) body.Map {
	return body.Map{{Key: "cmd", Value: CmdMineFlush}, {Key: "id", Value: id}}
}

// MineACLEntry is wrap_acl_structure: the return with the targets allowed
// to read it; allowTgtType goes only when allowTgt does and it is set.
func MineACLEntry(ret any, allowTgt any, allowTgtType any) body.Map {
	e := body.Map{{Key: MineACLData, Value: ret}, {Key: MineACLID, Value: MineACLVersion}}
	if allowTgt != nil && allowTgt != "" {
		e = append(e, body.Item{Key: "allow_tgt", Value: allowTgt})
		if allowTgtType != nil && allowTgtType != "" {
			e = append(e, body.Item{Key: "allow_tgt_type", Value: allowTgtType})
		}
	}
	return e
}

// MineEntryData is the return kept in a mine entry: the ACL entry's
// __data__, or the entry itself for one without an ACL.
func MineEntryData(entry any) (data any, acl body.Map) {
	if m, ok := entry.(body.Map); ok {
		if _, ok := m.Get(MineACLID); ok {
			d, _ := m.Get(MineACLData)
			return d, m
		}
	}
	return entry, nil
}

// MineGetFunctions reads mine.get's fun: a comma-separated string (one
// name answers {minion: data}, several {fun: {minion: data}}) or a list
// (always the latter); ok is false for anything else. Repeated names count
// once (Salt makes a set of them).
func MineGetFunctions(fun any) (funs []string, byFun, ok bool) {
	switch f := fun.(type) {
	case string:
		for _, s := range strings.Split(f, ",") {
			if !slices.Contains(funs, s) {
				funs = append(funs, s)
			}
		}
		return funs, len(funs) > 1, true
	case []any:
		for _, s := range f {
			funs = append(funs, py.Str(s))
		}
		return funs, true, true
	}
	return nil, false, false
}
