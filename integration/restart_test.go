package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The salt command outlives a master restarted while the minions run its
// job: it subscribes to the new master, publishes saltutil.find_job with
// the new access key, and prints every return that reached the job cache,
// even those fired while it was not subscribed.
func TestSaltCommandAcrossMasterRestart(t *testing.T) {
	kill := func(c *cluster) { c.md.kill() }
	for _, tc := range []struct {
		name string
		stop func(*cluster)
		// downPastJob keeps the master down until the minions finished
		// the job: their returns wait in their spools.
		downPastJob bool
	}{
		{"SIGKILL", kill, false},
		{"SIGTERM", func(c *cluster) {
			if err := c.md.stop(); err != nil {
				c.t.Fatal(err)
			}
		}, false},
		{"SIGKILL_down_past_the_job", kill, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, true)
			ids := []string{"m1", "m2", "m3"}
			for _, id := range ids {
				c.addMinion(id)
			}
			c.waitReady(ids...)

			// Long enough a sleep that the master is surely down and
			// back while the minions still run it, on a slow machine.
			res := make(chan result, 1)
			go func() { res <- c.salt("*", "test.sleep", "4", "-t", "15") }()
			running := func(id string) bool {
				ents, err := os.ReadDir(filepath.Join(c.minions[id].root, "var", "cache", "salt", "minion", "proc"))
				return err == nil && len(ents) > 0
			}
			for _, id := range ids {
				eventually(t, id+" running the job", func() (bool, string) { return running(id), "" })
			}
			tc.stop(c)
			for _, id := range ids {
				if tc.downPastJob {
					eventually(t, id+" done with the job", func() (bool, string) { return !running(id), "" })
				}
			}
			c.md = c.master.start("salt-master-raet")
			restarted := time.Now()

			r := awaitSalt(t, res, restarted, "the master")
			for _, id := range ids {
				if !strings.Contains(r.stdout, id+":\n    True\n") {
					t.Errorf("no return of %s printed", id)
				}
			}
			t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			if r.code != 0 || t.Failed() {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// A publish made while a minion is down, and so sent in the session that
// ended, reaches the minion once it is back: the road carries it over to
// the restarted minion, or else the master sends it again at its allow.
func TestPublishToRestartingMinion(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")
	c.mds["m1"].kill()
	res := make(chan result, 1)
	go func() { res <- c.salt("m1", "test.echo", "back again", "-t", "20") }()
	eventually(t, "the master publishing the job", func() (bool, string) {
		return strings.Contains(c.md.logText(), "test.echo to 1 minion(s) [m1]"), ""
	})
	c.mds["m1"] = c.minions["m1"].start("salt-minion-raet")
	restarted := time.Now()
	r := awaitSalt(t, res, restarted, "the minion")
	if r.code != 0 || !strings.Contains(r.stdout, "m1:\n    back again\n") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nmaster log:\n%s", r.code, r.stdout, r.stderr, c.md.logText())
	}
}

// A job published right after the minion's key is accepted, while its
// pended join is not yet redone, reaches it once it is allowed.
func TestPublishRightAfterAccept(t *testing.T) {
	c := newCluster(t, false)
	c.addMinion("m1")
	eventually(t, "m1's key pending", func() (bool, string) {
		return contains(c.master.keys()["pending"], "m1"), ""
	})
	if a := c.master.run("salt-key-raet", "-a", "m1", "-y"); a.code != 0 {
		t.Fatalf("accept: %q %q", a.stdout, a.stderr)
	}
	accepted := time.Now()
	r := c.salt("m1", "test.ping", "-t", "30")
	t.Logf("the salt command ended %v after the key was accepted", time.Since(accepted).Round(time.Millisecond))
	if r.code != 0 || !strings.Contains(r.stdout, "m1:\n    True\n") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// awaitSalt waits for a salt command run in the background, and logs how
// long after the restart of who it ended.
func awaitSalt(t *testing.T, res <-chan result, restarted time.Time, who string) result {
	t.Helper()
	select {
	case r := <-res:
		t.Logf("the salt command ended %v after %s was started again", time.Since(restarted).Round(time.Millisecond), who)
		return r
	case <-time.After(110 * time.Second):
		t.Fatal("the salt command did not end")
	}
	return result{}
}
