package keep

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// The keys of the two vector stacks, from vectors/keep/README.md.
var vectorKeys = map[string]struct{ sighex, prihex, verhex, pubhex string }{
	"alpha": {
		"74852728ebd460d9c42598d1256fcba654cbdb67a7ae7cbed2523683b5b4be0a",
		"b3184c2d368d758fc637acb103fc4208b4ef9510fa93fba84668f2c64d13c447",
		"926d7d046b025fe99b54d5c0e8d899749fe86de0549a6ab613c77860c06fcba9",
		"f3b4245efc691feabbd869cf3e6ec7cd49ade29b5a34cb0970be2f6212a2960d",
	},
	"beta": {
		"900228fe5d8b2feb065d1ba32bdc25655e68aaa07e26d144a9162907eba09fca",
		"9ae4e600d362d59e0ed969b9e1110cf293c72688d22afbfc0282e4dcc8342ee2",
		"b325c2f3d31b3f29e11f4bd7c1c229e286c6ce20b04d82e9fb16f0833676b3bd",
		"49d918458ad22cddbb15e158834739ed4b8c8d7d50a0181c8b454c5bb1c9745c",
	},
}

type vectorKeep struct {
	dir      []string // below vectors/
	kind     Kind
	obs      []string // path to the files map in observations.json
	local    string   // local estate name
	remote   string   // the one remote's name
	port     int      // local port
	rport    int      // remote port
	puid     uint32
	sid      uint32
	main     bool
	joined   *bool
	accepted raet.Acceptance
}

func boolp(b bool) *bool { return &b }

var vectorKeeps = []vectorKeep{
	{[]string{"keep", "json", "main"}, KindJSON, []string{"json", "files", "main"}, "alpha", "beta", 7590, 7591, 2, 2, false, boolp(true), raet.Accepted},
	{[]string{"keep", "json", "joiner"}, KindJSON, []string{"json", "files", "joiner"}, "beta", "alpha", 7591, 7590, 2, 2, true, boolp(true), raet.Accepted},
	{[]string{"keep", "msgpack", "main"}, KindMsgpack, []string{"msgpack", "files", "main"}, "alpha", "beta", 7592, 7593, 2, 2, false, boolp(true), raet.Accepted},
	{[]string{"keep", "msgpack", "joiner"}, KindMsgpack, []string{"msgpack", "files", "joiner"}, "beta", "alpha", 7593, 7592, 2, 2, true, boolp(true), raet.Accepted},
	{[]string{"keep", "pending-main"}, KindJSON, []string{"pending", "files"}, "alpha", "beta", 7594, 7595, 1, 0, false, nil, raet.Pending},
}

// observedFiles returns the decoded content of every file of one vector
// keep as observations.json records it, keyed by path below the keep.
func observedFiles(t *testing.T, path []string) map[string]map[string]any {
	t.Helper()
	var obs map[string]any
	testvectors.ReadJSON(t, &obs, "keep", "observations.json")
	var cur any = obs
	for _, p := range path {
		cur = cur.(map[string]any)[p]
	}
	out := map[string]map[string]any{}
	for name, v := range cur.(map[string]any) {
		out[name] = v.(map[string]any)["decoded"].(map[string]any)
	}
	return out
}

// asJSON turns a value into what encoding/json decodes its JSON form to, so
// that loaded structs compare with observations.json.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func haJSON(ha *HA) any {
	if ha == nil {
		return nil
	}
	return []any{ha.Host, ha.Port}
}

func localJSON(t *testing.T, l *Local) map[string]any {
	return asJSON(t, map[string]any{
		"name": l.Name, "uid": l.UID, "ha": haJSON(&l.HA), "iha": haJSON(l.IHA), "natted": l.Natted,
		"fqdn": l.FQDN, "dyned": l.Dyned, "sid": l.SID, "puid": l.PUID, "aha": haJSON(&l.AHA), "role": l.Role,
		"sighex": l.SigHex, "prihex": l.PriHex,
	}).(map[string]any)
}

func remoteJSON(t *testing.T, r *Remote) map[string]any {
	return asJSON(t, map[string]any{
		"name": r.Name, "uid": r.UID, "fuid": r.FUID, "ha": haJSON(&r.HA), "iha": haJSON(r.IHA), "natted": r.Natted,
		"fqdn": r.FQDN, "dyned": r.Dyned, "sid": r.SID, "main": r.Main, "kind": r.Kind, "joined": r.Joined, "role": r.Role,
		"acceptance": r.Acceptance, "verhex": r.VerHex, "pubhex": r.PubHex,
	}).(map[string]any)
}

