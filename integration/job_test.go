package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// What `make demo` shows, checked: three minions accepted, test.ping,
// cmd.run and test.arg with a list target and JSON output.
func TestDemoCommands(t *testing.T) {
	c := newCluster(t, true)
	for _, id := range []string{"m1", "m2", "m3"} {
		c.addMinion(id)
	}
	c.waitReady("m1", "m2", "m3")

	if r := c.master.run("salt-key-raet", "-L"); r.stdout != "Accepted Keys:\nm1\nm2\nm3\nDenied Keys:\nUnaccepted Keys:\nRejected Keys:\n" || r.code != 0 {
		t.Errorf("salt-key-raet -L: %q %q exit %d", r.stdout, r.stderr, r.code)
	}

	r := c.salt("*", "test.ping")
	if r.code != 0 {
		t.Fatalf("test.ping exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, id := range []string{"m1", "m2", "m3"} {
		if !strings.Contains(r.stdout, id+":\n    True\n") {
			t.Errorf("test.ping output lacks %s: %q", id, r.stdout)
		}
	}

	r = c.salt("*", "cmd.run", "uname -a")
	uname, _ := os.ReadFile("/proc/sys/kernel/ostype")
	for _, id := range []string{"m1", "m2", "m3"} {
		if !regexp.MustCompile("(?m)^" + id + ":\n    " + strings.TrimSpace(string(uname)) + " ").MatchString(r.stdout) {
			t.Errorf("cmd.run output for %s: %q", id, r.stdout)
		}
	}
	if r.code != 0 {
		t.Errorf("cmd.run exit %d: %s", r.code, r.stderr)
	}

	r = c.salt("-L", "m1,m2", "test.arg", "1", "two", "k=v", "--out", "json")
	if r.code != 0 {
		t.Fatalf("test.arg exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	seen := map[string]bool{}
	for {
		var doc map[string]struct {
			Args   []any          `json:"args"`
			Kwargs map[string]any `json:"kwargs"`
		}
		if err := dec.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("test.arg --out json: %v in %q", err, r.stdout)
		}
		for id, ret := range doc {
			seen[id] = true
			if len(ret.Args) != 2 || ret.Args[0] != float64(1) || ret.Args[1] != "two" || ret.Kwargs["k"] != "v" ||
				ret.Kwargs["__pub_fun"] != "test.arg" || ret.Kwargs["__pub_tgt_type"] != "list" {
				t.Errorf("%s: test.arg returned %+v", id, ret)
			}
		}
	}
	if len(seen) != 2 || !seen["m1"] || !seen["m2"] {
		t.Errorf("test.arg answered by %v, want m1 and m2", seen)
	}
}

// A pending minion gets nothing until its key is accepted; then it answers.
func TestPendingMinionUntilAccepted(t *testing.T) {
	c := newCluster(t, false)
	c.addMinion("m1")
	eventually(t, "m1's key pending", func() (bool, string) {
		k := c.master.keys()
		return contains(k["pending"], "m1"), ""
	})
	r := c.salt("*", "test.ping", "-t", "2")
	if r.code != 2 || !strings.Contains(r.stderr, "No return received") || strings.Contains(r.stdout, "m1") {
		t.Fatalf("publish to a pending minion: %q %q exit %d", r.stdout, r.stderr, r.code)
	}
	if a := c.master.run("salt-key-raet", "-a", "m1", "-y"); a.code != 0 || !strings.Contains(a.stdout, "Key for minion m1 accepted.") {
		t.Fatalf("accept: %q %q", a.stdout, a.stderr)
	}
	accepted := time.Now()
	c.waitReady("m1")
	t.Logf("m1 answered %v after its key was accepted", time.Since(accepted).Round(time.Millisecond))
}

// A rejected minion is never sent a publish.
func TestRejectedMinionGetsNothing(t *testing.T) {
	c := newCluster(t, false)
	c.addMinion("m1")
	c.addMinion("m2")
	eventually(t, "both keys pending", func() (bool, string) {
		k := c.master.keys()
		return contains(k["pending"], "m1") && contains(k["pending"], "m2"), ""
	})
	c.master.run("salt-key-raet", "-a", "m1", "-y")
	if r := c.master.run("salt-key-raet", "-r", "m2", "-y"); !strings.Contains(r.stdout, "Key for minion m2 rejected.") {
		t.Fatalf("reject: %q %q", r.stdout, r.stderr)
	}
	c.waitReady("m1")
	r := c.salt("*", "test.ping", "--out", "json", "--static", "-t", "2")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got["m1"] != true || got["m2"] != nil {
		t.Fatalf("publish with m2 rejected: %q %q", r.stdout, r.stderr)
	}
}

// A minion that is down is reported as not returned, and the command
// says so in its exit status.
func TestStoppedMinionNotReturned(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.addMinion("m2")
	c.waitReady("m1", "m2")
	if err := c.mds["m2"].stop(); err != nil {
		t.Fatal(err)
	}
	r := c.salt("*", "test.ping", "-t", "2")
	if !strings.Contains(r.stdout, "m1:\n    True") || !regexp.MustCompile(`m2:\n\s+Minion did not return\. \[(No response|Not delivered)\]`).MatchString(r.stdout) {
		t.Errorf("with m2 down: %q", r.stdout)
	}
	if r.code == 0 {
		t.Errorf("exit 0 with a minion missing")
	}
}

// A master restarted in the middle of a job loses no return: the minion
// keeps it and sends it when the master is back.
func TestMasterRestartMidJob(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")
	r := c.salt("m1", "test.sleep", "3", "--async")
	m := regexp.MustCompile(`job ID: (\d{20})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("--async: %q %q", r.stdout, r.stderr)
	}
	jid := m[1]
	if err := c.md.stop(); err != nil {
		t.Fatal(err)
	}
	proc := filepath.Join(c.minions["m1"].root, "var", "cache", "salt", "minion", "proc", jid)
	eventually(t, "the job ran to its end with the master down", func() (bool, string) {
		_, err := os.Stat(proc)
		return os.IsNotExist(err), ""
	})
	c.md = c.master.start("salt-master-raet")
	h := sha256.Sum256([]byte(jid))
	hx := hex.EncodeToString(h[:])
	ret := filepath.Join(c.master.root, "var", "cache", "salt", "master", "jobs", hx[:2], hx[2:], "m1", "return.p")
	eventually(t, "the return in the job cache after the restart", func() (bool, string) {
		_, err := os.Stat(ret)
		return err == nil, fmt.Sprint(err)
	})
}

// A minion killed and started again rejoins with no operator action.
func TestMinionKilledRejoins(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")
	c.mds["m1"].kill()
	c.mds["m1"] = c.minions["m1"].start("salt-minion-raet")
	c.waitReady("m1")
}

// Bad input on the lane (a load that is no publish, garbage pages) is
// refused and the master keeps serving; a large argument makes the trip.
func TestBadInputAndLargeArgument(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")
	y := c.yard("client")
	route := body.Map{{Key: "dst", Value: []any{nil, "manor", "local_cmd"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}
	for _, m := range []body.Map{
		{{Key: "route", Value: route}, {Key: "load", Value: "not a map"}},
		{{Key: "route", Value: route}, {Key: "load", Value: body.Map{{Key: "cmd", Value: "nonsense"}}}},
		{{Key: "route", Value: route}},
		{{Key: "route", Value: "nowhere"}},
	} {
		if err := y.Transmit(m, "manor").Err(); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("x", 100_000)
	r := c.salt("m1", "test.echo", big, "--out", "json", "--static")
	var got map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got["m1"] != big {
		t.Errorf("test.echo of 100 KB: %d bytes back, %q", len(got["m1"]), r.stderr)
	}
	c.waitReady("m1")
	if c.md.cmd.ProcessState != nil {
		t.Fatal("the master died")
	}
}
