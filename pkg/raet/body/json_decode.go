package body

import (
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeJSON parses one JSON value as raet's receiver does:
// json.loads(b.decode('utf-8'), object_pairs_hook=odict). So the input must
// be UTF-8, NaN, Infinity and -Infinity are numbers, raw control characters
// in strings are refused (strict=True), and an object whose key repeats keeps
// the key where it first appeared with the value it was given last.
//
// Objects become Map, arrays []any, strings string. A number with '.', 'e'
// or 'E' is a float64; any other is an int64, a uint64 above MaxInt64, or,
// beyond the range of both, the nearest float64 (where Python would keep
// every digit). A lone surrogate escape (\ud800), which a Go string cannot
// hold, becomes U+FFFD. Only whitespace may follow the value.
func DecodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, errf("json body: invalid UTF-8 at offset %d", invalidUTF8Offset(b))
	}
	p := jsonParsers.Get().(*jsonParser)
	defer p.release()
	p.b, p.i = b, 0
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(b) {
		return nil, errf("json body: extra data at offset %d (%s after the value)", p.i, quoteChar(b, p.i))
	}
	return v, nil
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// quoteChar names the character at offset i for an error message.
func quoteChar(b []byte, i int) string {
	r, _ := utf8.DecodeRune(b[i:])
	return "character " + strconv.QuoteRune(r)
}

// Parsers are pooled for their scratch space, which a body of any size
// would otherwise grow from nothing every time.
var jsonParsers = sync.Pool{New: func() any { return new(jsonParser) }}

func (p *jsonParser) release() {
	p.b = nil
	p.items, p.vals = resetScratch(p.items, p.vals)
	jsonParsers.Put(p)
}

type jsonParser struct {
	b     []byte
	i     int
	items []Item // scratch for the objects being read, see mapBuilder
	vals  []any  // scratch for the arrays being read
}

func (p *jsonParser) skipSpace() {
	// Python's json skips exactly these four.
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) unexpected(expecting string) error {
	if p.i >= len(p.b) {
		return errf("json body: unexpected end of input at offset %d, expecting %s", p.i, expecting)
	}
	return errf("json body: invalid %s at offset %d, expecting %s", quoteChar(p.b, p.i), p.i, expecting)
}

func (p *jsonParser) literal(word string, v any) (any, error) {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return v, nil
	}
	return nil, p.unexpected("a value")
}

func (p *jsonParser) value(depth int) (any, error) {
	if p.i >= len(p.b) {
		return nil, p.unexpected("a value")
	}
	switch c := p.b[p.i]; c {
	case '{':
		return p.object(depth + 1)
	case '[':
		return p.array(depth + 1)
	case '"':
		return p.str()
	case 't':
		return p.literal("true", true)
	case 'f':
		return p.literal("false", false)
	case 'n':
		return p.literal("null", nil)
	case 'N':
		return p.literal("NaN", math.NaN())
	case 'I':
		return p.literal("Infinity", math.Inf(1))
	case '-':
		if p.i+1 < len(p.b) && p.b[p.i+1] == 'I' {
			return p.literal("-Infinity", math.Inf(-1))
		}
		return p.number()
	default:
		if c >= '0' && c <= '9' {
			return p.number()
		}
		return nil, p.unexpected("a value")
	}
}

func (p *jsonParser) object(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep("json", maxDepth)
	}
	p.i++ // '{'
	p.skipSpace()
	mb := newMapBuilder(&p.items)
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return mb.done(), nil
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.unexpected("a property name in double quotes")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.unexpected("':'")
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		mb.add(key, v)
		p.skipSpace()
		if p.i < len(p.b) {
			switch p.b[p.i] {
			case '}':
				p.i++
				return mb.done(), nil
			case ',':
				p.i++
				p.skipSpace()
				continue
			}
		}
		return nil, p.unexpected("',' or '}'")
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep("json", maxDepth)
	}
	p.i++ // '['
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []any{}, nil
	}
	start := len(p.vals)
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.vals = append(p.vals, v)
		p.skipSpace()
		if p.i < len(p.b) {
			switch p.b[p.i] {
			case ']':
				p.i++
				return takeValues(&p.vals, start), nil
			case ',':
				p.i++
				p.skipSpace()
				continue
			}
		}
		return nil, p.unexpected("',' or ']'")
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads what Python's NUMBER_RE matches:
// -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? . A '.' or an 'e' that no digit
// follows is not part of the number, so whatever comes next reports it.
func (p *jsonParser) number() (any, error) {
	b, start := p.b, p.i
	i := start
	neg := b[i] == '-'
	if neg {
		i++
	}
	if i >= len(b) || !isDigit(b[i]) {
		p.i = i
		return nil, p.unexpected("a digit")
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	intEnd := i
	isFloat := false
	if i+1 < len(b) && b[i] == '.' && isDigit(b[i+1]) {
		isFloat = true
		i += 2
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && isDigit(b[j]) {
			isFloat = true
			i = j + 1
			for i < len(b) && isDigit(b[i]) {
				i++
			}
		}
	}
	p.i = i
	if isFloat {
		f, err := strconv.ParseFloat(string(b[start:i]), 64)
		if err != nil && !isRangeErr(err) {
			return nil, errf("json body: bad number at offset %d: %v", start, err)
		}
		// Out of range is what Python gives too: inf, or 0.0.
		return f, nil
	}
	digits := b[start:intEnd]
	if neg {
		digits = digits[1:]
	}
	if len(digits) <= 18 {
		// Fits an int64 whatever the digits: no overflow check needed.
		var n int64
		for _, c := range digits {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	s := string(b[start:intEnd])
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if !neg {
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, nil
		}
	}
	// Python keeps big integers exactly; the nearest double is the best a
	// Go value of these types can do.
	f, _ := strconv.ParseFloat(s, 64)
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// str reads a string starting at the opening quote. The common string has no
// escapes and is sliced out in one piece.
func (p *jsonParser) str() (string, error) {
	b := p.b
	start := p.i + 1
	for i := start; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			p.i = i + 1
			return string(b[start:i]), nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", errf("json body: invalid control character 0x%02x at offset %d in a string", c, i)
		}
	}
	return "", errf("json body: unterminated string starting at offset %d", p.i)
}

func (p *jsonParser) strEscaped(start, i int) (string, error) {
	b := p.b
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", errf("json body: invalid control character 0x%02x at offset %d in a string", c, i)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(b, i+2)
			if !ok {
				return "", errf("json body: invalid \\uXXXX escape at offset %d", i)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A high surrogate joins a low one that follows as \uXXXX;
				// anything else leaves it alone, as in CPython's scanner.
				if r < 0xdc00 && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					r2, ok := hex4(b, i+2)
					if !ok {
						return "", errf("json body: invalid \\uXXXX escape at offset %d", i)
					}
					if r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
						i += 6
					}
				}
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return "", errf("json body: invalid escape \\%c at offset %d", rune(e), i)
		}
		i += 2
	}
	return "", errf("json body: unterminated string starting at offset %d", start-1)
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
