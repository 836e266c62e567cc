package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// fireTimeout bounds how long one salt/key event may wait to be handed to
// the master's socket: a master too busy to read it must not hold up the
// key changes, which are done by then.
const fireTimeout = 5 * time.Second

// keyEvents fires salt/key events on the master's event bus, as Salt's
// salt.key.Key fires them through the master's event socket after each key
// it accepts, rejects or deletes. Here they go as event_fire to the
// master's manor yard over its lane (protocol.FireEvent), from a yard of
// salt-key's own opened at the first event. When no master runs (no manor
// socket in sock_dir, or nobody reading it) nothing is fired and salt-key
// carries on: the events are for whoever listens, and the key files are
// what counts.
type keyEvents struct {
	sockDir, lane string
	log           *logger
	now           func() time.Time

	yard   *lane.Stack
	cancel context.CancelFunc
	ran    chan struct{}
	off    bool // no master, or the yard could not be opened: fire nothing more
}

func newKeyEvents(sockDir, laneName string, log *logger) *keyEvents {
	return &keyEvents{sockDir: sockDir, lane: laneName, log: log, now: time.Now}
}

// fire sends one salt/key event for id; act is accept, reject or delete.
func (e *keyEvents) fire(act, id string) {
	if e.off || !e.open() {
		return
	}
	msg := protocol.FireEvent(e.yard.Name(), protocol.TagKey, protocol.KeyEventData(act, id, e.now()))
	d := e.yard.Transmit(msg, protocol.YardManor)
	select {
	case <-d.Done():
	case <-time.After(fireTimeout):
		e.log.warnf("The master did not take the %s event for %s within %v; no more key events are fired", protocol.TagKey, id, fireTimeout)
		e.off = true
		return
	}
	switch err := d.Err(); {
	case err == nil:
		e.log.debugf("Fired %s (act %s, id %s) on the master's event bus", protocol.TagKey, act, id)
	case errors.Is(err, lane.ErrGone):
		e.log.debugf("No master reads %s: no %s events are fired", lane.HA(e.sockDir, e.lane, protocol.YardManor), protocol.TagKey)
		e.off = true
	default:
		e.log.warnf("Could not fire the %s event for %s on the master's event bus: %v", protocol.TagKey, id, err)
		e.off = true
	}
}

// open opens salt-key's yard on the master's lane, when the master's
// manor socket is there; it reports whether events can be sent.
func (e *keyEvents) open() bool {
	if e.yard != nil {
		return true
	}
	manor := lane.HA(e.sockDir, e.lane, protocol.YardManor)
	if _, err := os.Stat(manor); err != nil {
		e.log.debugf("No master runs (no %s): no %s events are fired", manor, protocol.TagKey)
		e.off = true
		return false
	}
	s, err := lane.NewStack(lane.Config{
		Name:          "salt_key" + lane.NewSessionID(),
		Lane:          e.lane,
		Dir:           e.sockDir,
		PackKind:      raet.PackMsgpack,
		RefuseUnknown: true,
	})
	if err == nil {
		err = s.AddYard(protocol.YardManor)
		if err != nil {
			s.Run(stopped()) // closes the socket and removes its file
		}
	}
	if err != nil {
		e.log.warnf("%v", fmt.Errorf("cannot open a yard in sock_dir %s to fire %s events: %w (salt-key must run as a user that may write there)", e.sockDir, protocol.TagKey, err))
		e.off = true
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.yard, e.cancel, e.ran = s, cancel, make(chan struct{})
	go func() {
		defer close(e.ran)
		_ = s.Run(ctx) // only stopped by close
	}()
	return true
}

// close closes the yard, if one was opened, removing its socket.
func (e *keyEvents) close() {
	if e.yard == nil {
		return
	}
	e.cancel()
	<-e.ran
	e.yard = nil
}

func stopped() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
