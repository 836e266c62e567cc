package py

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// AppendJSONLayout appends v as Python's json.dumps(v, indent=indent,
// ensure_ascii=ensureASCII) writes it. A negative indent is indent=None:
// one line, with the separators ", " and ": " (Salt's json outputter
// writes that for --out-indent -1). With ensureASCII off, characters from
// DEL up are written as themselves rather than \uXXXX, as Salt's json
// outputter (salt.utils.json.dumps) writes them. The values and the
// indented layout are body's, which writes json.dumps's own forms for
// raet's keep files; only these two outputter options are added here.
func AppendJSONLayout(dst []byte, v any, indent int, ensureASCII bool) ([]byte, error) {
	var (
		src []byte
		err error
	)
	if indent >= 0 {
		src, err = body.AppendJSONIndent(nil, v, indent)
	} else {
		src, err = body.AppendJSON(nil, v)
	}
	if err != nil {
		return dst, err
	}
	return relayoutJSON(dst, src, indent, ensureASCII), nil
}

// relayoutJSON rewrites JSON as body writes it for this indent (compact,
// with the separators "," and ":", when indent is negative; indented
// otherwise; ensure_ascii either way): a negative indent puts a space
// after each separator, and with ensureASCII off the \uXXXX escapes of
// characters from DEL up become the characters themselves. The input is
// well-formed, so it is walked byte by byte, strings skipped whole.
func relayoutJSON(dst, src []byte, indent int, ensureASCII bool) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"':
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
		case indent < 0 && (c == ',' || c == ':'):
			dst = append(dst, c, ' ')
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
