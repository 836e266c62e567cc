package wire

import (
	"bytes"
	"math"
	"strconv"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Reading a head: the two forms the reference writes, every field checked
// against the range it can hold, and the head against the datagram.

// headEnd finds the end of the head at the start of a datagram and its kind,
// the way RxHead.parse recognises them: a RAET head starts with "ri RAET\n"
// and a JSON head with `{"ri":"RAET",`, each up to its first terminator.
func headEnd(b []byte) (raet.HeadKind, int, error) {
	switch {
	case bytes.HasPrefix(b, []byte(raetHeadPrefix)):
		if i := bytes.Index(b, []byte(raet.HeadEnd)); i >= 0 {
			return raet.HeadRaet, i + len(raet.HeadEnd), nil
		}
	case bytes.HasPrefix(b, []byte(jsonHeadPrefix)):
		if i := bytes.Index(b, []byte(raet.JSONEnd)); i >= 0 {
			return raet.HeadJSON, i + len(raet.JSONEnd), nil
		}
	}
	return raet.HeadUnknown, 0, raet.Errorf(raet.CodeHead, "unrecognizable packet head")
}

// ParseHead reads the head at the start of datagram b and checks it against
// the datagram as the reference does: the head kind found must be the one the
// head states, hl must be the head's length, pl the datagram's, vn 0, and
// the body, coat and foot kinds ones that are implemented, fl fitting fk.
// Unlike the reference, which raises exceptions it does not catch, every
// malformed head is an error here, and numbers are checked against the range
// their field can hold.
func ParseHead(b []byte) (Head, error) {
	var h Head
	hk, end, err := headEnd(b)
	if err != nil {
		return h, err
	}
	if hk == raet.HeadRaet {
		err = parseRaetHead(&h, b[:end-len(raet.HeadEnd)])
	} else {
		err = parseJSONHead(&h, b[:end-len(raet.JSONEnd)])
	}
	if err != nil {
		return h, err
	}
	if h.HK != hk {
		return h, raet.Errorf(raet.CodeHead, "head is written as %s but says hk %d", hk, h.HK)
	}
	if h.HL != end {
		return h, raet.Errorf(raet.CodeLength, "actual head length %d does not match head field hl %d", end, h.HL)
	}
	if h.PL != len(b) {
		return h, raet.Errorf(raet.CodeLength, "actual packet length %d does not match head field pl %d", len(b), h.PL)
	}
	if h.VN != raet.Version {
		return h, raet.Errorf(raet.CodeVersion, "received incompatible version %d", h.VN)
	}
	return h, checkKinds(&h)
}

// parseRaetHead reads "key value" lines. Each line has exactly one space, as
// the reference's line.split(' ') demands; an unknown or repeated key is an
// error. The reference also lists bl and cl as head keys but has no format for
// them and crashes on them: here they are unknown.
func parseRaetHead(h *Head, text []byte) error {
	var seen uint32 // bit i: headFields[i]; bits 28..31: ri, pl, hl, fg
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || bytes.IndexByte(line[sp+1:], ' ') >= 0 {
			return raet.Errorf(raet.CodeHead, "head line %q is not one key and one value", clip(line))
		}
		key, val := line[:sp], line[sp+1:]
		var bit uint32
		switch string(key) { // the conversions here compile to comparisons: no allocation
		case "ri":
			bit = 1 << 28
			if string(val) != "RAET" {
				return raet.Errorf(raet.CodeHead, "head field ri is %q, not RAET", clip(val))
			}
		case "pl", "hl":
			// Constant names, not string(key): no allocation per packet.
			name, dst, b := "pl", &h.PL, uint32(1<<29)
			if key[0] == 'h' {
				name, dst, b = "hl", &h.HL, 1<<30
			}
			bit = b
			v, err := parseHex(name, val, math.MaxUint32)
			if err != nil {
				return err
			}
			*dst = int(v)
		case "fg":
			bit = 1 << 31
			v, err := parseHex("fg", val, math.MaxUint8)
			if err != nil {
				return err
			}
			h.SetFG(byte(v))
		default:
			i, ok := headFieldIndex[string(key)]
			if !ok {
				return raet.Errorf(raet.CodeHead, "unknown head field %q", clip(key))
			}
			bit = 1 << i
			f := &headFields[i]
			if f.isInt {
				v, err := parseHex(f.key, val, f.max)
				if err != nil {
					return err
				}
				if v < f.min {
					return raet.Errorf(raet.CodeHead, "head field %s %d is below %d", f.key, v, f.min)
				}
				f.set(h, v)
			} else {
				v, err := strconv.ParseFloat(string(val), 64)
				if err != nil {
					return raet.Errorf(raet.CodeHead, "head field dt %q is not a float", clip(val))
				}
				h.DT = v
			}
		}
		if seen&bit != 0 {
			return raet.Errorf(raet.CodeHead, "head field %s appears twice", clip(key))
		}
		seen |= bit
	}
	return nil
}

// parseJSONHead reads a JSON head: pl, hl and fg are hex strings, every other
// field a JSON number. Keys the reference does not write are ignored, as its
// data.update(kit) ignores them in effect. JSON heads are rare (the stacks
// always send RAET heads), so the general body parser reads them.
func parseJSONHead(h *Head, text []byte) error {
	v, err := body.DecodeJSON(text)
	if err != nil {
		return raet.Errorf(raet.CodeHead, "json head: %v", err)
	}
	m, ok := v.(body.Map)
	if !ok {
		return raet.Errorf(raet.CodeHead, "json head is not an object")
	}
	if ri, _ := m.String("ri"); ri != "RAET" {
		return raet.Errorf(raet.CodeHead, `json head field ri is not "RAET"`)
	}
	for _, it := range m {
		switch it.Key {
		case "ri":
		case "pl", "hl", "fg":
			s, ok := it.Value.(string)
			if !ok {
				return raet.Errorf(raet.CodeHead, "json head field %s is not a hex string", it.Key)
			}
			max := uint64(math.MaxUint32)
			if it.Key == "fg" {
				max = math.MaxUint8
			}
			v, err := parseHex(it.Key, []byte(s), max)
			if err != nil {
				return err
			}
			switch it.Key {
			case "pl":
				h.PL = int(v)
			case "hl":
				h.HL = int(v)
			default:
				h.SetFG(byte(v))
			}
		default:
			i, known := headFieldIndex[it.Key]
			if !known {
				continue
			}
			f := &headFields[i]
			if !f.isInt {
				switch n := it.Value.(type) {
				case float64:
					h.DT = n
				case int64:
					h.DT = float64(n)
				default:
					return raet.Errorf(raet.CodeHead, "json head field dt is not a number")
				}
				continue
			}
			n, ok := it.Value.(int64)
			if !ok || n < int64(f.min) || uint64(n) > f.max {
				return raet.Errorf(raet.CodeHead, "json head field %s is not an integer from %d to %d", it.Key, f.min, f.max)
			}
			f.set(h, uint64(n))
		}
	}
	return nil
}

func parseHex(key string, val []byte, max uint64) (uint64, error) {
	if len(val) == 0 || len(val) > 16 {
		return 0, raet.Errorf(raet.CodeHead, "head field %s %q is not hex", key, clip(val))
	}
	var v uint64
	for _, c := range val {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, raet.Errorf(raet.CodeHead, "head field %s %q is not hex", key, clip(val))
		}
		v = v<<4 | uint64(d)
	}
	if v > max {
		return 0, raet.Errorf(raet.CodeHead, "head field %s %#x exceeds %#x", key, v, max)
	}
	return v, nil
}

// clip keeps error messages about hostile input short.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
