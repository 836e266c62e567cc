package body

import (
	"math"

	"github.com/vmihailenco/msgpack/v5"
)

// Map is an ordered mapping with string keys, the shape of every RAET body.
// The reference keeps bodies in Python dicts (odict on receive), whose
// insertion order decides the order of keys on the wire, so a Go map cannot
// stand in for one when bytes must match.
type Map []Item

// Item is one key and its value in a Map.
type Item struct {
	Key   string
	Value any
}

func (m Map) index(key string) int {
	for i := range m {
		if m[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value of key.
func (m Map) Get(key string) (any, bool) {
	if i := m.index(key); i >= 0 {
		return m[i].Value, true
	}
	return nil, false
}

// Has reports whether key is present.
func (m Map) Has(key string) bool { return m.index(key) >= 0 }

// Set gives key the value v. A key already present keeps its position, as
// assigning to an existing key of a Python dict does.
func (m *Map) Set(key string, v any) {
	if i := m.index(key); i >= 0 {
		(*m)[i].Value = v
		return
	}
	*m = append(*m, Item{Key: key, Value: v})
}

// Delete removes key, keeping the order of the others.
func (m *Map) Delete(key string) {
	if i := m.index(key); i >= 0 {
		*m = append((*m)[:i], (*m)[i+1:]...)
	}
}

// Keys returns the keys in order.
func (m Map) Keys() []string {
	keys := make([]string, len(m))
	for i := range m {
		keys[i] = m[i].Key
	}
	return keys
}

// String returns the value of key if it is a string.
func (m Map) String(key string) (string, bool) {
	v, _ := m.Get(key)
	s, ok := v.(string)
	return s, ok
}

// Int returns the value of key if it is an integer that fits in an int64
// (AsInt64).
func (m Map) Int(key string) (int64, bool) {
	v, _ := m.Get(key)
	return AsInt64(v)
}

// AsInt64 returns v if it is an integer that fits in an int64. Decoding
// gives int64 (uint64 only above MaxInt64); the Go int kinds are accepted
// too so that a value built by Go code reads the same as a decoded one.
func AsInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case uint:
		return int64(n), uint64(n) <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

// Bool returns the value of key if it is a bool.
func (m Map) Bool(key string) (bool, bool) {
	v, _ := m.Get(key)
	b, ok := v.(bool)
	return b, ok
}

// Map returns the value of key if it is a Map (or a non-nil *Map).
func (m Map) Map(key string) (Map, bool) {
	v, _ := m.Get(key)
	switch x := v.(type) {
	case Map:
		return x, true
	case *Map:
		if x != nil {
			return *x, true
		}
	}
	return nil, false
}

// EncodeMsgpack makes a Map nested in a struct keep its order when the struct
// goes through the msgpack reflection encoder.
func (m Map) EncodeMsgpack(enc *msgpack.Encoder) error {
	b, err := AppendMsgpack(nil, m)
	if err != nil {
		return err
	}
	_, err = enc.Writer().Write(b)
	return err
}

// MarshalJSON makes a Map nested in a struct keep its order (and the Python
// spelling of its values) when the struct goes through encoding/json.
func (m Map) MarshalJSON() ([]byte, error) {
	return AppendJSON(nil, m)
}

// Ext is a msgpack extension value read from the wire, written back unchanged.
// The reference registers no extension types, so none is interpreted here:
// not even the timestamp (-1), whose several encodings must survive a round trip.
type Ext struct {
	Type int8
	Data []byte
}

// EncodeMsgpack writes e as an extension when it is nested in a struct.
func (e Ext) EncodeMsgpack(enc *msgpack.Encoder) error {
	_, err := enc.Writer().Write(appendMsgpackExt(nil, e))
	return err
}

// MarshalJSON refuses, as Python's json.dumps refuses msgpack.ExtType.
func (e Ext) MarshalJSON() ([]byte, error) {
	return nil, errf("json body: msgpack extension type %d cannot be written as JSON", e.Type)
}
