package body

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendJSONIndent appends v to dst as Python's json.dumps(v, indent=indent)
// writes it: every element of a non-empty list or dict on its own line,
// indented by indent spaces per level, items separated by "," at the end of
// the line and keys followed by ": " (json.dumps switches to these separators
// when indent is set). Empty lists and dicts stay "[]" and "{}". No newline
// follows the value. A negative indent is the same as 0, as ' ' * indent is
// empty in Python. Values are written as AppendJSON writes them (ensure_ascii,
// Python float repr, same refusals); raet's keep files are written this way
// (json.dump(data, f, indent=2)).
func AppendJSONIndent(dst []byte, v any, indent int) ([]byte, error) {
	compact, err := AppendJSON(nil, v)
	if err != nil {
		return dst, err
	}
	return relayoutJSON(dst, compact, max(indent, 0), true), nil
}

// AppendJSONLayout appends v as Python's json.dumps(v, indent=indent,
// ensure_ascii=ensureASCII) writes it. A negative indent is indent=None:
// one line, with the separators ", " and ": " (Salt's json outputter
// writes that for --out-indent -1). With ensureASCII off, characters from
// DEL up are written as themselves rather than \uXXXX, as Salt's json
// outputter (salt.utils.json.dumps) writes them.
func AppendJSONLayout(dst []byte, v any, indent int, ensureASCII bool) ([]byte, error) {
	compact, err := AppendJSON(nil, v)
	if err != nil {
		return dst, err
	}
	return relayoutJSON(dst, compact, indent, ensureASCII), nil
}

// relayoutJSON lays out the compact JSON of AppendJSON (separators "," and
// ":", ensure_ascii) as json.dumps writes it with the given indent (a
// negative one meaning indent=None: one line, ", " and ": "). With
// ensureASCII off, \uXXXX escapes of characters from DEL up become the
// characters themselves. The input is well-formed, so it is walked token by
// token: no formatting rule of AppendJSON is repeated here.
func relayoutJSON(dst, src []byte, indent int, ensureASCII bool) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth * indent {
			dst = append(dst, ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			j := i + 1
			dst = append(dst, '"')
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' && j+1 < len(src) {
					if src[j+1] == 'u' && !ensureASCII {
						if r, n, ok := unescapeU(src[j:]); ok {
							dst = utf8.AppendRune(dst, r)
							j += n
							continue
						}
					}
					dst = append(dst, src[j], src[j+1])
					j += 2
					continue
				}
				dst = append(dst, src[j])
				j++
			}
			dst = append(dst, '"')
			i = j
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			if indent >= 0 {
				newline()
			}
		case '}', ']':
			depth--
			if indent >= 0 {
				newline()
			}
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',')
			if indent >= 0 {
				newline()
			} else {
				dst = append(dst, ' ')
			}
		case ':':
			dst = append(dst, ':', ' ')
		case ' ', '\t', '\n', '\r':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// unescapeU reads a \uXXXX escape (and the low half of a surrogate pair
// after it) at the start of b. It reports false for a character below DEL,
// which json.dumps escapes whatever ensure_ascii says, and for a lone
// surrogate, which is left escaped.
func unescapeU(b []byte) (rune, int, bool) {
	hi, ok := hex4At(b, 2)
	if !ok || hi < 0x7f {
		return 0, 0, false
	}
	if utf16.IsSurrogate(hi) {
		if hi >= 0xdc00 || len(b) < 12 || b[6] != '\\' || b[7] != 'u' {
			return 0, 0, false
		}
		lo, ok := hex4At(b, 8)
		if !ok {
			return 0, 0, false
		}
		r := utf16.DecodeRune(hi, lo)
		if r == utf8.RuneError {
			return 0, 0, false
		}
		return r, 12, true
	}
	return hi, 6, true
}

func hex4At(b []byte, i int) (rune, bool) {
	if len(b) < i+4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
