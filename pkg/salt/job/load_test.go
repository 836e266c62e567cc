package job_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

const exampleJID = "20261122034501123456"

// The load of `salt '*' test.arg foo bar=baz` as the RAET CLI sends it.
func cliLoad(t *testing.T) body.Map {
	t.Helper()
	key, _ := sub(t, payload(t, "publish-load-cli.json"), "load").String("key")
	return job.PublishLoad(job.Publish{
		Tgt:    "*",
		Fun:    "test.arg",
		Arg:    job.ParseInput([]string{"foo", "bar=baz"}),
		Key:    key,
		Kwargs: job.CLIKwargs(true, false, "", true),
		User:   "root",
	})
}

func TestPublishLoadMatchesPayload(t *testing.T) {
	sameJSON(t, "publish load", cliLoad(t), sub(t, payload(t, "publish-load-cli.json"), "load"))
}

// The 3006 master saved the CLI's load of `salt -L min1,min2 test.arg 1 2
// a=b` after authentication had removed "key": the same fields, in the same
// order, with the jid filled in and no "listen" (ZeroMQ).
func TestPublishLoadMatchesObservedJobCache(t *testing.T) {
	_, sample := readObserved(t, "job-cache-test.arg.json")
	want := sub(t, sample, ".load.p")
	jid, _ := want.String("jid")
	got := job.PublishLoad(job.Publish{
		Tgt:     job.SplitListTarget("min1,min2"),
		Fun:     "test.arg",
		Arg:     job.ParseInput([]string{"1", "2", "a=b"}),
		Key:     "secret",
		TgtType: "list",
		JID:     jid,
		Kwargs:  job.CLIKwargs(true, false, ":", false),
		User:    "root",
	})
	if k, _ := got.String("key"); k != "secret" || got.Keys()[4] != "key" {
		t.Fatalf("key not fifth: %v", got.Keys())
	}
	got.Delete("key")
	sameJSON(t, "saved load", got, want)
}

func TestPublishLoadOptionalFields(t *testing.T) {
	got := job.PublishLoad(job.Publish{Tgt: "*", Fun: []string{"test.ping", "test.echo"},
		Arg: []any{[]any{}, []any{"hi"}}, To: ptr(5)})
	want := `{"cmd":"publish","tgt":"*","fun":["test.ping","test.echo"],"arg":[[],["hi"]],"key":"","tgt_type":"glob","ret":"","jid":"","to":5}`
	if s := asJSON(t, got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

func TestNewJobEventMatchesPayload(t *testing.T) {
	p := payload(t, "event-new.json")
	load := cliLoad(t)
	load.Set("jid", exampleJID)
	// 2018.3's payload, with the "missing" list Salt 3006 added at its end.
	want := append(sub(t, p, "data"), body.Item{Key: "missing", Value: []any{"ghost"}})
	sameJSON(t, "new job event", job.NewJobEvent(load, []string{"web1"}, []string{"ghost"}), want)
	if tag, _ := p.String("tag"); job.NewJobTag(exampleJID) != tag {
		t.Errorf("tag %s, want %s", job.NewJobTag(exampleJID), tag)
	}
	sameJSON(t, "minions event", job.MinionsEvent(nil), body.Map{{Key: "minions", Value: []any{}}})
}

func TestReturnLoadMatchesPayloads(t *testing.T) {
	ping := job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: ptr(int64(0)),
		JID: exampleJID, Fun: "test.ping", ID: "web1"})
	sameJSON(t, "test.ping return", ping, sub(t, payload(t, "return-load.json"), "load"))

	ev := payload(t, "event-ret.json")
	sameJSON(t, "ret event data", ping, sub(t, ev, "data"))
	if tag, _ := ev.String("tag"); job.RetTag(exampleJID, "web1") != tag {
		t.Errorf("tag %s, want %s", job.RetTag(exampleJID, "web1"), tag)
	}

	want := sub(t, payload(t, "return-load-test-arg.json"), "load")
	ret, _ := want.Get("return")
	// fun_args is the published arg after the minion's parse_input popped
	// "__kwarg__" from it.
	funArgs := []any{"foo", body.Map{{Key: "bar", Value: "baz"}}}
	arg := job.ReturnLoad(job.Return{Success: true, Return: ret, Retcode: ptr(int64(0)),
		JID: exampleJID, Fun: "test.arg", FunArgs: funArgs, ID: "web1"})
	sameJSON(t, "test.arg return", arg, want)

	// The RAET jobber on an exception: no retcode, success false; out and
	// metadata go last when set.
	failed := job.ReturnLoad(job.Return{Return: "'x.y' is not available.", JID: exampleJID, Fun: "x.y",
		ID: "web1", Out: "nested", Metadata: body.Map{{Key: "k", Value: "v"}}})
	if got := strings.Join(failed.Keys(), " "); got != "success return jid fun fun_args cmd id out metadata" {
		t.Errorf("failed return keys: %s", got)
	}
}

