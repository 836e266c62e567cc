package fileserver

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// BenchmarkServe10MB serves a 10 MB file as the file client fetches it:
// its hash, then every chunk of file_buffer_size through Serve, loads and
// returns built as on the road (without the road). Salt's two defaults are
// measured: the master's 1 MB and the minion's 256 KB.
func BenchmarkServe10MB(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"1MB", 1 << 20}, {"256KB", 262144}} {
		b.Run(c.name, func(b *testing.B) { benchServe(b, c.size) })
	}
}

func benchServe(b *testing.B, bufSize int) {
	dir := b.TempDir()
	data := make([]byte, 10<<20)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Roots: map[string][]string{"base": {dir}}, BufferSize: bufSize})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ret, _ := s.Serve(protocol.CmdFileHash, protocol.FileRefLoad(protocol.CmdFileHash,
			protocol.FileRef{Path: "big.bin", Saltenv: "base"}))
		if _, found, _ := protocol.ParseFileHash(ret); !found {
			b.Fatal("no hash")
		}
		n := 0
		for loc := int64(0); ; {
			ret, _ := s.Serve(protocol.CmdServeFile, protocol.ServeFileLoad(protocol.ServeFile{
				Path: "big.bin", Loc: loc, Saltenv: "base"}))
			c, err := protocol.ParseFileChunk(ret)
			if err != nil {
				b.Fatal(err)
			}
			if len(c.Data) == 0 {
				break
			}
			loc += int64(len(c.Data))
			n++
		}
		if n != (len(data)+bufSize-1)/bufSize {
			b.Fatalf("%d chunks", n)
		}
	}
}

// BenchmarkHash10MB is the hash of a 10 MB file: cold (a new server, the
// file read and hashed) and cached (mtime and size unchanged).
func BenchmarkHash10MB(b *testing.B) {
	dir := b.TempDir()
	data := make([]byte, 10<<20)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	o := Options{Roots: map[string][]string{"base": {dir}}}
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			s, _ := New(o)
			if _, _, err := s.Hash("base", "big.bin"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		s, _ := New(o)
		for i := 0; i < b.N; i++ {
			if _, _, err := s.Hash("base", "big.bin"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
