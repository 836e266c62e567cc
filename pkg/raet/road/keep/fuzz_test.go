package keep

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// Any bytes in a keep file load as a value, a cleared file or a FileError,
// never a panic, and a file is deleted only when cleared.
func FuzzLoad(f *testing.F) {
	for _, vk := range vectorKeeps {
		for rel, b := range treeFiles(f, testvectors.Path(f, vk.dir...)) {
			f.Add(vk.kind == KindMsgpack, filepath.Base(filepath.Dir(rel)) == "remote" && filepath.Dir(filepath.Dir(rel)) == "role", b)
		}
	}
	f.Fuzz(func(t *testing.T, msgpack, asRole bool, data []byte) {
		kind := KindJSON
		if msgpack {
			kind = KindMsgpack
		}
		k, err := Open(t.TempDir(), kind, raet.AutoOnce)
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{k.localPath(), k.remotePath("x")}
		if asRole {
			paths = []string{k.localRolePath(), k.remoteRolePath("beta")}
			// Estates that lead to those role files, written without the
			// fsyncs of DumpLocal and DumpRemote, which would slow fuzzing.
			src := testvectors.Path(t, "keep", string(kind), "main")
			for dst, from := range map[string]string{
				k.localPath():     filepath.Join(src, "local", "estate."+string(kind)),
				k.remotePath("x"): filepath.Join(src, "remote", "estate.beta."+string(kind)),
			} {
				b, err := os.ReadFile(from)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dst, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, p := range paths {
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, lerr := k.LoadLocal()
		_, rerr := k.LoadRemotes()
		_, serr := k.EvaluateRole("beta", verA, pubA, false)
		// Role files are never cleared; estate files only with ErrCleared.
		for i, err := range []error{lerr, rerr} {
			if err == nil {
				continue
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Errorf("not a FileError: %v", err)
			}
			if gone := !exists(paths[i]); gone != errors.Is(err, ErrCleared) {
				t.Errorf("%s: gone %v, err %v", paths[i], gone, err)
			}
		}
		if serr != nil && !errors.Is(serr, ErrMalformed) {
			t.Errorf("StatusRole: %v", serr)
		}
	})
}
