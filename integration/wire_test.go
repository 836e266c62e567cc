package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// keysInOrder reads a payload file's object at path and returns its keys
// in the order the file has them.
func keysInOrder(t *testing.T, file string, path ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testvectors.Shared(t), "spec", "salt-payloads", file))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	// Walk down path, then collect the keys of the object found there.
	var walk func(depth int) []string
	walk = func(depth int) []string {
		tok, _ := dec.Token() // {
		if tok != json.Delim('{') {
			t.Fatalf("%s: not an object at %v", file, path[:depth])
		}
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			key := k.(string)
			if depth < len(path) && key == path[depth] {
				return walk(depth + 1)
			}
			if depth == len(path) {
				keys = append(keys, key)
			}
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		return keys
	}
	return walk(0)
}

// The events the master fires for a job reach a subscribed yard in the
// shapes of the payload files, with Salt 3006's additions:
// salt/job/<jid>/new and ret/<id>, with data keys in Salt's order, the bare
// <jid> tag, and our delivered event.
func TestEventAndLoadShapes(t *testing.T) {
	c := newCluster(t, true)
	c.addMinion("m1")
	c.waitReady("m1")
	y := c.yard("event")
	req := body.Map{{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}}}
	if err := y.Transmit(req, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	r := c.salt("m1", "test.ping", "--show-jid")
	m := regexp.MustCompile(`jid: (\d{20})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("--show-jid: %q %q", r.stdout, r.stderr)
	}
	jid := m[1]
	events := map[string]body.Map{}
	deadline := time.After(60 * time.Second)
	for events["salt/job/"+jid+"/new"] == nil || events["salt/job/"+jid+"/ret/m1"] == nil {
		select {
		case msg := <-y.Receive():
			tag, _ := msg.Body.String("tag")
			data, _ := msg.Body.Map("data")
			events[tag] = data
		case <-deadline:
			t.Fatalf("events seen: %v", events)
		}
	}
	// The payload files are 2018.3's; Salt 3006 adds "missing" to the new
	// event and "user" to the return, and stamps every event (issue 15
	// asks for 3006's shapes).
	if got, want := events["salt/job/"+jid+"/new"].Keys(), append(keysInOrder(t, "event-new.json", "data"), "missing", "_stamp"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("new event data keys %v, want %v", got, want)
	}
	ret := events["salt/job/"+jid+"/ret/m1"]
	if got, want := ret.Keys(), append(keysInOrder(t, "event-ret.json", "data"), "user", "_stamp"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ret event data keys %v, want %v", got, want)
	}
	if id, _ := ret.String("id"); id != "m1" {
		t.Errorf("ret event id %q", id)
	}
	if _, ok := events[jid]; !ok {
		t.Errorf("no event under the bare jid tag: %v", events)
	}
	for tag := range events {
		if strings.HasPrefix(tag, "salt/job/"+jid+"/delivered/m1") {
			return
		}
	}
	t.Errorf("no delivered event for m1: %v", events)
}

// The payload files' key lists the shape test compares against are the
// ones Salt writes, so an empty walk cannot pass for a match.
func TestPayloadKeyWalk(t *testing.T) {
	if got := fmt.Sprint(keysInOrder(t, "event-new.json", "data")); got != "[jid tgt_type tgt user fun arg minions]" {
		t.Errorf("event-new data keys %s", got)
	}
	if got := fmt.Sprint(keysInOrder(t, "event-ret.json", "data")); got != "[success return retcode jid fun fun_args cmd id]" {
		t.Errorf("event-ret data keys %s", got)
	}
}
