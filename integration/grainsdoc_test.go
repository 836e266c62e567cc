package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGrainsSetvalAndSysDoc: with the real binaries, grains.setval keeps
// the grain in the minion's grains file and the minion's grains at once,
// so a publish targeted at the new grain (-G) reaches it; and
// `salt-raet m1 sys.doc test.echo` prints as Salt's CLI does.
func TestGrainsSetvalAndSysDoc(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")

	if r := c.salt("m1", "grains.setval", "deploy", "blue", "--out", "json"); r.stdout != "{\n    \"m1\": {\n        \"deploy\": \"blue\"\n    }\n}\n" || r.code != 0 {
		t.Fatalf("grains.setval: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	data, err := os.ReadFile(filepath.Join(c.minions["m1"].conf, "grains"))
	if err != nil || string(data) != "deploy: blue\n" {
		t.Errorf("the minion's grains file: %q (%v)", data, err)
	}
	if r := c.salt("-G", "deploy:blue", "test.ping"); r.stdout != "m1:\n    True\n" || r.code != 0 {
		t.Errorf("-G deploy:blue test.ping: %q %q exit %d", r.stdout, r.stderr, r.code)
	}

	r := c.salt("m1", "sys.doc", "test.echo")
	want := "test.echo:\n\n    Return a string - used for testing the connection\n\n    CLI Example:\n\n        salt '*' test.echo 'foo bar baz quo qux'\n    \n\n"
	if r.stdout != want || r.code != 0 {
		t.Errorf("sys.doc test.echo:\n got  %q %q exit %d\n want %q", r.stdout, r.stderr, r.code, want)
	}
}