func TestParseReturnAcceptsPayloads(t *testing.T) {
	for _, name := range []string{"return-load.json", "return-load-test-arg.json"} {
		m := sub(t, payload(t, name), "load")
		r, err := job.ParseReturn(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.JID != exampleJID || r.ID != "web1" || !r.Success || r.Retcode == nil || *r.Retcode != 0 {
			t.Errorf("%s: %+v", name, r)
		}
		// Parsing and building again gives the same load.
		sameJSON(t, name, job.ReturnLoad(r), m)
		if len(r.Load) != len(m) {
			t.Errorf("Load not kept")
		}
	}
	r, err := job.ParseReturn(body.Map{{Key: "return", Value: nil}, {Key: "jid", Value: "req"}, {Key: "id", Value: "web1"}})
	if err != nil || r.JID != "req" || r.Retcode != nil || r.Success {
		t.Errorf("minimal return: %+v, %v", r, err)
	}
}

func TestParseReturnRefusesMalformed(t *testing.T) {
	good := func() body.Map {
		return job.ReturnLoad(job.Return{Success: true, Return: true, Retcode: ptr(int64(0)),
			JID: exampleJID, Fun: "test.ping", ID: "web1", Out: "nested"})
	}
	set := func(k string, v any) body.Map { m := good(); m.Set(k, v); return m }
	del := func(k string) body.Map { m := good(); m.Delete(k); return m }
	for _, tc := range []struct {
		name string
		m    body.Map
		want string
	}{
		{"nil", nil, "no load"},
		{"no return", del("return"), `no "return"`},
		{"no jid", del("jid"), `no "jid"`},
		{"no id", del("id"), `no "id"`},
		{"jid not a string", set("jid", int64(20261122034501123456/10)), "jid is an int"},
		{"jid not a jid", set("jid", "../../etc"), "not a jid"},
		{"jid null", set("jid", nil), "jid is null"},
		{"id not a string", set("id", []any{"a"}), "id is a list"},
		{"id empty", set("id", ""), "empty id"},
		{"id with slash", set("id", "a/b"), "contains '/'"},
		{"id dotdot", set("id", ".."), "starts with '.'"},
		{"success not bool", set("success", "yes"), "success is a str"},
		{"retcode not int", set("retcode", "0"), "retcode is a str"},
		{"retcode float", set("retcode", 1.5), "retcode is a float"},
		{"out not str", set("out", int64(1)), "out is an int"},
		{"fun not str", set("fun", int64(1)), "fun is an int"},
		{"fun empty", set("fun", ""), "fun is empty"},
		{"fun list of ints", set("fun", []any{int64(1)}), "fun is a list"},
		{"fun_args not list", set("fun_args", "a"), "fun_args is a str"},
	} {
		_, err := job.ParseReturn(tc.m)
		if !errors.Is(err, job.ErrBadLoad) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrBadLoad mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckPublish(t *testing.T) {
	if err := job.CheckPublish(sub(t, payload(t, "publish-load-cli.json"), "load")); err != nil {
		t.Fatalf("payload refused: %v", err)
	}
	good := func() body.Map { return cliLoad(t) }
	set := func(k string, v any) body.Map { m := good(); m.Set(k, v); return m }
	del := func(k string) body.Map { m := good(); m.Delete(k); return m }
	if err := job.CheckPublish(set("tgt", []any{"a", "b"})); err != nil {
		t.Errorf("list target refused: %v", err)
	}
	if err := job.CheckPublish(set("jid", exampleJID)); err != nil {
		t.Errorf("given jid refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		m    body.Map
		want string
	}{
		{"wrong cmd", set("cmd", "_return"), "cmd is"},
		{"no cmd", del("cmd"), "cmd is missing"},
		{"no fun", del("fun"), "fun is missing"},
		{"fun int", set("fun", int64(3)), "fun is an int"},
		{"tgt map", set("tgt", body.Map{}), "tgt is a mapping"},
		{"tgt list of ints", set("tgt", []any{int64(1)}), "tgt is a list"},
		{"arg string", set("arg", "foo"), "arg is a str"},
		{"no arg", del("arg"), "arg is missing"},
		{"tgt_type int", set("tgt_type", int64(1)), "tgt_type is an int"},
		{"user list", set("user", []any{}), "user is a list"},
		{"bad jid", set("jid", "x"), "jid is"},
		{"kwargs list", set("kwargs", []any{}), "kwargs is a list"},
	} {
		err := job.CheckPublish(tc.m)
		if !errors.Is(err, job.ErrBadLoad) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrBadLoad mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestJobTag(t *testing.T) {
	if got := job.JobTag(exampleJID, "sub", "web1", "error", "state.sls"); got != "salt/job/"+exampleJID+"/sub/web1/error/state.sls" {
		t.Errorf("JobTag = %s", got)
	}
}
