package modules

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// kw builds a published keyword dict, as the CLI packs key=value words.
func kw(pairs ...any) body.Map {
	m := body.Map{{Key: "__kwarg__", Value: true}}
	for i := 0; i+1 < len(pairs); i += 2 {
		m = append(m, body.Item{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return m
}

// cliPub is the publish of a job from the salt CLI: it has a jid, so
// **kwargs functions get __pub_* keys and cmd.* run through the shell.
func cliPub(fun string, args ...any) Pub {
	return Pub{Fun: fun, Arg: args, Tgt: "*", Jid: "20261122034501123456", TgtType: "glob", User: "root"}
}

func run(e *Executor, fun string, args ...any) Result {
	return e.Run(context.Background(), fun, args, cliPub(fun, args...))
}

func wantError(t *testing.T, r Result, prefix string) {
	t.Helper()
	s, ok := r.Return.(string)
	if !ok || !strings.HasPrefix(s, prefix) {
		t.Fatalf("return = %#v, want an error starting %q", r.Return, prefix)
	}
	if r.Retcode != 1 || r.Success || r.Out != "nested" {
		t.Fatalf("error result retcode/success/out = %d/%v/%q, want 1/false/nested", r.Retcode, r.Success, r.Out)
	}
}

func wantOK(t *testing.T, r Result, want any) {
	t.Helper()
	if !reflect.DeepEqual(r.Return, want) {
		t.Fatalf("return = %#v, want %#v", r.Return, want)
	}
	if r.Retcode != 0 || !r.Success {
		t.Fatalf("retcode/success = %d/%v, want 0/true (return %#v)", r.Retcode, r.Success, r.Return)
	}
}

func TestUnknownFunction(t *testing.T) {
	e := New(Options{})
	for _, fun := range []string{"test.no_such_function", "no_such_module.fn", "nodot"} {
		r := run(e, fun)
		if r.Return != "'"+fun+"' is not available." || r.Retcode != 1 || r.Success || r.Out != "nested" {
			t.Errorf("%s: %#v", fun, r)
		}
	}
}

func TestInvalidKwargs(t *testing.T) {
	e := New(Options{})
	// A keyword dict key the function does not take.
	wantError(t, run(e, "test.ping", kw("foo", "bar", "n", int64(1))),
		"ERROR executing 'test.ping': The following keyword arguments are not valid: foo=bar, n=1")
	// A leftover key=value string is parsed again (and YAML-loaded).
	wantError(t, run(e, "test.echo", "hello", "x=yes"),
		"ERROR executing 'test.echo': The following keyword arguments are not valid: x=True")
	// A keyword naming a parameter is fine, as a dict or as a string.
	wantOK(t, run(e, "test.echo", kw("text", "hi")), "hi")
	wantOK(t, run(e, "test.echo", "text=0x10"), int64(16))
	// "a==b" is not a keyword argument, and a value may contain '='.
	wantOK(t, run(e, "test.echo", "a==b"), "a==b")
	if first := run(e, "test.kwarg", "expr=a=b").Return.(body.Map)[0]; first.Key != "expr" || first.Value != "a=b" {
		t.Fatalf("expr=a=b gave %#v", first)
	}
	// A dict whose __kwarg__ is not exactly True is a positional argument.
	notKw := body.Map{{Key: "__kwarg__", Value: "yes"}, {Key: "a", Value: int64(1)}}
	wantOK(t, run(e, "test.echo", notKw), notKw)
	// **kwargs functions take anything.
	r := run(e, "test.kwarg", kw("anything", int64(1)))
	if v, _ := r.Return.(body.Map).Get("anything"); v != int64(1) {
		t.Fatalf("test.kwarg lost its kwarg: %#v", r.Return)
	}
}

func TestTypeErrors(t *testing.T) {
	e := New(Options{})
	cases := []struct {
		fun  string
		args []any
		msg  string
	}{
		{"test.echo", nil, "Passed invalid arguments to test.echo: echo() missing 1 required positional argument: 'text'\n"},
		{"test.ping", []any{"x"}, "Passed invalid arguments to test.ping: ping() takes 0 positional arguments but 1 was given\n"},
		{"test.echo", []any{"a", "b"}, "Passed invalid arguments to test.echo: echo() takes 1 positional argument but 2 were given\n"},
		{"test.true", []any{"a", "b"}, "Passed invalid arguments to test.true: true_() takes 0 positional arguments but 2 were given\n"},
		{"grains.get", []any{"a", "b", "c", "d", "e"}, "Passed invalid arguments to grains.get: get() takes from 1 to 4 positional arguments but 5 were given\n"},
		{"test.echo", []any{"a", kw("text", "b")}, "Passed invalid arguments to test.echo: echo() got multiple values for argument 'text'\n"},
		{"test.fib", []any{nil}, "Passed invalid arguments to test.fib: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'\n"},
	}
	for _, c := range cases {
		r := run(e, c.fun, c.args...)
		wantError(t, r, c.msg)
		// The docstring follows, as Salt appends func.__doc__.
		if !strings.Contains(r.Return.(string), "CLI Example") {
			t.Errorf("%s: no docstring after the TypeError: %q", c.fun, r.Return)
		}
	}
}

func TestPubKwargs(t *testing.T) {
	e := New(Options{})
	pub := Pub{Fun: "test.kwarg", Arg: []any{kw("k", "v")}, Tgt: "web*", Jid: "20261122034501123456",
		TgtType: "glob", User: "sudo_alice", Extra: body.Map{{Key: "metadata", Value: body.Map{{Key: "a", Value: int64(1)}}}}}
	r := e.Run(context.Background(), "test.kwarg", pub.Arg, pub)
	want := body.Map{
		{Key: "k", Value: "v"},
		{Key: "__pub_fun", Value: "test.kwarg"},
		{Key: "__pub_arg", Value: []any{body.Map{{Key: "k", Value: "v"}}}},
		{Key: "__pub_tgt", Value: "web*"},
		{Key: "__pub_jid", Value: "20261122034501123456"},
		{Key: "__pub_ret", Value: ""},
		{Key: "__pub_tgt_type", Value: "glob"},
		// Salt 3006.3's pub has metadata (and ret_config, ret_kwargs)
		// before user, and the __pub_ keys follow it.
		{Key: "__pub_metadata", Value: body.Map{{Key: "a", Value: int64(1)}}},
		{Key: "__pub_user", Value: "sudo_alice"},
	}
	wantOK(t, r, want)
	// The caller's arg keeps its marker.
	if v, _ := pub.Arg[0].(body.Map).Get("__kwarg__"); v != true {
		t.Fatal("Run modified the published arguments")
	}
	// Without a publish (a local call) there are no __pub_* keys.
	wantOK(t, e.Run(context.Background(), "test.kwarg", []any{kw("k", "v")}, Pub{}), body.Map{{Key: "k", Value: "v"}})
	// test.arg_clean drops them; test.arg keeps them.
	r = run(e, "test.arg_clean", int64(1), "two", kw("txt", "hello"))
	wantOK(t, r, body.Map{{Key: "args", Value: []any{int64(1), "two"}}, {Key: "kwargs", Value: body.Map{{Key: "txt", Value: "hello"}}}})
	// A function without **kwargs never sees them.
	wantOK(t, run(e, "test.echo", "x"), "x")
}

func TestPubFromLoad(t *testing.T) {
	load := body.Map{
		{Key: "fun", Value: "test.arg"}, {Key: "arg", Value: []any{"foo"}}, {Key: "tgt", Value: "*"},
		{Key: "jid", Value: "20261122034501123456"}, {Key: "ret", Value: ""}, {Key: "tgt_type", Value: "glob"},
		{Key: "user", Value: "root"}, {Key: "metadata", Value: body.Map{}}, {Key: "to", Value: int64(5)},
	}
	p := PubFromLoad(load)
	if p.Fun != "test.arg" || p.Jid != "20261122034501123456" || p.TgtType != "glob" || p.User != "root" ||
		!reflect.DeepEqual(p.Arg, []any{"foo"}) || len(p.Extra) != 2 || p.Extra[1].Key != "to" {
		t.Fatalf("PubFromLoad = %#v", p)
	}
}

func TestExceptionAndPanic(t *testing.T) {
	e := New(Options{})
	wantError(t, run(e, "test.exception"), "The minion function caused an exception: Exception: Test Exception")
	wantError(t, run(e, "test.exception", "Oh noes!"), "The minion function caused an exception: Exception: Oh noes!")
	wantError(t, run(e, "test.fib", "abc"), "The minion function caused an exception: ValueError: invalid literal for int() with base 10: 'abc'")
	wantError(t, run(e, "test.fib", int64(-1)), "The minion function caused an exception: ValueError: Negative number is not allowed!")

	if err := e.Register(Func{Name: "x.boom", Call: func(*Call) (any, error) { panic("kaboom") }}); err != nil {
		t.Fatal(err)
	}
	wantError(t, run(e, "x.boom"), "The minion function caused an exception: Exception: kaboom")
	if err := e.Register(Func{Name: "x.plain", Call: func(*Call) (any, error) { return nil, errors.New("disk on fire") }}); err != nil {
		t.Fatal(err)
	}
	wantError(t, run(e, "x.plain"), "The minion function caused an exception: Exception: disk on fire")
	for _, c := range []struct {
		err  error
		want string
	}{
		{&CommandExecutionError{"bad"}, "ERROR: bad"},
		{&SaltInvocationError{"bad"}, "ERROR executing 'x.kind': bad"},
		{&CommandNotFoundError{"lsof"}, "Command required for 'x.kind' not found: lsof"},
	} {
		err := c.err
		if e.Register(Func{Name: "x.kind", Call: func(*Call) (any, error) { return nil, err }}) != nil {
			t.Fatal("register")
		}
		wantError(t, run(e, "x.kind"), c.want)
	}
}

func TestFalseResultMeansRetcode1(t *testing.T) {
	e := New(Options{})
	for _, c := range []struct {
		ret     any
		retcode int
	}{
		{body.Map{{Key: "result", Value: false}}, 1},
		{body.Map{{Key: "success", Value: nil}}, 1},
		{map[string]any{"result": ""}, 1},
		{body.Map{{Key: "result", Value: true}, {Key: "success", Value: int64(1)}}, 0},
		{body.Map{{Key: "comment", Value: "no result key"}}, 0},
		{false, 0}, // test.false succeeds: only mappings are looked into
	} {
		ret := c.ret
		_ = e.Register(Func{Name: "x.ret", Call: func(*Call) (any, error) { return ret, nil }})
		r := run(e, "x.ret")
		if r.Retcode != c.retcode || r.Success != (c.retcode == 0) || r.Out != "" {
			t.Errorf("return %#v: retcode %d success %v out %q, want retcode %d", c.ret, r.Retcode, r.Success, r.Out, c.retcode)
		}
	}
	wantOK(t, run(e, "test.false"), false)
	wantOK(t, run(e, "test.true"), true)
}

func TestTestModule(t *testing.T) {
	e := New(Options{})
	wantOK(t, run(e, "test.ping"), true)
	wantOK(t, run(e, "test.echo", "hello"), "hello")
	wantOK(t, run(e, "test.version"), DefaultVersion)
	wantOK(t, run(New(Options{Version: "3006.3"}), "test.version"), "3006.3")

	r := run(e, "test.retcode")
	if r.Return != true || r.Retcode != 42 || r.Success {
		t.Fatalf("test.retcode = %#v", r)
	}
	r = run(e, "test.retcode", kw("code", int64(3)))
	if r.Return != true || r.Retcode != 3 || r.Success {
		t.Fatalf("test.retcode code=3 = %#v", r)
	}
	wantOK(t, run(e, "test.retcode", int64(0)), true)
	wantError(t, run(e, "test.retcode", "abc"), "ERROR executing 'test.retcode': code must be an integer")

	r = run(e, "test.fib", int64(10))
	fib, ok := r.Return.([]any)
	if !ok || len(fib) != 2 || fib[0] != int64(55) || !r.Success {
		t.Fatalf("test.fib 10 = %#v", r.Return)
	}
	if el, ok := fib[1].(float64); !ok || el < 0 || el > 1 {
		t.Fatalf("test.fib elapsed = %#v", fib[1])
	}
	if r := run(e, "test.fib", "93"); r.Return.([]any)[0] != uint64(12200160415121876738) {
		t.Fatalf("test.fib 93 = %#v", r.Return)
	}
	wantError(t, run(e, "test.fib", int64(200)), "The minion function caused an exception: OverflowError")
	if r := run(e, "test.fib", int64(1)); r.Return.([]any)[0] != int64(1) {
		t.Fatalf("test.fib 1 = %#v", r.Return)
	}

	wantOK(t, run(e, "test.arg_type", int64(1), "s", 1.5, nil, []any{}, body.Map{}, kw("b", true)),
		body.Map{
			{Key: "args", Value: []any{"<class 'int'>", "<class 'str'>", "<class 'float'>", "<class 'NoneType'>", "<class 'list'>", "<class 'dict'>"}},
			{Key: "kwargs", Value: body.Map{
				{Key: "b", Value: "<class 'bool'>"}, {Key: "__pub_fun", Value: "<class 'str'>"}, {Key: "__pub_arg", Value: "<class 'list'>"},
				{Key: "__pub_tgt", Value: "<class 'str'>"}, {Key: "__pub_jid", Value: "<class 'str'>"}, {Key: "__pub_ret", Value: "<class 'str'>"},
				{Key: "__pub_tgt_type", Value: "<class 'str'>"}, {Key: "__pub_user", Value: "<class 'str'>"},
			}},
		})
	r = e.Run(context.Background(), "test.arg_repr", []any{int64(1), "it's", kw("x", 2.0)}, Pub{})
	wantOK(t, r, body.Map{{Key: "args", Value: `(1, "it's")`}, {Key: "kwargs", Value: "{'x': 2.0}"}})
	r = e.Run(context.Background(), "test.arg_repr", []any{nil}, Pub{})
	wantOK(t, r, body.Map{{Key: "args", Value: "(None,)"}, {Key: "kwargs", Value: "{}"}})
}

func TestSleep(t *testing.T) {
	e := New(Options{})
	start := time.Now()
	wantOK(t, run(e, "test.sleep", 0.05), true)
	if el := time.Since(start); el < 40*time.Millisecond || el > 2*time.Second {
		t.Fatalf("test.sleep 0.05 took %v", el)
	}
	wantOK(t, run(e, "test.sleep", "0"), true)
	wantError(t, run(e, "test.sleep", "soon"), "The minion function caused an exception: ValueError: invalid literal for int() with base 10: 'soon'")
	wantError(t, run(e, "test.sleep", int64(-1)), "The minion function caused an exception: ValueError")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start = time.Now()
	r := e.Run(ctx, "test.sleep", []any{int64(60)}, cliPub("test.sleep", int64(60)))
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("cancelled test.sleep took %v", el)
	}
	wantError(t, r, "ERROR: test.sleep was cancelled: context canceled")

	// A registered function stops by returning the context's error.
	_ = e.Register(Func{Name: "x.wait", Call: func(c *Call) (any, error) { <-c.Ctx.Done(); return nil, c.Ctx.Err() }})
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	wantError(t, e.Run(ctx, "x.wait", nil, Pub{}), "ERROR: x.wait was cancelled: context deadline exceeded")
}

func TestGrainsModule(t *testing.T) {
	grains := map[string]any{
		"os":           "Debian",
		"id":           "web1.example.org",
		"host":         "web1",
		"serialnumber": "ABCDEFGH",
		"pkg":          map[string]any{"apache": "httpd", "versions": []any{"2.4", "2.2"}},
		"ipv4":         []any{"127.0.0.1", "10.0.0.1"},
	}
	e := New(Options{Grains: func() map[string]any { return grains }})
	wantOK(t, run(e, "grains.get", "os"), "Debian")
	wantOK(t, run(e, "grains.get", "pkg:apache"), "httpd")
	wantOK(t, run(e, "grains.get", "pkg:versions:1"), "2.2")
	wantOK(t, run(e, "grains.get", "ipv4:0"), "127.0.0.1")
	wantOK(t, run(e, "grains.get", "missing"), "")
	wantOK(t, run(e, "grains.get", "missing", kw("default", "fallback")), "fallback")
	wantOK(t, run(e, "grains.get", "pkg/apache", kw("delimiter", "/")), "httpd")

	r := run(e, "grains.item", "os", "pkg:apache", "missing")
	wantOK(t, r, body.Map{{Key: "os", Value: "Debian"}, {Key: "pkg:apache", Value: "httpd"}, {Key: "missing", Value: ""}})
	if r.Out != "nested" {
		t.Fatalf("grains.item out = %q, want nested", r.Out)
	}
	r = run(e, "grains.item", "id", "serialnumber", kw("sanitize", true))
	wantOK(t, r, body.Map{{Key: "id", Value: "MINION.DOMAINNAME"}, {Key: "serialnumber", Value: "ABCDEFXX"}})

	r = run(e, "grains.items")
	if r.Out != "nested" || !r.Success {
		t.Fatalf("grains.items out/success = %q/%v", r.Out, r.Success)
	}
	m := r.Return.(body.Map)
	if !reflect.DeepEqual(m.Keys(), []string{"host", "id", "ipv4", "os", "pkg", "serialnumber"}) {
		t.Fatalf("grains.items keys = %v", m.Keys())
	}
	r = run(e, "grains.items", kw("sanitize", "True"))
	if h, _ := r.Return.(body.Map).String("host"); h != "MINION" {
		t.Fatalf("sanitized host = %q", h)
	}
	wantOK(t, run(e, "grains.ls"), []any{"host", "id", "ipv4", "os", "pkg", "serialnumber"})
	if run(e, "grains.ls").Out != "" {
		t.Fatal("grains.ls declares no outputter")
	}
	// No provider: no grains, not a crash.
	wantOK(t, run(New(Options{}), "grains.get", "os"), "")
}

func TestSaltutilAndSys(t *testing.T) {
	sleep := cliPub("test.sleep", int64(30))
	sleep.Jid = "20261122034501000001"
	state := cliPub("state.highstate")
	state.Jid = "20261122034501000002"
	self := cliPub("saltutil.running")
	jobs := fakeJobs{ProcRecord(100, state), ProcRecord(101, sleep), ProcRecord(102, self)}
	e := New(Options{Jobs: jobs})

	r := e.Run(context.Background(), "saltutil.running", nil, self)
	list, _ := r.Return.([]any)
	if len(list) != 2 || !r.Success {
		t.Fatalf("saltutil.running = %#v, want the two other jobs", r.Return)
	}
	first := list[0].(body.Map)
	if !reflect.DeepEqual(first.Keys(), []string{"pid", "fun", "arg", "tgt", "jid", "ret", "tgt_type", "user"}) {
		t.Fatalf("proc record keys %v, want Salt's order", first.Keys())
	}
	if jid, _ := first.String("jid"); jid != sleep.Jid {
		t.Fatalf("running is not ordered by jid: first is %s", jid)
	}

	r = e.Run(context.Background(), "saltutil.is_running", []any{"state.*"}, cliPub("saltutil.is_running"))
	if l := r.Return.([]any); len(l) != 1 {
		t.Fatalf("is_running state.* = %#v", r.Return)
	}
	r = e.Run(context.Background(), "saltutil.find_job", []any{"20261122034501000001"}, cliPub("saltutil.find_job"))
	if pid, _ := r.Return.(body.Map).Int("pid"); pid != 101 {
		t.Fatalf("find_job = %#v", r.Return)
	}

	r = run(e, "sys.list_functions", "test")
	fns := r.Return.([]any)
	if len(fns) < 10 || fns[0] != "test.arg" {
		t.Fatalf("sys.list_functions test = %v", fns)
	}
	for _, f := range fns {
		if !strings.HasPrefix(f.(string), "test.") {
			t.Fatalf("sys.list_functions test listed %v", f)
		}
	}
	wantOK(t, run(e, "sys.list_functions", "cmd.run*"), []any{"cmd.run", "cmd.run_all", "cmd.run_stderr", "cmd.run_stdout"})
	wantOK(t, run(e, "sys.list_modules"), []any{"archive", "cmd", "cron", "disk", "environ", "event", "file", "grains",
		"group", "hosts", "locale", "mine", "network", "pkg", "ps", "saltutil", "service", "shadow", "status", "sys",
		"test", "timezone", "user"})
	wantOK(t, run(e, "sys.list_modules", "s*"), []any{"saltutil", "service", "shadow", "status", "sys"})
}

func TestRegister(t *testing.T) {
	e := New(Options{})
	for _, f := range []Func{
		{Name: "nodot", Call: func(*Call) (any, error) { return nil, nil }},
		{Name: "a.b.c", Call: func(*Call) (any, error) { return nil, nil }},
		{Name: "a.b"},
		{Name: "a.b", Params: []Param{{Name: "x"}, {Name: "x"}}, Call: func(*Call) (any, error) { return nil, nil }},
	} {
		if err := e.Register(f); err == nil {
			t.Errorf("Register(%q) accepted a bad function", f.Name)
		}
	}
	if !e.Has("cmd.run") || e.Has("cmd.nope") {
		t.Fatal("Has")
	}
}

func TestStripKwargMarkers(t *testing.T) {
	in := []any{"a", kw("k", "v"), body.Map{{Key: "plain", Value: int64(1)}}}
	out := StripKwargMarkers(in)
	if !reflect.DeepEqual(out, []any{"a", body.Map{{Key: "k", Value: "v"}}, body.Map{{Key: "plain", Value: int64(1)}}}) {
		t.Fatalf("StripKwargMarkers = %#v", out)
	}
	if !in[1].(body.Map).Has("__kwarg__") {
		t.Fatal("StripKwargMarkers modified its input")
	}
}

// Leftover key=value arguments are typed by job.YAMLArg, which was checked
// against Salt's own yamlify_arg; this table pins what the minion relies on.
// Salt's loader strips an int's leading zeros, so 0755 is 755, not octal.
func TestYamlify(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"1", int64(1)}, {"-7", int64(-7)}, {"0755", int64(755)}, {"0x1F", int64(31)}, {"0b101", int64(5)},
		{"1:30", int64(90)}, {"1_000", "1_000"}, {"1.5", 1.5}, {"1e5", "1e5"}, {"1.0e+3", 1000.0},
		{"yes", true}, {"Off", false}, {"y", "y"}, {"true", true},
		{"None", nil}, {"~", nil}, {"null", nil}, {"", ""}, {"  ", "  "},
		{"[1, a]", []any{int64(1), "a"}}, {"{a: 1}", body.Map{{Key: "a", Value: int64(1)}}},
		{"a: 1", "a: 1"}, {"- a", "- a"}, {"2020-01-01", "2020-01-01"},
		{"#x", "#x"}, {"foo # bar", "foo # bar"}, {"1 # one", int64(1)},
		{"'quoted'", "quoted"}, {"hello world", "hello world"}, {"|", "|"}, {"!", "!"},
		{"{unclosed", "{unclosed"}, {".inf", math.Inf(1)},
	}
	for _, c := range cases {
		got := job.YAMLArg(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("yamlify(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

// The splitting itself is py.ShlexSplit, tested with Python's answers in
// its package; here, that its failures are Python's ValueError.
func TestShlexSplit(t *testing.T) {
	if got, err := shlexSplit(`echo 'a b'`); err != nil || !reflect.DeepEqual(got, []string{"echo", "a b"}) {
		t.Errorf("shlexSplit = %q, %v", got, err)
	}
	for bad, msg := range map[string]string{`"open`: "No closing quotation", `'open`: "No closing quotation", `trailing\`: "No escaped character"} {
		words, err := shlexSplit(bad)
		if err == nil {
			t.Errorf("shlexSplit(%q) succeeded", bad)
			continue
		}
		if ex, ok := err.(*Exception); !ok || ex.Type != "ValueError" || ex.Msg != msg || words != nil {
			t.Errorf("shlexSplit(%q) = %q, %#v; want ValueError %q", bad, words, err, msg)
		}
	}
}
