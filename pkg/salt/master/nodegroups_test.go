package master

import (
	"slices"
	"strings"
	"testing"
)

// A nodegroup target, and an N@ word in a compound one, are resolved with
// the master config's nodegroups: the minions of the group are targeted
// and sent the compound expression, which they can match without knowing
// the master's nodegroups. An unknown group is refused with Salt's error.
func TestPublishNodegroups(t *testing.T) {
	tm := newMaster(t, `
nodegroups:
  webs: 'L@web1,web2'
  dbs: [db1]
  some: 'N@webs and not web2'
`).start()
	web1 := newMinion(t, tm, "web1").connect(tm)
	newMinion(t, tm, "web2").connect(tm)
	db1 := newMinion(t, tm, "db1").connect(tm)
	c := newClient(t, tm)

	for _, tc := range []struct {
		tgt, tgtType string
		minions      []string
		pubTgt       string
		to           *minion
	}{
		{"some", "nodegroup", []string{"web1"}, "( ( L@web1,web2 ) and not web2 )", web1},
		{"N@dbs or web9", "compound", []string{"db1"}, "L@db1 or web9", db1},
	} {
		c.publish(pubLoad(tm.key(), tc.tgt, tc.tgtType, "test.ping"))
		r := c.reply()
		got := strs(get(r, "return", "ret", "minions"))
		slices.Sort(got)
		if !slices.Equal(got, tc.minions) {
			t.Fatalf("%s %q targeted %v, want %v (reply %v)", tc.tgtType, tc.tgt, got, tc.minions, r)
		}
		p := tc.to.waitPub()
		if get(p, "pub", "tgt_type") != "compound" || get(p, "pub", "tgt") != tc.pubTgt {
			t.Fatalf("%s %q was published as %v %v, want compound %q", tc.tgtType, tc.tgt, get(p, "pub", "tgt_type"), get(p, "pub", "tgt"), tc.pubTgt)
		}
	}

	c.publish(pubLoad(tm.key(), "nope", "nodegroup", "test.ping"))
	r := c.reply()
	msg, _ := get(r, "return", "error", "message").(string)
	if get(r, "return", "error", "name") != ErrNameInvocation || !strings.HasPrefix(msg, "Node group nope unavailable in ") {
		t.Fatalf("unknown nodegroup: reply %v", r)
	}
}
