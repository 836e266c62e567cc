package py

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"maps"
	"slices"

	"golang.org/x/crypto/sha3"
)

// hashlib maps the hashlib attribute names Salt's hash_type takes
// (getattr(hashlib, hash_type)) to Go's hashes.
var hashlib = map[string]func() hash.Hash{
	"md5":      md5.New,
	"sha1":     sha1.New,
	"sha224":   sha256.New224,
	"sha256":   sha256.New,
	"sha384":   sha512.New384,
	"sha512":   sha512.New,
	"sha3_224": func() hash.Hash { return sha3.New224() },
	"sha3_256": func() hash.Hash { return sha3.New256() },
	"sha3_384": func() hash.Hash { return sha3.New384() },
	"sha3_512": func() hash.Hash { return sha3.New512() },
}

// NewHash is getattr(hashlib, name)(); ok is false for a name hashlib
// does not have (or Go cannot give).
func NewHash(name string) (h hash.Hash, ok bool) {
	f, ok := hashlib[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// HashNames are the names NewHash knows, sorted.
func HashNames() []string { return slices.Sorted(maps.Keys(hashlib)) }
