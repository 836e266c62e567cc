package road

import "github.com/saltraet/saltraet/pkg/raet"

// txKind is one kind of transaction the stack runs: the names the reference
// gives its two sides, which prefix their stats.
type txKind struct {
	tk            raet.TrnsKind
	initiator     string // the side that starts it
	correspondent string // the side that answers
}

// txKinds lists every transaction kind the stack runs. Stale packets are
// answered in core.go; they start no transaction of their own.
var txKinds = []txKind{
	{tk: raet.TrnsJoin, initiator: "joiner", correspondent: "joinent"},
	{tk: raet.TrnsAllow, initiator: "allower", correspondent: "allowent"},
	{tk: raet.TrnsAlive, initiator: "aliver", correspondent: "alivent"},
	{tk: raet.TrnsMessage, initiator: "messenger", correspondent: "messengent"},
}

// sideName is the reference's name of one side of a transaction kind: the
// correspondent's when rmt (the remote started it), else the initiator's.
func sideName(tk raet.TrnsKind, rmt bool) string {
	for _, k := range txKinds {
		if k.tk == tk {
			if rmt {
				return k.correspondent
			}
			return k.initiator
		}
	}
	return tk.String()
}
