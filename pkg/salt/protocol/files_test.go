package protocol_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// wire sends v through msgpack and back, as the road does.
func wire(t *testing.T, v any) any {
	t.Helper()
	b, err := body.AppendMsgpack(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := body.DecodeMsgpack(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wireMap(t *testing.T, m body.Map) body.Map {
	t.Helper()
	out, ok := wire(t, m).(body.Map)
	if !ok {
		t.Fatalf("%v came back as a %T", m, out)
	}
	return out
}

func TestServeFileLoadRoundTrip(t *testing.T) {
	want := protocol.ServeFile{Path: "apache/files/httpd.conf", Loc: 262144, Saltenv: "prod"}
	load := wireMap(t, protocol.ServeFileLoad(want))
	if cmd, _ := load.String("cmd"); cmd != protocol.CmdServeFile {
		t.Fatalf("cmd %q", cmd)
	}
	sameJSON(t, "keys", load.Keys(), []string{"path", "loc", "saltenv", "cmd"})
	got, err := protocol.ParseServeFile(load)
	if err != nil || got != want {
		t.Fatalf("got %+v %v, want %+v", got, err, want)
	}
}

func TestParseServeFileRefusesBadLoads(t *testing.T) {
	for name, load := range map[string]body.Map{
		"no path":      {{Key: "loc", Value: 0}, {Key: "saltenv", Value: "base"}},
		"no loc":       {{Key: "path", Value: "a"}, {Key: "saltenv", Value: "base"}},
		"negative loc": {{Key: "path", Value: "a"}, {Key: "loc", Value: -1}, {Key: "saltenv", Value: "base"}},
		"no saltenv":   {{Key: "path", Value: "a"}, {Key: "loc", Value: 0}},
		"list saltenv": {{Key: "path", Value: "a"}, {Key: "loc", Value: 0}, {Key: "saltenv", Value: []any{"x"}}},
		"path bytes":   {{Key: "path", Value: []byte("a")}, {Key: "loc", Value: 0}, {Key: "saltenv", Value: "base"}},
	} {
		if _, err := protocol.ParseServeFile(load); !errors.Is(err, protocol.ErrBadLoad) {
			t.Errorf("%s: err %v, want ErrBadLoad", name, err)
		}
	}
}

func TestSaltenvIsPythonStr(t *testing.T) {
	for v, want := range map[any]string{int64(2019): "2019", true: "True", "dev": "dev"} {
		ref, err := protocol.ParseFileRef(body.Map{{Key: "path", Value: "x"}, {Key: "saltenv", Value: v}})
		if err != nil || ref.Saltenv != want {
			t.Errorf("saltenv %v: got %q %v, want %q", v, ref.Saltenv, err, want)
		}
	}
}

func TestFileListQueryStripsPrefix(t *testing.T) {
	q, err := protocol.ParseFileListQuery(wireMap(t, protocol.FileListLoad(protocol.CmdFileList,
		protocol.FileListQuery{Saltenv: "base", Prefix: "/apache/"})))
	if err != nil || q.Saltenv != "base" || q.Prefix != "apache" {
		t.Fatalf("got %+v %v", q, err)
	}
	q, err = protocol.ParseFileListQuery(body.Map{{Key: "saltenv", Value: "base"}})
	if err != nil || q.Prefix != "" {
		t.Fatalf("no prefix: got %+v %v", q, err)
	}
}

func TestFileChunkRoundTrip(t *testing.T) {
	data := bytes.Repeat([]byte{0, 0xff, 'a'}, 1000)
	ret := wire(t, protocol.FileChunk{Data: data, Dest: "big.bin"}.Return())
	m := ret.(body.Map)
	if v, _ := m.Get("data"); reflect.TypeOf(v) != reflect.TypeOf([]byte(nil)) {
		t.Fatalf("data went as %T, want msgpack bin", v)
	}
	c, err := protocol.ParseFileChunk(ret)
	if err != nil || c.Dest != "big.bin" || !bytes.Equal(c.Data, data) {
		t.Fatalf("got %q %d bytes %v", c.Dest, len(c.Data), err)
	}
	// Salt's not-found answer.
	nf := wire(t, protocol.FileChunk{}.Return())
	sameJSON(t, "not found", nf, body.Map{{Key: "data", Value: ""}, {Key: "dest", Value: ""}})
	c, err = protocol.ParseFileChunk(nf)
	if err != nil || c.Dest != "" || len(c.Data) != 0 {
		t.Fatalf("not found: got %+v %v", c, err)
	}
	// End of file: a found file with no more data.
	c, err = protocol.ParseFileChunk(wire(t, protocol.FileChunk{Dest: "a"}.Return()))
	if err != nil || c.Dest != "a" || len(c.Data) != 0 {
		t.Fatalf("eof: got %+v %v", c, err)
	}
}

func TestFileHashReturns(t *testing.T) {
	h := protocol.FileHash{Hsum: "abc123", HashType: "sha256"}
	got, found, err := protocol.ParseFileHash(wire(t, protocol.FileHashReturn(h, true)))
	if err != nil || !found || got != h {
		t.Fatalf("got %+v %v %v", got, found, err)
	}
	if _, found, err := protocol.ParseFileHash(wire(t, protocol.FileHashReturn(h, false))); found || err != nil {
		t.Fatalf("not found: %v %v", found, err)
	}
	if _, _, err := protocol.ParseFileHash(int64(3)); err == nil {
		t.Fatal("an integer was taken as a hash")
	}
	stat := []int64{33188, 1, 2, 1, 1000, 1000, 10, 5, 6, 7}
	gh, gs, found, err := protocol.ParseFileHashAndStat(wire(t, protocol.FileHashAndStatReturn(h, stat, true)))
	if err != nil || !found || gh != h || !reflect.DeepEqual(gs, stat) {
		t.Fatalf("hash and stat: %+v %v %v %v", gh, gs, found, err)
	}
	nf := wire(t, protocol.FileHashAndStatReturn(h, stat, false))
	sameJSON(t, "not found", nf, []any{"", nil})
	if _, _, found, err := protocol.ParseFileHashAndStat(nf); found || err != nil {
		t.Fatalf("not found: %v %v", found, err)
	}
}

func TestListReturns(t *testing.T) {
	paths := []string{"a", "b/c"}
	got, err := protocol.ParsePathList(wire(t, protocol.PathListReturn(paths)))
	if err != nil || !reflect.DeepEqual(got, paths) {
		t.Fatalf("got %v %v", got, err)
	}
	if _, err := protocol.ParsePathList(wire(t, []any{"a", int64(1)})); err == nil {
		t.Fatal("a list with an integer was taken")
	}
	links := map[string]string{"l1": "t1", "d/l2": "../t2"}
	sl, err := protocol.ParseSymlinks(wire(t, protocol.SymlinksReturn(links, []string{"d/l2", "l1"})))
	if err != nil || !reflect.DeepEqual(sl, links) {
		t.Fatalf("got %v %v", sl, err)
	}
}

func TestFileRecvRoundTrip(t *testing.T) {
	want := protocol.FileRecv{ID: "web1", Path: []string{"etc", "fstab"}, Size: 3, Data: []byte("abc"), Loc: 0}
	load := wireMap(t, protocol.FileRecvLoad(want))
	sameJSON(t, "keys", load.Keys(), []string{"cmd", "id", "path", "size", "loc", "data"})
	got, err := protocol.ParseFileRecv(load)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v %v, want %+v", got, err, want)
	}
	for name, l := range map[string]body.Map{
		"path string":  {{Key: "path", Value: "etc/fstab"}, {Key: "loc", Value: 0}, {Key: "data", Value: []byte{}}},
		"negative loc": {{Key: "path", Value: []any{"a"}}, {Key: "loc", Value: -5}, {Key: "data", Value: []byte{}}},
		"no data":      {{Key: "path", Value: []any{"a"}}, {Key: "loc", Value: 0}},
		"path of ints": {{Key: "path", Value: []any{int64(1)}}, {Key: "loc", Value: 0}, {Key: "data", Value: []byte{}}},
	} {
		if _, err := protocol.ParseFileRecv(l); !errors.Is(err, protocol.ErrBadLoad) {
			t.Errorf("%s: err %v", name, err)
		}
	}
	if !protocol.ParseFileRecvReturn(true) || protocol.ParseFileRecvReturn(body.Map{}) {
		t.Fatal("file recv return misread")
	}
}
