package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/output"
)

// The jobs of the test cache, as the master writes them.
const (
	jidPing = "20261207120000123456"
	jidArg  = "20261207120500000001"
	jidRun  = "20261207121000000002"
)

// masterOpts loads a master config whose cachedir is a temp dir.
func masterOpts(t *testing.T, extra string) *config.Master {
	t.Helper()
	dir := t.TempDir()
	conf := "id: testmaster\nroot_dir: " + dir + "\ncachedir: " + filepath.Join(dir, "cache") + "\n" + extra
	if err := os.WriteFile(filepath.Join(dir, "master"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := config.LoadMaster(dir)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func publishLoad(jid string, tgt any, tgtType, fun string, arg []any, kwargs body.Map) body.Map {
	return body.Map{{Key: "cmd", Value: "publish"}, {Key: "tgt", Value: tgt}, {Key: "fun", Value: fun},
		{Key: "arg", Value: arg}, {Key: "tgt_type", Value: tgtType}, {Key: "ret", Value: ""},
		{Key: "jid", Value: jid}, {Key: "kwargs", Value: kwargs}, {Key: "user", Value: "root"}}
}

func ret(v any, retcode int, out string) body.Map {
	m := body.Map{{Key: "return", Value: v}, {Key: "retcode", Value: retcode}, {Key: "success", Value: retcode == 0}}
	if out != "" {
		m = append(m, body.Item{Key: "out", Value: out})
	}
	return m
}

// writeJobs fills the cache: a ping both minions answered, a test.arg
// with metadata only m1 answered, a cmd.run naming the txt outputter.
func writeJobs(t *testing.T, opts *config.Master) *job.Cache {
	t.Helper()
	c, err := job.OpenCache(opts.Cachedir, opts.HashType)
	if err != nil {
		t.Fatal(err)
	}
	kw := body.Map{{Key: "show_timeout", Value: true}, {Key: "delimiter", Value: ":"}}
	mdkw := body.Map{{Key: "metadata", Value: body.Map{{Key: "foo", Value: "bar"}}}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SaveLoad(jidPing, publishLoad(jidPing, "*", "glob", "test.ping", []any{}, kw), []string{"m2", "m1"}))
	must(c.SaveReturn(jidPing, "m1", ret(true, 0, "")))
	must(c.SaveReturn(jidPing, "m2", ret(true, 0, "")))
	must(c.SaveLoad(jidArg, publishLoad(jidArg, []any{"m1", "m2"}, "list", "test.arg", []any{1, "a"}, mdkw), []string{"m1", "m2"}))
	must(c.SaveReturn(jidArg, "m1", ret(body.Map{{Key: "args", Value: []any{1, "a"}}}, 0, "")))
	must(c.SaveLoad(jidRun, publishLoad(jidRun, "web*", "glob", "cmd.run", []any{"false"}, kw), []string{"web1"}))
	must(c.SaveReturn(jidRun, "web1", ret("", 1, "txt")))
	return c
}

func run(t *testing.T, env *Env, fun string, argv ...string) modules.Result {
	t.Helper()
	r := New(env)
	res := r.Run(context.Background(), fun, job.ParseInput(argv))
	if res.Raised {
		t.Fatalf("%s %v raised: %v", fun, argv, res.Return)
	}
	return res
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	one := -1
	s, err := output.JSONOut(v, &one, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestListJobs(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	env := &Env{Opts: opts}
	res := run(t, env, "jobs.list_jobs")
	got := jsonOf(t, res.Return)
	want := `{"20261207120000123456": {"Function": "test.ping", "Arguments": [], "Target": "*", "Target-type": "glob", "User": "root", "StartTime": "2026, Dec 07 12:00:00.123456"}, ` +
		`"20261207120500000001": {"Function": "test.arg", "Arguments": [1, "a"], "Target": ["m1", "m2"], "Target-type": "list", "User": "root", "Metadata": {"foo": "bar"}, "StartTime": "2026, Dec 07 12:05:00.000001"}, ` +
		`"20261207121000000002": {"Function": "cmd.run", "Arguments": ["false"], "Target": "web*", "Target-type": "glob", "User": "root", "StartTime": "2026, Dec 07 12:10:00.000002"}}`
	if got != want {
		t.Fatalf("list_jobs:\n got %s\nwant %s", got, want)
	}
}

func TestListJobsFilters(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	env := &Env{Opts: opts}
	for _, tc := range []struct {
		argv []string
		want []string
	}{
		{[]string{"search_function=test.*"}, []string{jidPing, jidArg}},
		{[]string{"search_function=cmd.run,test.ping"}, []string{jidPing, jidRun}},
		{[]string{`search_function=["test.arg"]`}, []string{jidArg}},
		{[]string{"search_target=m2"}, []string{jidArg}},
		{[]string{"search_target=web*", "search_function=cmd.*"}, []string{jidRun}},
		{[]string{"search_target=web*", "search_function=test.*"}, nil},
		{[]string{`search_metadata={"foo": "bar"}`}, []string{jidArg}},
		{[]string{`search_metadata={"foo": "baz"}`}, nil},
		{[]string{"start_time=2026, Dec 07 12:05"}, []string{jidArg, jidRun}},
		{[]string{"end_time=2026-12-07 12:05:00.000001"}, []string{jidPing, jidArg}},
		{[]string{"start_time=2026-12-07T12:01", "end_time=2026, Dec 07 12:06:00"}, []string{jidArg}},
	} {
		res := run(t, env, "jobs.list_jobs", tc.argv...)
		m, ok := res.Return.(body.Map)
		if !ok {
			t.Fatalf("%v: return %T", tc.argv, res.Return)
		}
		if got := strings.Join(m.Keys(), " "); got != strings.Join(tc.want, " ") {
			t.Errorf("list_jobs %v = [%s], want %v", tc.argv, got, tc.want)
		}
	}
	r := New(env).Run(context.Background(), "jobs.list_jobs", job.ParseInput([]string{"start_time=yesterday-ish"}))
	if !r.Raised || !strings.Contains(output.Raw(r.Return), "Unknown string format: yesterday-ish") {
		t.Errorf("a bad start_time: %v", r.Return)
	}
	res := run(t, env, "jobs.list_jobs", "outputter=yaml", "search_function=cmd.run")
	if got := jsonOf(t, res.Return); !strings.HasPrefix(got, `{"outputter": "yaml", "data": {"20261207121000000002": {"Function": "cmd.run"`) {
		t.Errorf("list_jobs outputter=yaml: %s", got)
	}
}

func TestListJobAndPrintJob(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	env := &Env{Opts: opts}
	got := jsonOf(t, run(t, env, "jobs.list_job", jidArg).Return)
	want := `{"jid": "20261207120500000001", "Function": "test.arg", "Arguments": [1, "a"], "Target": ["m1", "m2"], "Target-type": "list", "User": "root", "Metadata": {"foo": "bar"}, "Minions": ["m1", "m2"], "StartTime": "2026, Dec 07 12:05:00.000001", "Result": {"m1": {"return": {"args": [1, "a"]}, "retcode": 0, "success": true}}}`
	if got != want {
		t.Fatalf("list_job:\n got %s\nwant %s", got, want)
	}
	got = jsonOf(t, run(t, env, "jobs.print_job", jidRun).Return)
	want = `{"20261207121000000002": {"Function": "cmd.run", "Arguments": ["false"], "Target": "web*", "Target-type": "glob", "User": "root", "Minions": ["web1"], "StartTime": "2026, Dec 07 12:10:00.000002", "Result": {"web1": {"return": "", "retcode": 1, "success": false, "out": "txt"}}}}`
	if got != want {
		t.Fatalf("print_job:\n got %s\nwant %s", got, want)
	}
	// A job the cache does not have, given as a number as salt-run's
	// argument parsing gives short ones.
	got = jsonOf(t, run(t, env, "jobs.list_job", "123").Return)
	if want := `{"jid": 123, "Error": "Cannot contact returner or no job with this jid", "StartTime": "", "Result": {}}`; got != want {
		t.Fatalf("list_job 123:\n got %s\nwant %s", got, want)
	}
}

func TestLookupJID(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	env := &Env{Opts: opts}
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{jidPing}, `{"m1": true, "m2": true}`},
		{[]string{jidArg}, `{"m1": {"args": [1, "a"]}}`},
		{[]string{"jid=" + jidArg, "missing=True"}, `{"m1": {"args": [1, "a"]}, "m2": "Minion did not return"}`},
		{[]string{jidArg, "missing=True", "returned=False"}, `{"m2": "Minion did not return"}`},
		{[]string{jidRun}, `{"outputter": "txt", "data": {"web1": ""}}`},
		{[]string{"20200101000000000000"}, `{}`},
	} {
		if got := jsonOf(t, run(t, env, "jobs.lookup_jid", tc.argv...).Return); got != tc.want {
			t.Errorf("lookup_jid %v = %s, want %s", tc.argv, got, tc.want)
		}
	}
	var out bytes.Buffer
	env = &Env{Opts: opts, Out: &out}
	run(t, env, "jobs.lookup_jid", jidPing, "display_progress=True")
	if got := out.String(); !strings.Contains(got, "    message:\n        Querying returner: local_cache\nsuffix:\n    progress\n") ||
		!strings.Contains(got, "        m2\nsuffix:") {
		t.Errorf("progress printed:\n%s", got)
	}
	r := New(&Env{Opts: opts}).Run(context.Background(), "jobs.lookup_jid", nil)
	if !r.Raised || !strings.Contains(output.Raw(r.Return), "jid") {
		t.Errorf("lookup_jid without a jid: %v", r.Return)
	}
}

func TestLookupJIDCorruptReturnNamesTheFile(t *testing.T) {
	opts := masterOpts(t, "")
	c := writeJobs(t, opts)
	bad := filepath.Join(c.Dir(jidPing), "m2", job.ReturnFile)
	if err := os.WriteFile(bad, []byte{0xc1}, 0o600); err != nil {
		t.Fatal(err)
	}
	r := New(&Env{Opts: opts}).Run(context.Background(), "jobs.lookup_jid", []any{jidPing})
	if !r.Raised || !strings.Contains(output.Raw(r.Return), "m2") || !strings.Contains(output.Raw(r.Return), c.Dir(jidPing)) {
		t.Fatalf("a corrupt return.p: %v", r.Return)
	}
}

func TestExitSuccessAndLastRun(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	env := &Env{Opts: opts}
	for jid, want := range map[string]string{
		jidPing: `{"m1": true, "m2": true}`,
		jidArg:  `{"m1": true, "m2": false}`,
		jidRun:  `{"web1": false}`,
	} {
		if got := jsonOf(t, run(t, env, "jobs.exit_success", jid).Return); got != want {
			t.Errorf("exit_success %s = %s, want %s", jid, got, want)
		}
	}
	got := jsonOf(t, run(t, env, "jobs.last_run").Return)
	if !strings.HasPrefix(got, `{"`+jidRun+`": {"Function": "cmd.run"`) {
		t.Errorf("last_run = %s", got)
	}
	got = jsonOf(t, run(t, env, "jobs.last_run", "function=test.*").Return)
	if !strings.HasPrefix(got, `{"`+jidArg+`": {"Function": "test.arg"`) || !strings.Contains(got, `"Result": {"m1"`) {
		t.Errorf("last_run function=test.* = %s", got)
	}
	for _, argv := range [][]string{{"target=nobody"}, {"metadata=notadict"}} {
		if got := run(t, env, "jobs.last_run", argv...).Return; got != false {
			t.Errorf("last_run %v = %v, want False", argv, got)
		}
	}
}

func TestOtherReturnerRefused(t *testing.T) {
	opts := masterOpts(t, "")
	writeJobs(t, opts)
	r := New(&Env{Opts: opts}).Run(context.Background(), "jobs.list_jobs", job.ParseInput([]string{"ext_source=mysql"}))
	if !r.Raised || !strings.Contains(output.Raw(r.Return), "mysql.get_jids") {
		t.Fatalf("ext_source=mysql: %v", r.Return)
	}
}

func TestActive(t *testing.T) {
	opts := masterOpts(t, "timeout: 2\n")
	c := writeJobs(t, opts)
	proc := func(jid, fun string, pid int) body.Map {
		return body.Map{{Key: "pid", Value: pid}, {Key: "fun", Value: fun}, {Key: "arg", Value: []any{30}},
			{Key: "tgt", Value: "*"}, {Key: "jid", Value: jid}, {Key: "ret", Value: ""}, {Key: "tgt_type", Value: "glob"}, {Key: "user", Value: "root"}}
	}
	const sleepJID = "20261207123000000000"
	if err := c.SaveLoad(sleepJID, publishLoad(sleepJID, "*", "glob", "test.sleep", []any{30}, nil), []string{"m1", "m2", "m3"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveReturn(sleepJID, "m3", ret(true, 0, "")); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "jobsact")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	manor, err := clienttest.New(dir, "k",
		clienttest.Minion{ID: "m1", Return: []any{proc(sleepJID, "test.sleep", 101)}},
		clienttest.Minion{ID: "m2", Return: []any{proc(sleepJID, "test.sleep", 202)}},
		clienttest.Minion{ID: "m3", Return: []any{}})
	if err != nil {
		t.Fatal(err)
	}
	manor.Start()
	t.Cleanup(manor.Close)
	env := &Env{Opts: opts, Connect: func() (*client.LocalClient, error) {
		return client.New(client.Config{SockDir: dir, Key: "k"})
	}}
	defer env.Close()
	got := jsonOf(t, run(t, env, "jobs.active").Return)
	want := `{"20261207123000000000": {"Function": "test.sleep", "Arguments": [30], "Target": "*", "Target-type": "glob", "User": "root", "StartTime": "2026, Dec 07 12:30:00.000000", "Running": [{"m1": 101}, {"m2": 202}], "Returned": ["m3"]}}`
	if got != want {
		t.Fatalf("active:\n got %s\nwant %s", got, want)
	}
	if loads := manor.Loads(); len(loads) != 1 || !strings.Contains(jsonOf(t, loads[0]), `"fun": "saltutil.running"`) {
		t.Errorf("publishes: %v", loads)
	}
}

func TestListJobsFilter(t *testing.T) {
	opts := masterOpts(t, "")
	c := writeJobs(t, opts)
	const findJID = "20261207121500000000"
	if err := c.SaveLoad(findJID, publishLoad(findJID, "*", "glob", "saltutil.find_job", []any{jidRun}, nil), []string{"web1"}); err != nil {
		t.Fatal(err)
	}
	env := &Env{Opts: opts}
	got := jsonOf(t, run(t, env, "jobs.list_jobs_filter", "2").Return)
	want := `[{"Function": "test.arg", "Arguments": [1, "a"], "Target": ["m1", "m2"], "Target-type": "list", "User": "root", "Metadata": {"foo": "bar"}, "JID": "20261207120500000001", "StartTime": "2026, Dec 07 12:05:00.000001"}, ` +
		`{"Function": "cmd.run", "Arguments": ["false"], "Target": "web*", "Target-type": "glob", "User": "root", "JID": "20261207121000000002", "StartTime": "2026, Dec 07 12:10:00.000002"}]`
	if got != want {
		t.Fatalf("list_jobs_filter 2:\n got %s\nwant %s", got, want)
	}
	got = jsonOf(t, run(t, env, "jobs.list_jobs_filter", "1", "filter_find_job=False").Return)
	if !strings.HasPrefix(got, `[{"Function": "saltutil.find_job"`) {
		t.Fatalf("list_jobs_filter 1 filter_find_job=False: %s", got)
	}
}

// With job_cache_store_endtime, a job's endtime file is its EndTime.
func TestEndTime(t *testing.T) {
	opts := masterOpts(t, "job_cache_store_endtime: True\n")
	c := writeJobs(t, opts)
	if err := os.WriteFile(filepath.Join(c.Dir(jidPing), job.EndTimeFile), []byte("2026, Dec 07 12:00:01.000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := &Env{Opts: opts}
	for _, fun := range []string{"jobs.list_job", "jobs.print_job"} {
		if got := jsonOf(t, run(t, env, fun, jidPing).Return); !strings.Contains(got, `"EndTime": "2026, Dec 07 12:00:01.000000"`) {
			t.Errorf("%s: %s", fun, got)
		}
	}
	got := jsonOf(t, run(t, env, "jobs.list_jobs").Return)
	if strings.Count(got, `"EndTime"`) != 1 {
		t.Errorf("list_jobs: %s", got)
	}
}
