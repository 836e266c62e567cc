package body

import (
	"bytes"
	"errors"
	"io"
	"math"
	"sync"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"
)

// DecodeMsgpack parses exactly one msgpack value as raet's receiver does:
// msgpack.loads(b, object_pairs_hook=odict) with raw=False. Trailing bytes
// are an error.
//
// Maps whose keys are all strings become Map (a repeated key keeps its first
// position and its last value); str becomes string, whatever its bytes, since
// peers before msgpack-python 1.0 sent bytes in the str family; bin becomes
// []byte; every integer becomes int64, or uint64 above MaxInt64; float32 and
// float64 become float64; extension types, the timestamp included, stay raw
// as Ext. A map with a key of another type becomes map[any]any: nil, bool,
// number and string keys are kept as decoded, a bin key becomes a string, and
// keys that Go cannot hash or compare (lists, maps, extensions, NaN) are an
// error.
func DecodeMsgpack(b []byte) (any, error) {
	return decodeMsgpack(b, false)
}

// decodeMsgpack is DecodeMsgpack; with owned, b is the caller's to give
// away (decodeOwned).
func decodeMsgpack(b []byte, owned bool) (any, error) {
	p := msgpackParsers.Get().(*msgpackParser)
	defer p.release()
	p.b, p.owned = b, owned
	p.r.Reset(b)
	p.d.Reset(&p.r)
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if p.r.Len() != 0 {
		return nil, errf("msgpack body: %d bytes of extra data after the value at offset %d", p.r.Len(), p.off())
	}
	return v, nil
}

// Parsers are pooled for their scratch space (and the decoder and reader),
// which a body of any size would otherwise grow from nothing every time.
var msgpackParsers = sync.Pool{New: func() any {
	p := new(msgpackParser)
	p.d = msgpack.NewDecoder(&p.r)
	return p
}}

func (p *msgpackParser) release() {
	p.b, p.owned = nil, false
	p.r.Reset(nil)
	p.items, p.vals = resetScratch(p.items, p.vals)
	msgpackParsers.Put(p)
}

// msgpackParser walks a msgpack value with the primitives of
// vmihailenco/msgpack, checking every declared length against the bytes that
// remain before anything is allocated for it.
type msgpackParser struct {
	d     *msgpack.Decoder
	r     bytes.Reader // the decoder reads from r directly (no buffering)
	b     []byte       // all of the input, to slice strings and bytes from
	owned bool         // b is never written again: large strings may share it
	items []Item       // scratch for the maps being read, see mapBuilder
	vals  []any        // scratch for the lists being read
}

func (p *msgpackParser) off() int { return len(p.b) - p.r.Len() }

// fail turns an error of the msgpack library into a body error.
func (p *msgpackParser) fail(off int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errf("msgpack body: truncated: the value at offset %d needs more than the %d bytes given", off, len(p.b))
	}
	return errf("msgpack body: at offset %d: %v", off, err)
}

func (p *msgpackParser) value(depth int) (any, error) {
	off := p.off()
	c, err := p.d.PeekCode()
	if err != nil {
		return nil, p.fail(off, err)
	}
	switch {
	case c <= 0x7f || c >= 0xe0, c >= 0xd0 && c <= 0xd3: // fixints, int 8..64
		n, err := p.d.DecodeInt64()
		if err != nil {
			return nil, p.fail(off, err)
		}
		return n, nil
	case c >= 0xcc && c <= 0xcf: // uint 8..64
		n, err := p.d.DecodeUint64()
		if err != nil {
			return nil, p.fail(off, err)
		}
		if n > math.MaxInt64 {
			return n, nil
		}
		return int64(n), nil
	case c >= 0xa0 && c <= 0xbf, c >= 0xd9 && c <= 0xdb: // str
		raw, err := p.bytes(off)
		if err != nil {
			return nil, err
		}
		if p.owned && len(raw) >= shareStringsFrom {
			return unsafe.String(&raw[0], len(raw)), nil
		}
		return string(raw), nil
	case c >= 0xc4 && c <= 0xc6: // bin
		raw, err := p.bytes(off)
		if err != nil {
			return nil, err
		}
		// A copy: the caller's datagram buffer is likely reused.
		return append([]byte{}, raw...), nil
	case c >= 0x80 && c <= 0x8f, c == 0xde, c == 0xdf:
		return p.mapValue(off, depth+1)
	case c >= 0x90 && c <= 0x9f, c == 0xdc, c == 0xdd:
		return p.array(off, depth+1)
	case c == 0xc0:
		if err := p.d.DecodeNil(); err != nil {
			return nil, p.fail(off, err)
		}
		return nil, nil
	case c == 0xc2 || c == 0xc3:
		v, err := p.d.DecodeBool()
		if err != nil {
			return nil, p.fail(off, err)
		}
		return v, nil
	case c == 0xca || c == 0xcb:
		f, err := p.d.DecodeFloat64()
		if err != nil {
			return nil, p.fail(off, err)
		}
		return f, nil
	case c >= 0xd4 && c <= 0xd8, c >= 0xc7 && c <= 0xc9:
		typ, n, err := p.d.DecodeExtHeader()
		if err != nil {
			return nil, p.fail(off, err)
		}
		raw, err := p.take(off, n, "extension")
		if err != nil {
			return nil, err
		}
		return Ext{Type: typ, Data: append([]byte{}, raw...)}, nil
	}
	return nil, errf("msgpack body: invalid code 0x%02x at offset %d", c, off)
}

