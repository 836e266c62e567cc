package job_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

func openCache(t *testing.T) (*job.Cache, string) {
	t.Helper()
	dir := t.TempDir()
	c, err := job.OpenCache(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

// fixedGen hands out jids from a clock that never moves, so they are
// predictable: base, base+1µs, ...
func fixedGen(base time.Time) *job.JIDGen {
	return &job.JIDGen{Location: time.UTC, Now: func() time.Time { return base }}
}

var base = time.Date(2026, 11, 22, 3, 45, 1, 123456000, time.UTC)

// listFiles returns every regular file below dir, relative, with its size.
func listFiles(t *testing.T, dir string) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = int(fi.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The cache writes a job as Salt 3006 did in the observed runs: the same
// directory for the jid, the same files, and files of the same sizes (the
// msgpack of the same values in the same order).
func TestCacheMatchesObservedJobs(t *testing.T) {
	for _, name := range []string{"job-cache-test.arg.json", "job-cache-test.ping.json"} {
		t.Run(name, func(t *testing.T) {
			obs, sample := readObserved(t, name)
			c, cachedir := openCache(t)
			load := sub(t, sample, ".load.p")
			jid, _ := sample.String("jid_file")
			minionsV, _ := sample.Get(".minions.p")
			var minions []string
			for _, m := range minionsV.([]any) {
				minions = append(minions, m.(string))
			}
			if err := c.SaveLoad(jid, load, minions); err != nil {
				t.Fatal(err)
			}
			for _, id := range minions {
				ret := sub(t, sample, id, "return.p")
				// A return load as the minion sends it: the cache keeps
				// only return, retcode and success, in that order.
				r := job.ReturnLoad(job.Return{ID: id, JID: jid, Fun: "test.x", Return: ret[0].Value,
					Retcode: ptr(int64(0)), Success: true})
				if err := c.SaveReturn(jid, id, r); err != nil {
					t.Fatal(err)
				}
			}
			dir, _ := sample.String("dir")
			if got, want := filepath.ToSlash(must(filepath.Rel(cachedir, c.Dir(jid)))), dir; got != want {
				t.Fatalf("job dir %s, want %s", got, want)
			}
			want := map[string]int{}
			for _, l := range obs.Layout {
				if rel, ok := strings.CutPrefix(l.Path, dir+"/"); ok {
					want[rel] = l.Bytes
				}
			}
			if len(want) < 4 {
				t.Fatalf("layout of %s not found in %s", dir, name)
			}
			got := listFiles(t, c.Dir(jid))
			if !maps.Equal(got, want) {
				t.Errorf("files and sizes:\n got %v\nwant %v", got, want)
			}
			b, err := os.ReadFile(filepath.Join(c.Dir(jid), "jid"))
			if err != nil || string(b) != jid {
				t.Errorf("jid file %q, %v; want %q without newline", b, err, jid)
			}
			back, err := c.LoadLoad(jid)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, ".load.p", back, load)
			gotMinions, err := c.Minions(jid)
			if err != nil || !slices.Equal(gotMinions, minions) {
				t.Errorf("minions %v, %v; want %v", gotMinions, err, minions)
			}
			rets, err := c.Returns(jid)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range minions {
				sameJSON(t, id+"/return.p", rets[id], sub(t, sample, id, "return.p"))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Exact bytes of the small files, which the observed sizes pin down: the
// 16-byte .minions.p, the 27-byte return.p of test.ping and the 7-byte
// out.p.
func TestCacheFileBytes(t *testing.T) {
	c, _ := openCache(t)
	jid := "20261122034733591024"
	load := body.Map{{Key: "cmd", Value: "publish"}, {Key: "tgt", Value: []any{"min1", "min3", "min2"}}}
	if err := c.SaveLoad(jid, load, []string{"min1", "min3", "min2"}); err != nil {
		t.Fatal(err)
	}
	ret := job.ReturnLoad(job.Return{ID: "min1", JID: jid, Fun: "grains.items", Return: true,
		Retcode: ptr(int64(0)), Success: true, Out: "nested"})
	if err := c.SaveReturn(jid, "min1", ret); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, hex string }{
		{".minions.p", "93" + "a46d696e31" + "a46d696e33" + "a46d696e32"},
		{"min1/return.p", "83" + "a672657475726e" + "c3" + "a7726574636f6465" + "00" + "a773756363657373" + "c3"},
		{"min1/out.p", "a66e6573746564"},
		{"jid", hex.EncodeToString([]byte(jid))},
	} {
		b, err := os.ReadFile(filepath.Join(c.Dir(jid), tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b); got != tc.hex {
			t.Errorf("%s = %s, want %s", tc.file, got, tc.hex)
		}
	}
}

func TestCacheHashTypes(t *testing.T) {
	jid := "20261122034501123456"
	for _, tc := range []struct {
		name string
		sum  []byte
	}{
		{"", must(hex.DecodeString(hexSum(sha256.New(), jid)))},
		{"sha256", must(hex.DecodeString(hexSum(sha256.New(), jid)))},
		{"md5", must(hex.DecodeString(hexSum(md5.New(), jid)))},
		{"sha512", must(hex.DecodeString(hexSum(sha512.New(), jid)))},
	} {
		dir := t.TempDir()
		c, err := job.OpenCache(dir, tc.name)
		if err != nil {
			t.Fatal(err)
		}
		h := hex.EncodeToString(tc.sum)
		if got, want := c.Dir(jid), filepath.Join(dir, "jobs", h[:2], h[2:]); got != want {
			t.Errorf("%q: dir %s, want %s", tc.name, got, want)
		}
	}
	for _, bad := range []string{"SHA256", "sha-256", "whirlpool"} {
		if _, err := job.OpenCache(t.TempDir(), bad); !errors.Is(err, job.ErrHashType) {
			t.Errorf("hash_type %q: %v, want ErrHashType", bad, err)
		}
	}
}

func hexSum(h interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}, s string) string {
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

func TestPrepJIDSkipsTakenDirectories(t *testing.T) {
	c, _ := openCache(t)
	// Another master has taken the first jid the clock gives.
	taken := "20261122034501123456"
	if err := os.MkdirAll(c.Dir(taken), 0o700); err != nil {
		t.Fatal(err)
	}
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	if jid != "20261122034501123457" {
		t.Fatalf("jid %s, want the next microsecond", jid)
	}
	if b, err := os.ReadFile(filepath.Join(c.Dir(jid), "jid")); err != nil || string(b) != jid {
		t.Errorf("jid file %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir(jid), "nocache")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("nocache marker written for a normal job: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir(taken), "jid")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the taken directory was written to: %v", err)
	}
}

func TestPrepJIDGivesUpAfterFiveTries(t *testing.T) {
	c, _ := openCache(t)
	probe := fixedGen(base)
	for range 5 {
		if err := os.MkdirAll(c.Dir(probe.Next()), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if jid, err := c.PrepJID(fixedGen(base)); err == nil {
		t.Fatalf("got %s, want an error after five taken jids", jid)
	}
}

func TestNoCacheJobKeepsNoReturns(t *testing.T) {
	c, _ := openCache(t)
	jid, err := c.PrepJIDNoCache(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(c.Dir(jid), "nocache")); err != nil || fi.Size() != 0 {
		t.Fatalf("nocache marker: %v", err)
	}
	if err := c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir(jid), "web1")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("return stored for a nocache job: %v", err)
	}
}

func TestSaveReturnRefusesSecondReturn(t *testing.T) {
	c, _ := openCache(t)
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	first := body.Map{{Key: "return", Value: "first"}, {Key: "retcode", Value: 0}, {Key: "success", Value: true}}
	if err := c.SaveReturn(jid, "web1", first); err != nil {
		t.Fatal(err)
	}
	second := body.Map{{Key: "return", Value: "second"}, {Key: "retcode", Value: 0}, {Key: "success", Value: true}}
	if err := c.SaveReturn(jid, "web1", second); !errors.Is(err, job.ErrDuplicateReturn) {
		t.Fatalf("second return: %v, want ErrDuplicateReturn", err)
	}
	rets, err := c.Returns(jid)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := rets["web1"].Get("return"); v != "first" {
		t.Errorf("stored return %v, want the first", v)
	}
}

// Twenty returns for one minion at once: one is stored, nineteen refused,
// and what is stored is the winner's.
func TestSaveReturnConcurrentExactlyOneWins(t *testing.T) {
	c, _ := openCache(t)
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: int64(i)}, {Key: "success", Value: true}})
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("returns %d and %d both stored", winner, i)
			}
			winner = i
		case !errors.Is(err, job.ErrDuplicateReturn):
			t.Fatalf("return %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no return stored")
	}
	rets, err := c.Returns(jid)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := rets["web1"].Get("return"); v != int64(winner) {
		t.Errorf("stored return %v, want the winner's %d", v, winner)
	}
}

func TestSaveReturnRefusesBadIDs(t *testing.T) {
	c, cachedir := openCache(t)
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, cachedir)
	for _, id := range []string{"", ".", "..", "../../../escape", "a/b", "/abs", `a\b`, "a\x00b", ".hidden", ".load.p", "jid", "nocache", "endtime"} {
		err := c.SaveReturn(jid, id, body.Map{{Key: "return", Value: true}})
		if !errors.Is(err, job.ErrBadID) {
			t.Errorf("id %q: %v, want ErrBadID", id, err)
		}
	}
	if after := listFiles(t, cachedir); !maps.Equal(before, after) {
		t.Errorf("files changed:\n%v\n%v", before, after)
	}
	if _, err := os.Stat(filepath.Join(cachedir, "escape")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a return escaped the job directory: %v", err)
	}
	for _, id := range []string{"web1", "web-1.example.com", "db_2", "ünï", "a..b"} {
		if err := job.ValidID(id); err != nil {
			t.Errorf("id %q refused: %v", id, err)
		}
	}
}

func TestSaveReturnRefusesUnknownJobAndBadJID(t *testing.T) {
	c, cachedir := openCache(t)
	err := c.SaveReturn("20261122034501123456", "web1", body.Map{{Key: "return", Value: true}})
	if !errors.Is(err, job.ErrUnknownJob) {
		t.Errorf("unknown job: %v, want ErrUnknownJob", err)
	}
	if err := c.SaveReturn("../../x", "web1", body.Map{{Key: "return", Value: true}}); !errors.Is(err, job.ErrBadJID) {
		t.Errorf("bad jid: %v, want ErrBadJID", err)
	}
	if err := c.SaveLoad("nope", body.Map{{Key: "tgt", Value: "*"}}, nil); !errors.Is(err, job.ErrBadJID) {
		t.Errorf("SaveLoad bad jid: %v, want ErrBadJID", err)
	}
	if files := listFiles(t, cachedir); len(files) != 0 {
		t.Errorf("files created: %v", files)
	}
}

func TestSaveLoadWithoutTargetWritesNoMinions(t *testing.T) {
	c, _ := openCache(t)
	jid := "20261122034501123456"
	if err := c.SaveLoad(jid, body.Map{{Key: "fun", Value: "runner.x"}, {Key: "tgt", Value: ""}}, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Minions(jid); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("minions of a job without a target: %v, want not exist", err)
	}
	// And a target with no minions writes the empty list (0x90), as the
	// observed 1-byte .minions.p.
	if err := c.SaveLoad(jid, body.Map{{Key: "tgt", Value: "x"}}, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(c.Dir(jid), ".minions.p")); !bytes.Equal(b, []byte{0x90}) {
		t.Errorf(".minions.p = %x, want 90", b)
	}
}

func TestReturnsReadsOutOldFormatAndSurvivesCorruption(t *testing.T) {
	c, _ := openCache(t)
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	ret := job.ReturnLoad(job.Return{ID: "web1", JID: jid, Fun: "grains.items",
		Return: body.Map{{Key: "os", Value: "Debian"}}, Retcode: ptr(int64(0)), Success: true, Out: "nested"})
	if err := c.SaveReturn(jid, "web1", ret); err != nil {
		t.Fatal(err)
	}
	// An old-style return.p holding only the value, and a corrupt one.
	for id, data := range map[string][]byte{"old": {0xc3}, "bad": {0x83, 0xa1}} {
		os.Mkdir(filepath.Join(c.Dir(jid), id), 0o700)
		if err := os.WriteFile(filepath.Join(c.Dir(jid), id, "return.p"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A minion directory whose return is still being written.
	os.Mkdir(filepath.Join(c.Dir(jid), "pending"), 0o700)
	rets, err := c.Returns(jid)
	if err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("corrupt return.p not reported: %v", err)
	}
	sameJSON(t, "web1", rets["web1"], body.Map{{Key: "return", Value: body.Map{{Key: "os", Value: "Debian"}}},
		{Key: "retcode", Value: 0}, {Key: "success", Value: true}, {Key: "out", Value: "nested"}})
	sameJSON(t, "old", rets["old"], body.Map{{Key: "return", Value: true}})
	if len(rets) != 2 {
		t.Errorf("returns %v, want web1 and old only", slices.Sorted(maps.Keys(rets)))
	}
	if rets, err := c.Returns("20991122034501123456"); err != nil || len(rets) != 0 {
		t.Errorf("unknown job: %v, %v", rets, err)
	}
}

func TestJobsAndClean(t *testing.T) {
	c, _ := openCache(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	gen := fixedGen(base)
	var jids []string
	for range 4 {
		jid, err := c.PrepJID(gen)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: true}}); err != nil {
			t.Fatal(err)
		}
		jids = append(jids, jid)
	}
	age := func(jid string, d time.Duration) {
		if err := os.Chtimes(filepath.Join(c.Dir(jid), "jid"), now.Add(-d), now.Add(-d)); err != nil {
			t.Fatal(err)
		}
	}
	age(jids[0], 25*time.Hour)
	age(jids[1], 23*time.Hour)
	age(jids[2], 48*time.Hour)
	age(jids[3], time.Minute)
	// A stray directory without a jid file: old, and fresh.
	strayOld := filepath.Join(c.Root(), "zz", "old")
	strayNew := filepath.Join(c.Root(), "zz", "new")
	for _, d := range []string{strayOld, strayNew} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(strayOld, now.Add(-30*time.Hour), now.Add(-30*time.Hour))
	os.Chtimes(strayNew, now, now)

	got, err := c.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, jids) {
		t.Fatalf("Jobs() = %v, want %v", got, jids)
	}
	if n, err := c.Clean(0, now); n != 0 || err != nil {
		t.Fatalf("keep_jobs 0 removed %d (%v)", n, err)
	}
	n, err := c.Clean(24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("removed %d, want 3 (two old jobs and the old stray)", n)
	}
	got, _ = c.Jobs()
	if want := []string{jids[1], jids[3]}; !slices.Equal(got, want) {
		t.Errorf("after Clean: %v, want %v", got, want)
	}
	if _, err := os.Stat(strayNew); err != nil {
		t.Errorf("fresh directory without jid file removed: %v", err)
	}
	if _, err := os.Stat(strayOld); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old directory without jid file kept: %v", err)
	}
	// Jobs of removed directories leave no empty jobs/<xx> behind.
	ents, _ := os.ReadDir(c.Root())
	for _, e := range ents {
		sub, _ := os.ReadDir(filepath.Join(c.Root(), e.Name()))
		if len(sub) == 0 {
			t.Errorf("empty directory %s left", e.Name())
		}
	}
	// A job can still be prepared and saved after cleaning.
	jid, err := c.PrepJID(gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: true}}); err != nil {
		t.Fatal(err)
	}
}

// No temporary file is left behind, and files and directories are private
// to the master's user.
func TestCacheLeavesNoTempFilesAndKeepsPrivate(t *testing.T) {
	c, _ := openCache(t)
	jid, err := c.PrepJID(fixedGen(base))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SaveLoad(jid, job.PublishLoad(job.Publish{Tgt: "*", Fun: "test.ping"}), []string{"web1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveReturn(jid, "web1", body.Map{{Key: "return", Value: true}, {Key: "out", Value: "nested"}}); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(c.Root(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(d.Name(), "tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", p, fi.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
