package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// -N and N@ target the minions of the master config's nodegroups, nested
// and as YAML lists; an unknown group is Salt's message. --return
// rawfile_json writes the return as a JSON line on each targeted minion,
// beside the return the salt command prints.
func TestNodegroupsAndReturners(t *testing.T) {
	c := newCluster(t, true, "nodegroups:\n  webs: 'L@web01,web02'\n  dbs: [db01]\n  notwo: 'N@webs and not web02'\n  all: 'N@webs or N@dbs'\n")
	events := map[string]string{}
	for _, id := range []string{"web01", "web02", "db01"} {
		events[id] = filepath.Join(t.TempDir(), id+".json")
		c.addMinion(id, fmt.Sprintf("rawfile_json.filename: %s\n", events[id]))
	}
	c.waitReady("web01", "web02", "db01")

	answered := func(args ...string) []string {
		got := c.jsonOf(append(args, "test.ping")...)
		var ids []string
		for id, v := range got {
			if v == true {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-N", "webs"}, "web01,web02"},
		{[]string{"-N", "dbs"}, "db01"},
		{[]string{"-N", "notwo"}, "web01"},
		{[]string{"--nodegroup", "all"}, "db01,web01,web02"},
		{[]string{"-C", "N@dbs or web02"}, "db01,web02"},
	} {
		if got := strings.Join(answered(tc.args...), ","); got != tc.want {
			t.Errorf("salt-raet %v test.ping answered by %s, want %s", tc.args, got, tc.want)
		}
	}
	r := c.salt("-N", "nope", "test.ping")
	if want := "Node group nope unavailable in " + filepath.Join(c.master.conf, "master"); r.code != 0 || strings.TrimSpace(r.stdout) != want {
		t.Errorf("-N nope: exit %d stdout %q stderr %q, want %q", r.code, r.stdout, r.stderr, want)
	}

	// --return rawfile_json: a line on each targeted minion, none on the
	// others; an unknown returner beside it changes nothing.
	got := c.jsonOf("-N", "webs", "test.echo", "returned-once", "--return", "rawfile_json,nope")
	if got["web01"] != "returned-once" || got["web02"] != "returned-once" || len(got) != 2 {
		t.Fatalf("test.echo with --return: %v", got)
	}
	for _, id := range []string{"web01", "web02"} {
		var line map[string]any
		eventually(t, id+"'s rawfile_json line", func() (bool, string) {
			b, err := os.ReadFile(events[id])
			if err != nil {
				return false, err.Error()
			}
			if !strings.HasSuffix(string(b), "\n") || strings.Count(string(b), "\n") != 1 {
				return false, string(b)
			}
			return json.Unmarshal(b, &line) == nil, string(b)
		})
		if line["id"] != id || line["fun"] != "test.echo" || line["return"] != "returned-once" ||
			line["success"] != true || line["retcode"] != float64(0) || fmt.Sprint(line["fun_args"]) != "[returned-once]" {
			t.Errorf("%s wrote %v", id, line)
		}
		if jid, _ := line["jid"].(string); len(jid) != 20 {
			t.Errorf("%s wrote jid %v", id, line["jid"])
		}
	}
	if _, err := os.Stat(events["db01"]); !os.IsNotExist(err) {
		t.Errorf("db01 was not targeted but has %s: %v", events["db01"], err)
	}
	if log := c.mds["web01"].logText(); !strings.Contains(log, "Returner nope.returner could not be loaded: 'nope.returner' is not available.") {
		t.Errorf("web01's log lacks the unknown returner's error:\n%s", log)
	}
}
