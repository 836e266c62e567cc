package integration

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// bigSize is the size of the file fetched over the road: many chunks of
// file_buffer_size (a megabyte by default).
const bigSize = 10 << 20

// fileCluster is a master whose file_roots have two environments, base
// with a file of random bytes of bigSize, and whose pillar gives every
// minion a value for templates; it returns the source of the big file.
func fileCluster(t *testing.T, ids ...string) (*cluster, string) {
	t.Helper()
	dir := t.TempDir()
	files, pillars := filepath.Join(dir, "files"), filepath.Join(dir, "pillar")
	writeFiles(t, files, map[string]string{
		"base/top.sls":            "base:\n  '*':\n    - webserver\n",
		"base/webserver/init.sls": "nginx:\n  pkg.installed: []\n",
		"base/ntp.sls":            "ntp:\n  pkg.installed: []\n",
		"base/motd.j2": "id={{ grains['id'] }} os={{ grains['os_family'] }}\n" +
			"echo={{ salt['test.echo']('from the minion') }}\n" +
			"colour={{ pillar['site']['colour'] }} get={{ salt['pillar.get']('site:colour') }}\n" +
			"env={{ saltenv }}\n",
		"dev/only-dev.txt": "from dev\n",
	})
	writeFiles(t, pillars, map[string]string{
		"base/top.sls":  "base:\n  '*':\n    - site\n",
		"base/site.sls": "site:\n  colour: {{ 'blue' if grains['os_family'] == 'Debian' else 'red' }}\n",
	})
	big := filepath.Join(files, "base", "big.bin")
	data := make([]byte, bigSize)
	rand.Read(data)
	if err := os.WriteFile(big, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, true, rootsConf("file_roots", files), rootsConf("pillar_roots", pillars))
	for _, id := range ids {
		c.addMinion(id, "grains:\n  os_family: Debian\n")
	}
	c.waitReady(ids...)
	return c, big
}

// sha256Of is the SHA-256 of a file.
func sha256Of(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// chunksServed is the master's count of file chunks served.
func (c *cluster) chunksServed() uint64 {
	c.t.Helper()
	return statOf(c.masterStats(), "file_chunk_served")
}

// A 10 MB file over the road, whole; fetched again, from the cache; a path
// out of the roots refused and logged with the minion's id.
func TestFileFetchOverRoad(t *testing.T) {
	c, big := fileCluster(t, "m1")
	dest := filepath.Join(c.minions["m1"].root, "x")

	if got := c.jsonOf("m1", "cp.get_file", "salt://big.bin", dest); got["m1"] != dest {
		t.Fatalf("cp.get_file: %v", got)
	}
	if sha256Of(t, dest) != sha256Of(t, big) {
		t.Fatal("the file fetched differs from the master's")
	}
	first := c.chunksServed()
	if first < 10 {
		t.Fatalf("the fetch served %d chunks, want 10 or more", first)
	}
	if got := c.jsonOf("m1", "cp.get_file", "salt://big.bin", dest); got["m1"] != dest {
		t.Fatalf("cp.get_file again: %v", got)
	}
	if n := c.chunksServed(); n != first {
		t.Errorf("getting a file the minion has already served %d chunks", n-first)
	}

	got := c.jsonOf("m1", "cp.cache_file", "salt://big.bin")
	cached, _ := got["m1"].(string)
	if !strings.HasPrefix(cached, c.minions["m1"].root) || sha256Of(t, cached) != sha256Of(t, big) {
		t.Fatalf("cp.cache_file: %v", got)
	}
	fi, err := os.Stat(cached)
	if err != nil {
		t.Fatal(err)
	}
	second := c.chunksServed()
	if got := c.jsonOf("m1", "cp.cache_file", "salt://big.bin"); got["m1"] != cached {
		t.Fatalf("cp.cache_file again: %v", got)
	}
	if n := c.chunksServed(); n != second {
		t.Errorf("caching a file already cached served %d chunks", n-second)
	}
	if fi2, err := os.Stat(cached); err != nil || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Errorf("the cached file was written again (%v, %v)", fi2, err)
	}

	leak := filepath.Join(c.minions["m1"].root, "passwd")
	if got := c.jsonOf("m1", "cp.get_file", "salt://../../../../etc/passwd", leak); got["m1"] != "" && got["m1"] != false {
		t.Errorf("cp.get_file of a path out of the roots: %v", got)
	}
	if _, err := os.Stat(leak); err == nil {
		t.Error("a path out of the roots was fetched")
	}
	eventually(t, "the master logs the refusal", func() (bool, string) {
		for _, l := range strings.Split(c.md.logText(), "\n") {
			if strings.Contains(l, "refused") && strings.Contains(l, "etc/passwd") && strings.Contains(l, "m1") {
				t.Logf("the master logged: %s", l)
				return true, ""
			}
		}
		return false, "no line"
	})
}

