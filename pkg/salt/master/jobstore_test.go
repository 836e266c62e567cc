package master

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// With job_cache: False the master writes no job directory, for a publish
// or a return, and still fires the return once, refusing a second and
// one from a minion the job did not target, as with a job cache.
func TestNoJobCacheWritesNoJobDirectories(t *testing.T) {
	tm := newMaster(t, "job_cache: False\n").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	web2 := newMinion(t, tm, "web2").connect(tm)
	c := newClient(t, tm)
	c.subscribe()

	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	if !job.IsJID(jid) {
		t.Fatalf("no jid in the reply")
	}
	if get(web1.waitPub(), "pub", "jid") != jid {
		t.Fatal("web1 was not published the job")
	}
	web1.ret(tm.m.EstateName(), jid, "web1")
	if e := c.waitTag(job.RetTag(jid, "web1")); get(e.data, "return") != true {
		t.Fatalf("ret event %v", e.data)
	}
	web1.ret(tm.m.EstateName(), jid, "web1")
	tm.waitStat("duplicate_return", 1)
	web2.ret(tm.m.EstateName(), jid, "web2")
	tm.waitStat("untargeted_return", 1)
	// A job web1 started itself (jid "req") is fired under a new jid.
	web1.send(web1.remoteCmd(tm.m.EstateName(), body.Map{{Key: "cmd", Value: "_return"}, {Key: "jid", Value: job.ReqJID},
		{Key: "fun", Value: "test.ping"}, {Key: "return", Value: true}, {Key: "id", Value: "web1"}}))
	tm.waitStat("return", 2)

	ents, err := os.ReadDir(tm.m.cache.Root())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("job_cache: False left %s in the job cache", filepath.Join(tm.m.cache.Root(), e.Name()))
	}
	if _, err := tm.m.cache.LoadLoad(jid); err == nil {
		t.Errorf("the load of %s was stored", jid)
	}
	if n := c.count(job.RetTag(jid, "web1")); n != 1 {
		t.Fatalf("%d ret events for web1, want 1", n)
	}
}

// With the job cache, a publish's and a return's files are written and a
// group commit makes them durable.
func TestJobCacheGroupCommit(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.subscribe()
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	// The reply comes once the job's files are written: the jid is found.
	if _, err := tm.m.cache.LoadLoad(jid); err != nil {
		t.Fatal(err)
	}
	if jids, err := tm.m.cache.Jobs(); err != nil || !slices.Contains(jids, jid) {
		t.Fatalf("jobs %v %v, want %s listed", jids, err, jid)
	}
	web1.waitPub()
	web1.ret(tm.m.EstateName(), jid, "web1")
	c.waitTag(job.RetTag(jid, "web1"))
	// The return is fired first and written behind (Salt's store_job
	// order): once the writer caught up it is there.
	tm.m.jobs.behind.Flush()
	if rets, err := tm.m.cache.Returns(jid); err != nil || len(rets) != 1 {
		t.Fatalf("returns %v %v", rets, err)
	}
	eventually(t, "a group commit", func() bool { return tm.m.cache.Syncs() > 0 })
	// A second return is refused from memory, before anything is queued.
	web1.ret(tm.m.EstateName(), jid, "web1")
	tm.waitStat("duplicate_return", 1)
}

// A nocache publish writes its job's nocache marker and keeps no return,
// and a stopped master has written every file queued behind it.
func TestJobCacheNoCacheAndStop(t *testing.T) {
	tm := newMaster(t, "").start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	c := newClient(t, tm)
	c.subscribe()
	load := pubLoad(tm.key(), "web1", "glob", "test.ping")
	kw, _ := load.Map("kwargs")
	kw = append(slices.Clone(kw), body.Item{Key: "nocache", Value: true})
	load.Set("kwargs", kw)
	c.publish(load)
	nocacheJID, _ := get(c.reply(), "return", "ret", "jid").(string)
	web1.waitPub()
	web1.ret(tm.m.EstateName(), nocacheJID, "web1")
	c.waitTag(job.RetTag(nocacheJID, "web1"))
	c.publish(pubLoad(tm.key(), "web1", "glob", "test.ping"))
	jid, _ := get(c.reply(), "return", "ret", "jid").(string)
	web1.waitPub()
	web1.ret(tm.m.EstateName(), jid, "web1")
	c.waitTag(job.RetTag(jid, "web1"))
	if err := tm.shutdown(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(tm.m.cache.Dir(nocacheJID), job.NoCacheFile)); err != nil {
		t.Errorf("nocache marker: %v", err)
	}
	if rets, err := tm.m.cache.Returns(nocacheJID); err != nil || len(rets) != 0 {
		t.Errorf("returns of a nocache job %v %v", rets, err)
	}
	if rets, err := tm.m.cache.Returns(jid); err != nil || len(rets) != 1 {
		t.Errorf("returns after the master stopped %v %v", rets, err)
	}
}
