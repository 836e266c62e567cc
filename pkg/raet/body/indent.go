package body

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
	return relayoutJSON(dst, compact, max(indent, 0)), nil
}

// relayoutJSON lays out the compact JSON of AppendJSON (separators "," and
// ":", ensure_ascii) as json.dumps writes it with the given indent, which
// is not negative. The input is well-formed, so it is walked token by
// token: no formatting rule of AppendJSON is repeated here.
func relayoutJSON(dst, src []byte, indent int) []byte {
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
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			dst = append(dst, c)
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',')
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		case ' ', '\t', '\n', '\r':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd is the index just past the JSON string that starts at the
// quote src[i], escapes skipped; len(src) if it is not closed.
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}