// Listings, the other environment, and a template rendered on the minion.
func TestFileListsEnvsAndTemplate(t *testing.T) {
	c, _ := fileCluster(t, "m1")
	root := c.minions["m1"].root

	got := c.jsonOf("m1", "cp.list_master")
	if want := []any{"big.bin", "motd.j2", "ntp.sls", "top.sls", "webserver/init.sls"}; !reflect.DeepEqual(got["m1"], want) {
		t.Errorf("cp.list_master: %v, want %v", got["m1"], want)
	}
	got = c.jsonOf("m1", "cp.list_states")
	if want := []any{"ntp", "top", "webserver"}; !reflect.DeepEqual(got["m1"], want) {
		t.Errorf("cp.list_states: %v, want %v", got["m1"], want)
	}
	got = c.jsonOf("m1", "cp.list_master", "saltenv=dev")
	if want := []any{"only-dev.txt"}; !reflect.DeepEqual(got["m1"], want) {
		t.Errorf("cp.list_master saltenv=dev: %v, want %v", got["m1"], want)
	}

	dev := filepath.Join(root, "dev.txt")
	if got := c.jsonOf("m1", "cp.get_file", "salt://only-dev.txt", dev, "saltenv=dev"); got["m1"] != dev {
		t.Errorf("cp.get_file saltenv=dev: %v", got)
	} else if b, _ := os.ReadFile(dev); string(b) != "from dev\n" {
		t.Errorf("from dev: %q", b)
	}
	dev2 := filepath.Join(root, "dev2.txt")
	if got := c.jsonOf("m1", "cp.get_file", "salt://only-dev.txt?saltenv=dev", dev2); got["m1"] != dev2 {
		t.Errorf("cp.get_file salt://…?saltenv=dev: %v", got)
	}
	if got := c.jsonOf("m1", "cp.get_file", "salt://only-dev.txt", filepath.Join(root, "base.txt")); got["m1"] != "" && got["m1"] != false {
		t.Errorf("a dev file fetched from base: %v", got)
	}

	motd := filepath.Join(root, "motd")
	if got := c.jsonOf("m1", "cp.get_template", "salt://motd.j2", motd); got["m1"] != motd {
		t.Fatalf("cp.get_template: %v", got)
	}
	b, _ := os.ReadFile(motd)
	if want := "id=m1 os=Debian\necho=from the minion\ncolour=blue get=blue\nenv=base\n"; string(b) != want {
		t.Errorf("cp.get_template rendered %q, want %q", b, want)
	}
}

// masterStats asks the master for its own counters.
func (c *cluster) masterStats() map[string]any {
	c.t.Helper()
	return c.stats(protocol.TagStatsMaster)
}

// The figure of issue 12: the time to fetch a 10 MB file with cp.get_file
// over the road on loopback, the median of five cold fetches (a new
// destination each time, every chunk served again), against a plain local
// cp of the same file and a cp.get_file of a file of a few bytes (what the
// publish and return cost around the transfer).
func TestFigureFetch10MB(t *testing.T) {
	figures(t)
	c, big := fileCluster(t, "m1")
	root := c.minions["m1"].root
	timed := func(url, dest string) time.Duration {
		start := time.Now()
		if got := c.jsonOf("m1", "cp.get_file", url, dest); got["m1"] != dest {
			t.Fatalf("cp.get_file %s: %v", url, got)
		}
		return time.Since(start)
	}
	var fetch, small, local []time.Duration
	road := c.roadStats()
	for i := range 5 {
		before := c.chunksServed()
		dest := filepath.Join(root, fmt.Sprintf("big%d", i))
		fetch = append(fetch, timed("salt://big.bin", dest))
		if n := c.chunksServed() - before; n < 10 {
			t.Fatalf("fetch %d served %d chunks: not cold", i, n)
		}
		if sha256Of(t, dest) != sha256Of(t, big) {
			t.Fatal("the file fetched differs from the master's")
		}
		small = append(small, timed("salt://ntp.sls", filepath.Join(root, fmt.Sprintf("ntp%d", i))))
		start := time.Now()
		if out, err := exec.Command("cp", big, filepath.Join(root, fmt.Sprintf("local%d", i))).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		local = append(local, time.Since(start))
	}
	after := c.roadStats()
	mf, ms, ml := median(fetch), median(small), median(local)
	t.Logf("cp.get_file of 10 MB over the road: median %v of %v; of a few bytes: median %v; local cp: median %v",
		mf.Round(time.Millisecond), fetch, ms.Round(time.Millisecond), ml.Round(time.Microsecond))
	t.Logf("ratio to the local cp: %.0fx (%.0fx without the small fetch's cost); %.1f MB/s",
		float64(mf)/float64(ml), float64(mf-ms)/float64(ml), float64(bigSize)/(1<<20)/(mf-ms).Seconds())
	var deltas []string
	for k, v := range after {
		if d := statOf(after, k) - statOf(road, k); d > 0 {
			deltas = append(deltas, fmt.Sprintf("%s +%d (%v)", k, d, v))
		}
	}
	slices.Sort(deltas)
	t.Logf("master road stats over the 10 fetches: %s", strings.Join(deltas, ", "))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
