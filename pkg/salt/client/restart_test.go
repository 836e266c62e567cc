package client_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// A master restarted while a job runs: the client subscribes to the new
// master, reads its new access key, and reports the return the master
// stored in its job cache while nobody heard it fired.
func TestReturnsAcrossMasterRestart(t *testing.T) {
	t.Parallel()
	dir := sockDir(t)
	keyFile := filepath.Join(t.TempDir(), ".root_key")
	if err := os.WriteFile(keyFile, []byte(testKey), 0o400); err != nil {
		t.Fatal(err)
	}
	cache, err := job.OpenCache(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	// a, still running the job when the first master goes; b answers.
	first, err := clienttest.New(dir, testKey, clienttest.Minion{ID: "a", Delay: time.Hour}, clienttest.Minion{ID: "b", Return: true})
	if err != nil {
		t.Fatal(err)
	}
	first.Start()
	c, err := client.New(client.Config{SockDir: dir, Key: testKey, KeyFile: keyFile, JobCache: cache, User: "root",
		GatherJobTimeout: time.Second, ReplyTimeout: deadline, ProbeInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	jid, minions := publish(t, c, "*", "glob", "test.sleep", 1)
	ch := c.Returns(context.Background(), jid, minions, 2*time.Second)
	if r := <-ch; r.ID != "b" || r.Ret != true {
		t.Fatalf("first return %+v", r)
	}

	first.Close()
	// The new master's key, and a's return, stored while nobody listened.
	newKey := strings.Repeat("n", len(testKey))
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(newKey), 0o400); err != nil {
		t.Fatal(err)
	}
	rc := int64(0)
	if err := cache.SaveLoad(jid, body.Map{{Key: "jid", Value: jid}}, minions); err != nil {
		t.Fatal(err)
	}
	if err := cache.SaveReturn(jid, "a", job.ReturnLoad(job.Return{Success: true, Return: "from the cache", Retcode: &rc,
		JID: jid, Fun: "test.sleep", ID: "a", Out: "txt"})); err != nil {
		t.Fatal(err)
	}
	second := startManor(t, dir, func(m *clienttest.Manor) { m.Key = newKey }, clienttest.Minion{ID: "a", Withhold: true})

	got := collect(t, ch)
	if len(got) != 1 || got[0].ID != "a" || got[0].Ret != "from the cache" || got[0].Missing != "" || got[0].Out != "txt" || got[0].Retcode != 0 {
		t.Fatalf("after the restart: %+v", got)
	}
	for end := time.Now().Add(deadline); !slices.Contains(second.Subscribers(), c.EventYard()); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the new master's subscribers %v lack %s", second.Subscribers(), c.EventYard())
		}
	}
	// Publishing works with the new key.
	jid2, minions2 := publish(t, c, "a", "glob", "test.ping")
	if rs := collect(t, c.Returns(context.Background(), jid2, minions2, 100*time.Millisecond)); len(rs) != 1 || rs[0].Missing != client.NoResponse {
		t.Errorf("after the restart, a job to a minion that withholds: %+v", rs)
	}
}
