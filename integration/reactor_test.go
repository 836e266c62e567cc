package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
)

// The reactor with the real binaries: a minion's start event
// (salt/minion/*/start) renders a reactor sls that runs cmd.run on that
// minion (3006's args form), which leaves its file behind; an event.send
// of the minion triggers local.test.ping, whose job is announced on the
// bus; a reactor sls that does not render is logged by the master, naming
// the file and line, and the master keeps serving.
func TestReactorRunsJobsOnEvents(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "started-web01")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	start := write("start.sls", fmt.Sprintf(`
touch_{{ data['id'] }}:
  cmd.cmd.run:
    - tgt: {{ data['id'] }}
    - args:
      - cmd: touch %s-{{ data['id'] }}
`, filepath.Join(dir, "started")))
	ping := write("ping.sls", "ping_back:\n  local.test.ping:\n    - tgt: {{ data['id'] }}\n")
	bad := write("bad.sls", "oops:\n  local.test.ping:\n    - tgt: {{ data['id'] \n")
	c := newCluster(t, true, fmt.Sprintf("reactor:\n  - 'salt/minion/*/start':\n    - %s\n  - 'myco/ping':\n    - %s\n    - %s\n", start, ping, bad))
	y := c.yard("event")
	sub := body.Map{{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}}}
	if err := y.Transmit(sub, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	c.addMinion("web01")
	eventually(t, "the reactor's cmd.run on web01's start", func() (bool, string) {
		_, err := os.Stat(marker)
		return err == nil, fmt.Sprint(err)
	})
	c.waitReady("web01")

	if got := c.jsonOf("web01", "event.send", "myco/ping"); got["web01"] != true {
		t.Fatalf("event.send = %v", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		rx, ok := nextEvent(t, y, deadline)
		if !ok {
			t.Fatal("no test.ping job from the reactor")
		}
		tag, _ := rx.String("tag")
		data, _ := rx.Map("data")
		fun, _ := data.String("fun")
		tgt, _ := data.String("tgt") // the salt command's own test.ping targets a list
		if strings.HasPrefix(tag, "salt/job/") && strings.HasSuffix(tag, "/new") && fun == "test.ping" && tgt == "web01" {
			break
		}
	}
	eventually(t, "the bad sls logged", func() (bool, string) {
		log := c.md.logText()
		return strings.Contains(log, bad+", line "), log
	})
	c.waitReady("web01")
}

// nextEvent reads the next event on the subscribed yard before deadline.
func nextEvent(t *testing.T, y *lane.Stack, deadline time.Time) (body.Map, bool) {
	t.Helper()
	select {
	case rx := <-y.Receive():
		return rx.Body, true
	case <-time.After(time.Until(deadline)):
		return nil, false
	}
}

// Salt's reactor recipe for accepting keys: a salt/auth event with act
// pend renders an sls that runs wheel.key.accept for that minion, which
// then joins and answers, while a minion the sls leaves alone stays
// pending; each accepted key is announced as salt/key.
func TestReactorAcceptsKeysOnAuth(t *testing.T) {
	dir := t.TempDir()
	sls := filepath.Join(dir, "auth.sls")
	text := "{% if data['act'] == 'pend' and data['id'].startswith('web') %}\n" +
		"accept_{{ data['id'] }}:\n  wheel.key.accept:\n    - args:\n      - match: {{ data['id'] }}\n{% endif %}\n"
	if err := os.WriteFile(sls, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, false, fmt.Sprintf("reactor:\n  - 'salt/auth':\n    - %s\n", sls))
	y := c.yard("event")
	sub := body.Map{{Key: "route", Value: body.Map{{Key: "dst", Value: []any{nil, "manor", "event_req"}}, {Key: "src", Value: []any{nil, y.Name(), nil}}}}}
	if err := y.Transmit(sub, "manor").Err(); err != nil {
		t.Fatal(err)
	}
	c.addMinion("web01")
	c.addMinion("db01")
	key := waitEvent(t, y, "salt/key")
	if act, _ := key.String("act"); act != "accept" {
		t.Errorf("salt/key %v", key)
	}
	if id, _ := key.String("id"); id != "web01" {
		t.Errorf("salt/key %v", key)
	}
	c.waitReady("web01")
	eventually(t, "db01 pending, web01 accepted", func() (bool, string) {
		k := c.master.keys() // salt-key-raet's names, or Salt 3006's once they are taken
		acc := append(k["accepted"], k["minions"]...)
		pend := append(k["pending"], k["minions_pre"]...)
		return contains(acc, "web01") && contains(pend, "db01") && !contains(acc, "db01"), fmt.Sprint(k)
	})
}
