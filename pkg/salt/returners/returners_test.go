package returners

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// testRet is a return as the minion hands it to its returners: Salt's
// keys in Salt's order, ret_config and ret_kwargs when published.
func testRet(extra ...body.Item) body.Map {
	r := body.Map{
		{Key: "success", Value: true}, {Key: "return", Value: "héllo"}, {Key: "retcode", Value: int64(0)},
		{Key: "jid", Value: "20261207121707355428"}, {Key: "fun", Value: "test.echo"},
		{Key: "fun_args", Value: []any{"héllo"}}, {Key: "user", Value: "root"},
	}
	r = append(r, extra...)
	return append(r, body.Item{Key: "id", Value: "m1"})
}

func testEnv(opts map[string]any) (*Env, *bytes.Buffer) {
	var logs bytes.Buffer
	l := logrus.New()
	l.SetOutput(&logs)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true, DisableQuote: true})
	return &Env{
		Option: func(k string) (any, bool) { v, ok := opts[k]; return v, ok },
		Log:    l,
		Now:    func() time.Time { return time.Date(2026, 12, 7, 2, 7, 33, 0, time.Local) },
		Pid:    func() int { return 4242 },
		Ident:  "salt-minion",
	}, &logs
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawfile_json appends the return as one JSON line, in Salt's layout,
// to rawfile_json.filename; ret_config and ret_kwargs choose another file.
func TestRawfileJSON(t *testing.T) {
	dir := t.TempDir()
	events, alt, kw := filepath.Join(dir, "events"), filepath.Join(dir, "alt"), filepath.Join(dir, "kw")
	env, logs := testEnv(map[string]any{
		"rawfile_json.filename":     events,
		"alt.rawfile_json.filename": alt,
	})
	Run(env, "rawfile_json", testRet())
	Run(env, "rawfile_json,rawfile_json", testRet())
	const line = `{"success": true, "return": "héllo", "retcode": 0, "jid": "20261207121707355428", "fun": "test.echo", "fun_args": ["héllo"], "user": "root", "id": "m1"}` + "\n"
	if got := readFile(t, events); got != line+line {
		t.Errorf("events file:\n%s\nwant the line twice (a returner named twice runs once):\n%s", got, line)
	}
	Run(env, "rawfile_json", testRet(body.Item{Key: "ret_config", Value: "alt"}))
	if got := readFile(t, alt); !strings.HasSuffix(got, `"ret_config": "alt", "id": "m1"}`+"\n") {
		t.Errorf("ret_config alt wrote %q", got)
	}
	Run(env, "rawfile_json", testRet(body.Item{Key: "ret_kwargs", Value: body.Map{{Key: "filename", Value: kw}}}))
	if got := readFile(t, kw); !strings.Contains(got, `"ret_kwargs": {"filename": "`+kw+`"}`) {
		t.Errorf("ret_kwargs filename wrote %q", got)
	}
	if logs.Len() != 0 {
		t.Errorf("logged %q", logs.String())
	}
	// A file that cannot be written: Salt's two errors.
	env, logs = testEnv(map[string]any{"rawfile_json": map[string]any{"filename": filepath.Join(dir, "no", "such")}})
	Run(env, "rawfile_json", testRet())
	for _, want := range []string{"Could not write to rawdata_json file " + filepath.Join(dir, "no", "such"), "The return failed for job 20261207121707355428"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log %q lacks %q", logs.String(), want)
		}
	}
}

// listenSyslog is a fake /dev/log: a Unix datagram socket in a temp dir.
func listenSyslog(t *testing.T) (string, *net.UnixConn) {
	t.Helper()
	dir, err := os.MkdirTemp("", "slog")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return path, conn
}

func recvSyslog(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 65536)
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no syslog datagram: %v", err)
	}
	return string(buf[:n])
}

// syslog sends glibc's datagram: the priority, the time, the tag (and
// pid with LOG_PID), then the return as JSON.
func TestSyslog(t *testing.T) {
	path, conn := listenSyslog(t)
	env, logs := testEnv(map[string]any{"syslog.facility": "LOG_LOCAL3"})
	env.SyslogPath = path
	const js = `{"success": true, "return": "héllo", "retcode": 0, "jid": "20261207121707355428", "fun": "test.echo", "fun_args": ["héllo"], "user": "root", "id": "m1"}`
	Run(env, "syslog", testRet())
	// LOG_LOCAL3 (19<<3) | LOG_INFO (6) = 158.
	if got, want := recvSyslog(t, conn), "<158>Dec  7 02:07:33 salt-minion: "+js; got != want {
		t.Errorf("datagram\n%q\nwant\n%q", got, want)
	}
	kw := body.Map{{Key: "tag", Value: "mytag"}, {Key: "level", Value: "LOG_WARNING"}, {Key: "facility", Value: "LOG_DAEMON"}, {Key: "options", Value: []any{"LOG_PID"}}}
	Run(env, "syslog", testRet(body.Item{Key: "ret_kwargs", Value: kw}))
	got := recvSyslog(t, conn)
	if want := `<28>Dec  7 02:07:33 mytag[4242]: {"success": true`; !strings.HasPrefix(got, want) {
		t.Errorf("datagram with ret_kwargs %q, want it to begin %q", got, want)
	}
	if logs.Len() != 0 {
		t.Errorf("logged %q", logs.String())
	}
	// Bad options: Salt's error, nothing sent.
	for _, c := range []struct {
		kw   body.Map
		want string
	}{
		{body.Map{{Key: "level", Value: "LOG_LOUD"}}, "syslog has no attribute LOG_LOUD"},
		{body.Map{{Key: "facility", Value: "openlog"}}, "openlog is not a valid syslog facility"},
		{body.Map{{Key: "tag", Value: strings.Repeat("x", 33)}}, "tag size is limited to 32 characters"},
	} {
		logs.Reset()
		Run(env, "syslog", testRet(body.Item{Key: "ret_kwargs", Value: c.kw}))
		if !strings.Contains(logs.String(), c.want) {
			t.Errorf("%v: log %q lacks %q", c.kw, logs.String(), c.want)
		}
	}
	Run(env, "syslog", testRet())
	if got := recvSyslog(t, conn); !strings.HasPrefix(got, "<158>") {
		t.Errorf("after refused options the next datagram is %q", got)
	}
	// No syslog listening: the failure is logged.
	logs.Reset()
	env.SyslogPath = filepath.Join(t.TempDir(), "none")
	Run(env, "syslog", testRet())
	if !strings.Contains(logs.String(), "The return failed for job 20261207121707355428: cannot send to syslog at "+env.SyslogPath) {
		t.Errorf("log %q", logs.String())
	}
}

// An unknown returner is Salt's error; local_cache does nothing and says
// nothing; the others still run.
func TestRunUnknownAndLocalCache(t *testing.T) {
	events := filepath.Join(t.TempDir(), "events")
	env, logs := testEnv(map[string]any{"rawfile_json.filename": events})
	Run(env, "nope,local_cache,rawfile_json", testRet())
	if want := "Returner nope.returner could not be loaded: 'nope.returner' is not available."; !strings.Contains(logs.String(), want) || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("log %q, want only %q", logs.String(), want)
	}
	if !strings.Contains(readFile(t, events), `"id": "m1"`) {
		t.Error("rawfile_json did not run after an unknown returner")
	}
}
