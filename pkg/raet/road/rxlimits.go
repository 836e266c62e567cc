package road

import (
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// What a remote may make this stack hold of messages it has begun and not
// finished. An accepted estate is trusted with its keys, not with our
// memory: without bounds, first segments declaring many segments each open
// a tray for ever. Single-packet messages never open one.
const (
	// DefaultMaxRxMessages bounds the open incoming messages of one remote.
	DefaultMaxRxMessages = 64
	// DefaultMaxRxBytes bounds the segment bytes one remote's open incoming
	// messages hold, and so the largest message it can send: Salt's returns
	// and file chunks are far below it.
	DefaultMaxRxBytes = 32 << 20
	// DefaultMessageStall is how long an incoming message may go without a
	// new segment before it is given up. A live messenger retransmits
	// within MessageRedoMax (0.5 s), so only a silent or hostile one stalls.
	DefaultMessageStall = 30 * time.Second
)

func (cfg *Config) rxLimitDefaults() {
	if cfg.MaxRxMessages <= 0 {
		cfg.MaxRxMessages = DefaultMaxRxMessages
	}
	if cfg.MaxRxBytes <= 0 {
		cfg.MaxRxBytes = DefaultMaxRxBytes
	}
}

// rxUsage is what a remote's open incoming messages hold.
type rxUsage struct {
	open  int // messengents holding part of a message
	bytes int // segment bytes they hold
}

// admit decides whether a remote may begin a message whose first packet
// this is: a message larger than the byte bound could never complete, and
// a remote with as many open as allowed must finish some first.
func (e *messengent) admit(p *wire.Packet) bool {
	if p.Count() <= 1 {
		return true
	}
	c, r := e.c, e.r
	switch {
	case p.ML > c.cfg.MaxRxBytes:
		e.refuse("message_rx_refused_size")
		return false
	case r.rx.open >= c.cfg.MaxRxMessages:
		e.refuse("message_rx_refused_open")
		return false
	}
	return true
}

// account follows the tray's bytes after a segment was added, and reports
// false when the remote's open messages now hold more than allowed: this
// message is then refused, which frees what it held.
func (e *messengent) account() bool {
	r := e.r
	if !e.open && !e.tray.Complete() {
		e.open = true
		r.rx.open++
	}
	held := e.tray.Size()
	r.rx.bytes += held - e.held
	e.held = held
	if r.rx.bytes > e.c.cfg.MaxRxBytes {
		e.refuse("message_rx_refused_bytes")
		return false
	}
	return true
}

// progress restarts the stall timer: a new segment came.
func (e *messengent) progress(now time.Time) {
	e.expire = now.Add(e.c.cfg.Timers.MessageStall)
}

// release gives back what the message held to its remote's bounds; it may
// be called more than once.
func (e *messengent) release() {
	if e.open {
		e.open = false
		e.r.rx.open--
	}
	e.r.rx.bytes -= e.held
	e.held = 0
}

// refuse ends a message this stack will not take, telling the sender, and
// without remembering it as done: it was not delivered, and a copy sent
// again must not be told it was.
func (e *messengent) refuse(stat string) {
	h := e.head
	h.PK = raet.PcktNack
	e.c.send(&h, e.r.HA)
	e.c.stat(stat)
	e.forget()
}

// forget ends the message here without remembering it as done.
func (e *messengent) forget() {
	if t, ok := e.r.transactions[e.index()]; ok && t == transaction(e) {
		delete(e.r.transactions, e.index())
	}
	e.release()
}