// merge lays the fields of the role file over those of the estate file, as
// the reference's loaders do.
func merge(estate, role map[string]any, fields ...string) map[string]any {
	out := map[string]any{}
	for k, v := range estate {
		out[k] = v
	}
	for _, f := range fields {
		out[f] = role[f]
	}
	return out
}

func TestLoadVectorKeeps(t *testing.T) {
	for _, vk := range vectorKeeps {
		t.Run(filepath.Join(vk.dir[1:]...), func(t *testing.T) {
			ext := "." + string(vk.kind)
			k, err := Open(copyTree(t, testvectors.Path(t, vk.dir...)), vk.kind, raet.AutoNever)
			if err != nil {
				t.Fatal(err)
			}
			obs := observedFiles(t, vk.obs)

			l, err := k.LoadLocal()
			if err != nil || l == nil {
				t.Fatalf("LoadLocal = %v, %v", l, err)
			}
			want := merge(obs["local/estate"+ext], obs["role/local/role"+ext], "sighex", "prihex")
			if got := localJSON(t, l); !reflect.DeepEqual(got, want) {
				t.Errorf("local\n got %v\nwant %v", got, want)
			}
			keys := vectorKeys[vk.local]
			if l.Name != vk.local || l.Role != vk.local || l.UID != 1 || l.SID != 0 || l.PUID != vk.puid ||
				l.HA != (HA{"127.0.0.1", vk.port}) || l.AHA != l.HA || l.IHA != nil || l.FQDN != "localhost" ||
				l.SigHex != keys.sighex || l.PriHex != keys.prihex {
				t.Errorf("local = %+v", *l)
			}

			rs, err := k.LoadRemotes()
			if err != nil || len(rs) != 1 {
				t.Fatalf("LoadRemotes = %v, %v", rs, err)
			}
			r := rs[0]
			want = merge(obs["remote/estate."+vk.remote+ext], obs["role/remote/role."+vk.remote+ext], "acceptance", "verhex", "pubhex")
			if got := remoteJSON(t, r); !reflect.DeepEqual(got, want) {
				t.Errorf("remote\n got %v\nwant %v", got, want)
			}
			rkeys := vectorKeys[vk.remote]
			if r.Name != vk.remote || r.Role != vk.remote || r.UID != 2 || r.FUID != 2 || r.SID != vk.sid ||
				r.HA != (HA{"127.0.0.1", vk.rport}) || r.Main == nil || *r.Main != vk.main || r.Kind != 0 ||
				!reflect.DeepEqual(r.Joined, vk.joined) || r.Acceptance == nil || *r.Acceptance != vk.accepted ||
				r.VerHex != rkeys.verhex || r.PubHex != rkeys.pubhex {
				t.Errorf("remote = %+v", *r)
			}
		})
	}
}

// Dumping what was loaded writes every file of the vector keep again, byte
// for byte, and nothing else.
func TestDumpReproducesVectorKeeps(t *testing.T) {
	for _, vk := range vectorKeeps {
		t.Run(filepath.Join(vk.dir[1:]...), func(t *testing.T) {
			src := testvectors.Path(t, vk.dir...)
			k, err := Open(copyTree(t, src), vk.kind, raet.AutoNever)
			if err != nil {
				t.Fatal(err)
			}
			l, err := k.LoadLocal()
			if err != nil {
				t.Fatal(err)
			}
			rs, err := k.LoadRemotes()
			if err != nil {
				t.Fatal(err)
			}
			out, err := Open(t.TempDir(), vk.kind, raet.AutoNever)
			if err != nil {
				t.Fatal(err)
			}
			if err := out.DumpLocal(l); err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if err := out.DumpRemote(r); err != nil {
					t.Fatal(err)
				}
			}
			want, got := treeFiles(t, src), treeFiles(t, out.Dir())
			if !reflect.DeepEqual(keysOf(got), keysOf(want)) {
				t.Fatalf("files %v, want %v", keysOf(got), keysOf(want))
			}
			for name, w := range want {
				if !bytes.Equal(got[name], w) {
					t.Errorf("%s\n got %q\nwant %q", name, got[name], w)
				}
			}
		})
	}
}

// treeFiles reads every regular file below dir, keyed by relative path.
func treeFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keysOf(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// copyTree copies a vector keep to a temporary directory, so that tests
// that may write never touch the shared vectors.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for rel, b := range treeFiles(t, src) {
		p := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