// bytes reads the length of a str or bin and returns its bytes, in place.
func (p *msgpackParser) bytes(off int) ([]byte, error) {
	n, err := p.d.DecodeBytesLen()
	if err != nil {
		return nil, p.fail(off, err)
	}
	what := "str"
	if c := p.b[off]; c >= 0xc4 && c <= 0xc6 {
		what = "bin"
	}
	return p.take(off, n, what)
}

// take returns the next n bytes of the input without copying them.
func (p *msgpackParser) take(off, n int, what string) ([]byte, error) {
	if n < 0 || n > p.r.Len() {
		return nil, errf("msgpack body: %s at offset %d has %d bytes but only %d remain", what, off, uint32(n), p.r.Len())
	}
	start := p.off()
	if _, err := p.r.Seek(int64(n), io.SeekCurrent); err != nil {
		return nil, p.fail(off, err)
	}
	return p.b[start : start+n], nil
}

func (p *msgpackParser) array(off, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep("msgpack", maxDepth)
	}
	n, err := p.d.DecodeArrayLen()
	if err != nil {
		return nil, p.fail(off, err)
	}
	// Every element takes at least one byte.
	if n < 0 || n > p.r.Len() {
		return nil, errf("msgpack body: list at offset %d has %d items but only %d bytes remain", off, uint32(n), p.r.Len())
	}
	// The items go to scratch space first: every level of a hostile body
	// may claim nearly all the bytes that remain, and reserving what it
	// claims would make memory follow the claims, not the input.
	start := len(p.vals)
	for range n {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.vals = append(p.vals, v)
	}
	return takeValues(&p.vals, start), nil
}

func (p *msgpackParser) mapValue(off, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep("msgpack", maxDepth)
	}
	n, err := p.d.DecodeMapLen()
	if err != nil {
		return nil, p.fail(off, err)
	}
	// Every entry takes at least two bytes, a key and a value.
	if n < 0 || uint64(n)*2 > uint64(p.r.Len()) {
		return nil, errf("msgpack body: map at offset %d has %d entries but only %d bytes remain", off, uint32(n), p.r.Len())
	}
	mb := newMapBuilder(&p.items)
	var other map[any]any // once a key is not a string
	for range n {
		koff := p.off()
		if c, err := p.d.PeekCode(); err == nil && (c >= 0xa0 && c <= 0xbf || c >= 0xd9 && c <= 0xdb) {
			// The usual key, read without boxing it in an interface.
			raw, err := p.bytes(koff)
			if err != nil {
				return nil, err
			}
			key := string(raw)
			v, err := p.value(depth)
			if err != nil {
				return nil, err
			}
			if other == nil {
				mb.add(key, v)
			} else {
				other[key] = v
			}
			continue
		}
		k, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		switch key := k.(type) {
		case []byte:
			k = string(key) // as old peers would have sent it: a str
		case nil, bool, int64, uint64:
		case float64:
			if math.IsNaN(key) {
				return nil, errf("msgpack body: map key at offset %d is NaN", koff)
			}
		default:
			return nil, errf("msgpack body: map key at offset %d is %s, which cannot be a key", koff, withArticle(typeName(k)))
		}
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if key, ok := k.(string); ok && other == nil {
			mb.add(key, v)
			continue
		}
		if other == nil {
			other = make(map[any]any, len(*mb.items)-mb.start+1)
			for _, it := range (*mb.items)[mb.start:] {
				other[it.Key] = it.Value
			}
			mb.drop()
		}
		other[k] = v
	}
	if other != nil {
		return other, nil
	}
	return mb.done(), nil
}
