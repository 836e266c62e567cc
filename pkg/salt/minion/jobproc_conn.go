package minion

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// maxFrame bounds one frame between a minion and a job process: a return
// or a file chunk is far smaller; a corrupt length must not allocate
// gigabytes.
const maxFrame = 256 << 20

// The frames between a minion and one of its job processes (jobproc.go):
// each a msgpack mapping, its length first (4 bytes, big-endian). op says
// what it is: the parent's "start", the child's "call" (id, method, args)
// answered by a "reply" (id, ret, err), its "log" lines, and its "result".
const (
	opStart  = "start"
	opCall   = "call"
	opReply  = "reply"
	opLog    = "log"
	opResult = "result"
)

// errConnClosed is why a call fails when the other end is gone.
var errConnClosed = errors.New("the minion's job channel is closed")

func writeFrame(w io.Writer, frame body.Map) error {
	data, err := body.Encode(raet.BodyMsgpack, frame)
	if err != nil {
		return err
	}
	var head [4]byte
	binary.BigEndian.PutUint32(head[:], uint32(len(data)))
	// Head and frame in one write (writev on the socket), the frame not
	// copied behind its head: a job's publish or return may be megabytes.
	bufs := net.Buffers{head[:], data}
	_, err = bufs.WriteTo(w)
	return err
}

func readFrame(r io.Reader) (body.Map, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > maxFrame {
		return nil, fmt.Errorf("job channel: a frame of %d bytes", n)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	return body.DecodeOwned(raet.BodyMsgpack, data) // data is this frame's own
}

// jobConn is one end of the channel between a minion and a job process:
// frames written one at a time, and calls waiting for their replies.
type jobConn struct {
	c   net.Conn
	wmu sync.Mutex

	mu     sync.Mutex
	next   int64
	calls  map[int64]chan body.Map
	closed bool
}

func newJobConn(c net.Conn) *jobConn { return &jobConn{c: c, calls: map[int64]chan body.Map{}} }

func (j *jobConn) send(frame body.Map) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	return writeFrame(j.c, frame)
}

// call sends a call and waits for its reply: the reply's ret, or its err
// as an error.
func (j *jobConn) call(ctx context.Context, method string, args body.Map) (any, error) {
	ch := make(chan body.Map, 1)
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil, errConnClosed
	}
	j.next++
	id := j.next
	j.calls[id] = ch
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		delete(j.calls, id)
		j.mu.Unlock()
	}()
	if args == nil {
		args = body.Map{}
	}
	if err := j.send(body.Map{{Key: "op", Value: opCall}, {Key: "id", Value: id},
		{Key: "method", Value: method}, {Key: "args", Value: args}}); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case reply, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("%s: %w", method, errConnClosed)
		}
		if msg, _ := reply.String("err"); msg != "" {
			return nil, errors.New(msg)
		}
		ret, _ := reply.Get("ret")
		return ret, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// deliver gives a reply to the call waiting for it.
func (j *jobConn) deliver(reply body.Map) {
	id, _ := reply.Int("id")
	j.mu.Lock()
	ch := j.calls[id]
	j.mu.Unlock()
	if ch != nil {
		ch <- reply
	}
}

// shut fails the calls still waiting: the other end is gone.
func (j *jobConn) shut() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	j.closed = true
	for id, ch := range j.calls {
		close(ch)
		delete(j.calls, id)
	}
}

// reply answers the call of frame with ret, or err.
func (j *jobConn) reply(call body.Map, ret any, err error) error {
	id, _ := call.Int("id")
	out := body.Map{{Key: "op", Value: opReply}, {Key: "id", Value: id}, {Key: "ret", Value: ret}}
	if err != nil {
		msg := err.Error()
		if msg == "" {
			msg = "error"
		}
		out = append(out, body.Item{Key: "err", Value: msg})
	}
	return j.send(out)
}
