package pyworker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The worker's protocol: on its stdin and stdout, frames of a 4-byte
// big-endian length and one msgpack map, as msgpack-python packs them
// (use_bin_type) and reads them (raw=False).
//
// Go → worker:
//
//	{op: init, id, conf_file, log_level, opts, grains, pillar}   first, once
//	{op: call, id: <n>, fun, data: <the publish>, [grains], [pillar]}
//	{op: functions, id: <n>}
//	{op: grains, id: <n>, core}   run <extension_modules>/grains over core
//	{op: cancel, id: <n>}    kill the call's process group
//	{op: reload}             build the loader again (extension modules changed)
//
// worker → Go:
//
//	{op: ready, version, python}   once the loader is built
//	{op: error, error}             instead of ready, then it exits
//	{id: <n>, found: false}        no such function
//	{id: <n>, found: true, return, retcode, success, out, [raised]}
//	{id: <n>, functions: [...]}
//	{id: <n>, grains, modules}     core with the custom grains merged over
//	{id: <n>, error: "..."}        the call's process died without a return
//
// Calls carry ids so that they overlap: the worker answers each when it is
// done, in any order. grains and pillar ride along a call only when they
// differ from what the worker was last given.

// MaxFrame bounds one frame (a return of a whole file tree is large, but a
// length beyond this is a broken stream, not a return).
const MaxFrame = 1 << 30

// item is one key of a frame with its value already packed.
type item struct {
	key string
	val []byte
}

// packed packs v as msgpack; values are what body encodes (the Python
// types a return can hold).
func packed(v any) ([]byte, error) { return body.AppendMsgpack(nil, v) }

// appendFrame appends a frame holding the map of items, in their order.
func appendFrame(dst []byte, items []item) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	n := len(items)
	switch {
	case n < 16:
		dst = append(dst, 0x80|byte(n))
	case n < 1<<16:
		dst = append(dst, 0xde, byte(n>>8), byte(n))
	default:
		return nil, fmt.Errorf("frame of %d keys", n)
	}
	var err error
	for _, it := range items {
		if dst, err = body.AppendMsgpack(dst, it.key); err != nil {
			return nil, err
		}
		dst = append(dst, it.val...)
	}
	size := len(dst) - start - 4
	if size > MaxFrame {
		return nil, fmt.Errorf("frame of %d bytes is over the limit", size)
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(size))
	return dst, nil
}

// frameOf packs a map of plain values as one frame.
func frameOf(m body.Map) ([]byte, error) {
	items := make([]item, 0, len(m))
	for _, it := range m {
		b, err := packed(it.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Key, err)
		}
		items = append(items, item{it.Key, b})
	}
	return appendFrame(nil, items)
}

// ReadFrame reads one frame and decodes its map.
func ReadFrame(r io.Reader) (body.Map, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(head[:])
	if size > MaxFrame {
		return nil, fmt.Errorf("frame of %d bytes is over the limit", size)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	v, err := body.DecodeMsgpack(buf)
	if err != nil {
		return nil, err
	}
	m, ok := v.(body.Map)
	if !ok {
		return nil, fmt.Errorf("frame holds %T, not a map", v)
	}
	return m, nil
}

// WriteFrame writes m as one frame (the test workers' side).
func WriteFrame(w io.Writer, m body.Map) error {
	b, err := frameOf(m)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
