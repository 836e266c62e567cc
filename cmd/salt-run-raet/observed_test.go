package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/cli"
)

// observedRunEvents are the salt/run/<jid>/new and ret events of the
// observed salt-run manage.up (14-salt-run-manage.up.json).
func observedRunEvents(t *testing.T) (newEv, retEv body.Map) {
	t.Helper()
	for _, r := range testutil.ObservedRuns(t, "14-salt-run-manage.up.json") {
		evs, _ := r.Get("events")
		for _, ev := range evs.([]any) {
			e := ev.(body.Map)
			tag, _ := e.String("tag")
			data, _ := e.Map("data")
			switch {
			case strings.HasPrefix(tag, "salt/run/") && strings.HasSuffix(tag, "/new"):
				newEv = data
			case strings.HasPrefix(tag, "salt/run/") && strings.HasSuffix(tag, "/ret"):
				retEv = data
			}
		}
	}
	if newEv == nil || retEv == nil {
		t.Fatal("the observed salt-run has no salt/run events")
	}
	return newEv, retEv
}

// The events a run fires on the master's bus have the keys, in the
// order, of those Salt 3006's salt-run fired, and the same kinds of
// value; they reach the master's manor yard on its event_fire share.
func TestRunEventsAsObserved(t *testing.T) {
	conf, _ := confDir(t)
	root := filepath.Dir(conf)
	sock := filepath.Join(root, "var", "run", "salt", "master")
	if err := os.MkdirAll(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	runUser, keyUser := cli.Users("")
	key := filepath.Join(root, "var", "cache", "salt", "master", "."+keyUser+"_key")
	if err := os.WriteFile(key, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	manor, err := lane.NewStack(lane.Config{Name: "manor", Lane: "master", Dir: sock, PackKind: raet.PackMsgpack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go manor.Run(ctx)

	if _, errs, code := runCLI(t, "-c", conf, "--jid", "20261207140000000000", "jobs.exit_success", testJID); code != 0 {
		t.Fatalf("jobs.exit_success: %d %s", code, errs)
	}
	var got []body.Map
	deadline := time.After(30 * time.Second)
	for len(got) < 2 {
		select {
		case rx := <-manor.Receive():
			rt, _ := rx.Body.Map("route")
			dst, _ := rt.Get("dst")
			if d, ok := dst.([]any); ok && len(d) == 3 && d[2] == "event_fire" {
				got = append(got, rx.Body)
			}
		case <-deadline:
			t.Fatalf("the run's events did not reach the manor yard: %v", got)
		}
	}
	obsNew, obsRet := observedRunEvents(t)
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$`)
	for i, want := range []struct {
		tag string
		obs body.Map
	}{{"salt/run/20261207140000000000/new", obsNew}, {"salt/run/20261207140000000000/ret", obsRet}} {
		tag, _ := got[i].String("tag")
		data, _ := got[i].Map("data")
		if tag != want.tag || !slices.Equal(data.Keys(), want.obs.Keys()) {
			t.Errorf("event %s with keys %v, want %s with %v", tag, data.Keys(), want.tag, want.obs.Keys())
		}
		fun, _ := data.String("fun")
		user, _ := data.String("user")
		st, _ := data.String("_stamp")
		if fun != "runner.jobs.exit_success" || user != runUser || !stamp.MatchString(st) {
			t.Errorf("event %s: %v", tag, data)
		}
		if fa, _ := data.Get("fun_args"); !slices.Equal(fa.([]any), []any{testJID}) {
			t.Errorf("event %s fun_args %v", tag, fa)
		}
	}
	data, _ := got[1].Map("data")
	if ok, _ := data.Bool("success"); !ok {
		t.Errorf("ret success: %v", data)
	}
}
