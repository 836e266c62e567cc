package master

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// tracks numbers the requests' tracks.
var tracks atomic.Int64

// request sends a load to the master as a file client does, on a fresh
// track, and waits for the answer on that track.
func (mn *minion) request(tm *tmaster, load body.Map) any {
	mn.t.Helper()
	track := fmt.Sprintf("track%013d", tracks.Add(1))
	mn.send(protocol.Request(mn.estate(), tm.m.EstateName(), track, load))
	deadline := time.After(wait)
	for {
		select {
		case m := <-mn.others:
			rt := routeOf(mn.t, m)
			if rt.Dst.Share != track {
				continue // an answer to an earlier request
			}
			if rt.Src.Estate != tm.m.EstateName() || rt.Dst.Estate != mn.estate() {
				mn.t.Fatalf("reply route %v", rt)
			}
			ret, ok := protocol.ReplyValue(m)
			if !ok {
				mn.t.Fatalf("reply without a return: %v", m)
			}
			return ret
		case <-deadline:
			mn.t.Fatalf("%s got no answer on %s", mn.id, track)
		}
	}
}

// fileTree writes a file_roots tree and returns the config lines for it.
func fileTree(t *testing.T, root string, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(root, "srv", "salt")
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprintf("file_roots:\n  base:\n    - %s\n", dir)
}

