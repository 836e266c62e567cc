package pki

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The key files are written by hand rather than by a msgpack encoder so
// that the bytes are exactly those of salt.payload.Serial.dumps, which packs
// with use_bin_type=False (spec/salt-raet.md 2.2): every string is an old
// "raw" string, fixstr up to 31 bytes and str16 (0xda) above, never str8
// (0xd9), which msgpack-python only emits together with the bin type. Files
// written this way are therefore byte-identical to Salt's, and readable by
// the oldest msgpack decoders a Salt install might still use.

// encodeMap packs string pairs, in order, as a msgpack map (at most 15
// pairs, a fixmap, which is all these files need).
func encodeMap(kv ...string) []byte {
	b := []byte{0x80 | byte(len(kv)/2)}
	for _, s := range kv {
		b = py.AppendRawString(b, s)
	}
	return b
}

// encodeKeyFile is what RaetKey.status writes for a remote. The field order
// is the insertion order of its keydata dict, which is what Python 3
// writes.
func encodeKeyFile(id, pub, verify string) []byte {
	return encodeMap("minion_id", id, "pub", pub, "verify", verify)
}

// encodeLocalFile is what RaetKey.write_local writes.
func encodeLocalFile(priv, sign string) []byte {
	return encodeMap("priv", priv, "sign", sign)
}

// decodeStringMap reads a msgpack map whose keys are strings and returns
// the string values (str or bin, as Salt on Python 2 wrote raw strings and
// other writers use bin). Values of other types are kept as nil so that
// required fields can report them; trailing bytes and duplicate keys are
// refused, since neither comes from a real writer.
func decodeStringMap(b []byte) (map[string]*string, error) {
	dec := msgpack.NewDecoder(bytes.NewReader(b))
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, fmt.Errorf("not a msgpack map: %v", err)
	}
	if n < 0 {
		return nil, errors.New("not a msgpack map: nil")
	}
	m := make(map[string]*string, n)
	for i := 0; i < n; i++ {
		c, err := dec.PeekCode()
		if err != nil {
			return nil, fmt.Errorf("truncated msgpack map: %v", err)
		}
		if !isStringCode(c) {
			return nil, fmt.Errorf("map key %d is not a string (msgpack code 0x%02x)", i, c)
		}
		k, err := dec.DecodeString()
		if err != nil {
			return nil, fmt.Errorf("map key %d: %v", i, err)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("map key %q appears twice", k)
		}
		c, err = dec.PeekCode()
		if err != nil {
			return nil, fmt.Errorf("truncated msgpack map at %q: %v", k, err)
		}
		if !isStringCode(c) {
			if err := dec.Skip(); err != nil {
				return nil, fmt.Errorf("value of %q: %v", k, err)
			}
			m[k] = nil
			continue
		}
		v, err := dec.DecodeString()
		if err != nil {
			return nil, fmt.Errorf("value of %q: %v", k, err)
		}
		m[k] = &v
	}
	if _, err := dec.PeekCode(); !errors.Is(err, io.EOF) {
		return nil, errors.New("bytes after the msgpack map")
	}
	return m, nil
}

func isStringCode(c byte) bool {
	return msgpcode.IsString(c) || msgpcode.IsBin(c)
}

func field(m map[string]*string, name string) (string, error) {
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("no %q field", name)
	}
	if v == nil {
		return "", fmt.Errorf("field %q is not a string", name)
	}
	return *v, nil
}

// decodeKeyFile reads a remote key file: {minion_id, pub, verify}, all
// strings, pub and verify 64 hex digits. Other fields are ignored. The
// minion_id field is not compared with the file name, as RaetKey never
// compares it: the file name is the id.
func decodeKeyFile(b []byte) (Key, error) {
	m, err := decodeStringMap(b)
	if err != nil {
		return Key{}, err
	}
	if _, err := field(m, "minion_id"); err != nil {
		return Key{}, err
	}
	var k Key
	for _, f := range []struct {
		name string
		dst  *string
	}{{"pub", &k.Pub}, {"verify", &k.Verify}} {
		v, err := field(m, f.name)
		if err != nil {
			return Key{}, err
		}
		if *f.dst, err = normHex(f.name, v); err != nil {
			return Key{}, err
		}
	}
	return k, nil
}

// decodeLocalFile reads local.key: {priv, sign}, 64 hex digits each.
func decodeLocalFile(b []byte) (priv, sign string, err error) {
	m, err := decodeStringMap(b)
	if err != nil {
		return "", "", err
	}
	if priv, err = field(m, "priv"); err != nil {
		return "", "", err
	}
	if priv, err = normHex("priv", priv); err != nil {
		return "", "", err
	}
	if sign, err = field(m, "sign"); err != nil {
		return "", "", err
	}
	if sign, err = normHex("sign", sign); err != nil {
		return "", "", err
	}
	return priv, sign, nil
}
