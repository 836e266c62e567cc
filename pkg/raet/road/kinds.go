package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// txKind is one kind of transaction the stack runs: the names the reference
// gives its two sides, which prefix their stats, and how the correspondent
// side begins.
type txKind struct {
	tk            raet.TrnsKind
	initiator     string // the side that starts it
	correspondent string // the side that answers
	// starts is the packet kind with which a remote begins one, and reply
	// makes the correspondent that answers it. Initiators are started by
	// the stack's own calls (core.join, allow, alive, message).
	starts raet.PcktKind
	reply  starter
}

// starter begins the correspondent of a transaction a remote starts.
type starter = func(c *core, now time.Time, p *wire.Packet, r *Remote)

// txKinds lists every transaction kind the stack runs, in one place. Stale
// packets are answered in core.go; they begin no transaction of their own.
// It is a function, not a variable: the correspondents it names count
// their stats under the names it gives, which a variable could not refer to
// while it is being initialised.
func txKinds() []txKind {
	return []txKind{
		{tk: raet.TrnsJoin, initiator: "joiner", correspondent: "joinent", starts: raet.PcktRequest, reply: replyJoin},
		{tk: raet.TrnsAllow, initiator: "allower", correspondent: "allowent", starts: raet.PcktHello, reply: replyAllow},
		{tk: raet.TrnsAlive, initiator: "aliver", correspondent: "alivent", starts: raet.PcktRequest, reply: replyAlive},
		{tk: raet.TrnsMessage, initiator: "messenger", correspondent: "messengent", starts: raet.PcktMessage, reply: replyMessage},
	}
}

// correspondentStarters are the correspondents every stack starts, by
// transaction and packet kind, from txKinds; a stack copies them so a test
// may replace one. Absent kinds are stale.
var correspondentStarters = func() map[[2]uint8]starter {
	kinds := txKinds()
	m := make(map[[2]uint8]starter, len(kinds))
	for _, k := range kinds {
		m[[2]uint8{uint8(k.tk), uint8(k.starts)}] = k.reply
	}
	return m
}()

// sideName is the reference's name of one side of a transaction kind: the
// correspondent's when rmt (the remote started it), else the initiator's.
func sideName(tk raet.TrnsKind, rmt bool) string {
	for _, k := range txKinds() {
		if k.tk == tk {
			if rmt {
				return k.correspondent
			}
			return k.initiator
		}
	}
	return tk.String()
}