func TestFileServerOverTheRoad(t *testing.T) {
	root := shortTemp(t)
	big := bytes.Repeat([]byte("salt raet "), 500) // 5000 bytes, five chunks
	if err := os.WriteFile(filepath.Join(root, "secret"), []byte("TOP SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	roots := fileTree(t, root, map[string][]byte{"big.bin": big, "apache/init.sls": []byte("apache: pkg.installed\n")})
	if err := os.Symlink(filepath.Join(root, "secret"), filepath.Join(root, "srv", "salt", "leak")); err != nil {
		t.Fatal(err)
	}
	tm := newMaster(t, roots+"file_buffer_size: 1000\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)

	list, err := protocol.ParsePathList(web1.request(tm, protocol.FileListLoad(protocol.CmdFileList, protocol.FileListQuery{Saltenv: "base"})))
	if err != nil || strings.Join(list, ",") != "apache/init.sls,big.bin" {
		t.Fatalf("file list %v %v", list, err)
	}
	envs, _ := protocol.ParsePathList(web1.request(tm, protocol.FileEnvsLoad()))
	if strings.Join(envs, ",") != "base" {
		t.Fatalf("envs %v", envs)
	}
	h, found, err := protocol.ParseFileHash(web1.request(tm, protocol.FileRefLoad(protocol.CmdFileHash, protocol.FileRef{Path: "big.bin", Saltenv: "base"})))
	sum := sha256.Sum256(big)
	if err != nil || !found || h.Hsum != hex.EncodeToString(sum[:]) || h.HashType != "sha256" {
		t.Fatalf("hash %+v %v %v", h, found, err)
	}
	var got []byte
	for chunks := 0; ; chunks++ {
		c, err := protocol.ParseFileChunk(web1.request(tm, protocol.ServeFileLoad(protocol.ServeFile{Path: "big.bin", Loc: int64(len(got)), Saltenv: "base"})))
		if err != nil || c.Dest != "big.bin" || len(c.Data) > 1000 {
			t.Fatalf("chunk %d: dest %q, %d bytes, %v", chunks, c.Dest, len(c.Data), err)
		}
		if len(c.Data) == 0 {
			if chunks != 5 {
				t.Fatalf("%d chunks, want 5", chunks)
			}
			break
		}
		got = append(got, c.Data...)
	}
	if !bytes.Equal(got, big) {
		t.Fatal("the file came back different")
	}

	// Out of the roots: not found, and a warning naming the minion.
	for _, p := range []string{"../../secret", "leak", "/etc/passwd"} {
		c, err := protocol.ParseFileChunk(web1.request(tm, protocol.ServeFileLoad(protocol.ServeFile{Path: p, Saltenv: "base"})))
		if err != nil || c.Dest != "" || len(c.Data) != 0 {
			t.Fatalf("%s: %+v %v", p, c, err)
		}
	}
	logs := tm.logs.String()
	if !strings.Contains(logs, `minion web1`) || !strings.Contains(logs, `"leak"`) || strings.Contains(logs, "TOP SECRET") {
		t.Fatalf("log of the refusals:\n%s", logs)
	}
	if n := tm.m.Stats()["file_request"]; n < 10 {
		t.Fatalf("file_request counted %d", n)
	}
}

func TestFileRecv(t *testing.T) {
	tm := newMaster(t, "file_recv: True\nfile_recv_max_size: 1\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	push := func(path []string, loc int64, data []byte) any {
		t.Helper()
		return web1.request(tm, protocol.FileRecvLoad(protocol.FileRecv{ID: "someone-else", Path: path,
			Size: int64(len(data)), Loc: loc, Data: data}))
	}
	if ret := push([]string{"etc", "fstab"}, 0, []byte("first ")); ret != true {
		t.Fatalf("push: %v", ret)
	}
	if ret := push([]string{"etc", "fstab"}, 6, []byte("second")); ret != true {
		t.Fatalf("second chunk: %v", ret)
	}
	// Kept under the id of the estate that signed it, not the load's.
	data, err := os.ReadFile(filepath.Join(tm.cfg.Cachedir, "minions", "web1", "files", "etc", "fstab"))
	if err != nil || string(data) != "first second" {
		t.Fatalf("pushed file %q %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(tm.cfg.Cachedir, "minions", "someone-else")); err == nil {
		t.Fatal("a push was kept under the id its load claimed")
	}
	for name, c := range map[string]struct {
		path []string
		loc  int64
	}{
		"dotdot":    {[]string{"..", "..", "web2", "files", "x"}, 0},
		"inner":     {[]string{"etc", "..", "..", "x"}, 0},
		"absolute":  {[]string{"/etc", "passwd"}, 0},
		"nul":       {[]string{"a\x00b"}, 0},
		"empty":     {[]string{}, 0},
		"too large": {[]string{"big"}, 1<<20 - 2},
	} {
		if ret := push(c.path, c.loc, []byte("abc")); ret != false {
			t.Errorf("%s: push answered %v, want false", name, ret)
		}
	}
	if _, err := os.Stat(filepath.Join(tm.cfg.Cachedir, "minions", "web2")); err == nil {
		t.Fatal("a push escaped its minion's directory")
	}
	tm.waitStat("file_recv_refused", 5)
	tm.waitStat("file_recv_too_large", 1)
}

func TestFileRecvOffByDefault(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	ret := web1.request(tm, protocol.FileRecvLoad(protocol.FileRecv{Path: []string{"a"}, Data: []byte("x")}))
	if ret != false {
		t.Fatalf("push with file_recv off: %v", ret)
	}
	if _, err := os.Stat(filepath.Join(tm.cfg.Cachedir, "minions", "web1", "files")); err == nil {
		t.Fatal("a push was written with file_recv off")
	}
}

func TestFileserverBackendRefused(t *testing.T) {
	root := shortTemp(t)
	cfg := loadConfig(t, root, "fileserver_backend:\n  - roots\n  - git\n")
	conn, err := road.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg, nil, WithRoadConn(conn))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Key != "fileserver_backend" || !strings.Contains(err.Error(), "master:6: fileserver_backend:") ||
		!strings.Contains(err.Error(), `"gitfs" is not available`) {
		t.Fatalf("New: %v", err)
	}
}

func TestMasterOpts(t *testing.T) {
	dir := shortTemp(t)
	tm := newMaster(t, fmt.Sprintf("file_roots:\n  base: [%s]\n  prod: [%s]\n", dir, dir)+
		"top_file_merging_strategy: same\nnodegroups:\n  web: L@web1\nstate_top: site.sls\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	all, ok := web1.request(tm, protocol.MasterOptsLoad(false)).(body.Map)
	if !ok {
		t.Fatal("master opts is not a mapping")
	}
	keys := strings.Join(all.Keys(), ",")
	if keys != "file_roots,top_file_merging_strategy,env_order,default_top,renderer,failhard,state_top,"+
		"state_top_saltenv,nodegroups,state_auto_order,state_events,state_aggregate,jinja_env,jinja_sls_env,"+
		"jinja_lstrip_blocks,jinja_trim_blocks" {
		t.Fatalf("keys %s", keys)
	}
	if roots, _ := all.Map("file_roots"); strings.Join(roots.Keys(), ",") != "base,prod" || len(get(roots, "base").([]any)) != 0 {
		t.Fatalf("file_roots %v: want the envs with no directories", roots)
	}
	if get(all, "top_file_merging_strategy") != "same" || get(all, "state_top") != "site.sls" ||
		get(all, "nodegroups", "web") != "L@web1" || get(all, "renderer") != "jinja|yaml" || get(all, "default_top") != "base" {
		t.Fatalf("master opts %v", all)
	}
	envOnly, _ := web1.request(tm, protocol.MasterOptsLoad(true)).(body.Map)
	if strings.Join(envOnly.Keys(), ",") != "file_roots,top_file_merging_strategy,env_order,default_top" {
		t.Fatalf("env_only keys %v", envOnly.Keys())
	}
}

// A chunk with data is counted as served; the empty chunk at EOF and a
// file not found are not, so a fetch the minion's cache spared counts none.
func TestFileChunkServedCounted(t *testing.T) {
	root := shortTemp(t)
	tm := newMaster(t, fileTree(t, root, map[string][]byte{"f.txt": []byte("abcdef")})+"file_buffer_size: 4\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	for _, f := range []protocol.ServeFile{
		{Path: "f.txt", Loc: 0, Saltenv: "base"}, {Path: "f.txt", Loc: 4, Saltenv: "base"},
		{Path: "f.txt", Loc: 6, Saltenv: "base"}, {Path: "nothere.txt", Loc: 0, Saltenv: "base"},
	} {
		web1.request(tm, protocol.ServeFileLoad(f))
	}
	if n := tm.m.Stats()["file_chunk_served"]; n != 2 {
		t.Fatalf("file_chunk_served %d, want 2", n)
	}
}
