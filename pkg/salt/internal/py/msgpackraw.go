package py

// AppendRawString appends s as msgpack-python packs a str with
// use_bin_type=False (salt.payload.dumps, the keep and token files): an
// old-spec raw, fixstr up to 31 bytes, str16 (0xda) up to 65,535 and str32
// above, never str8 (0xd9), which msgpack-python writes only with the bin
// type. Files written so are byte for byte Salt's.
func AppendRawString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n <= 31:
		b = append(b, 0xa0|byte(n))
	case n <= 0xffff:
		b = append(b, 0xda, byte(n>>8), byte(n))
	default:
		b = append(b, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}
