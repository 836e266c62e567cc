package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// salt-api-raet driven as Salt's own clients drive salt-api: the real
// salt-pepper and curl, against a master and a minion on loopback. One
// cluster serves every subtest, so the file stays cheap in make test.
func TestSaltAPI(t *testing.T) {
	dir := t.TempDir()
	deploy := filepath.Join(dir, "deploy.sls")
	marker := filepath.Join(dir, "deployed")
	if err := os.WriteFile(deploy, []byte(fmt.Sprintf(`deploy:
  local.cmd.run:
    - tgt: web1
    - args:
      - cmd: touch %s-{{ data['post']['rev'] }}
`, marker)), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newAPICluster(t, []string{"web1"}, fmt.Sprintf("reactor:\n  - 'salt/netapi/hook/deploy':\n    - %s\n", deploy))

	t.Run("pepper", func(t *testing.T) { testPepper(t, a) })
	t.Run("refused", func(t *testing.T) { testRefused(t, a) })
	t.Run("events", func(t *testing.T) { testEvents(t, a) })
	t.Run("hook", func(t *testing.T) {
		st, b := a.do("POST", "/hook/deploy", "", nil, `{"rev": "abc"}`)
		if st != 200 || b != `{"success": true}` {
			t.Fatalf("POST /hook/deploy: %d %s", st, b)
		}
		eventually(t, "the reactor's cmd.run on the hook's event", func() (bool, string) {
			_, err := os.Stat(marker + "-abc")
			return err == nil, fmt.Sprint(err)
		})
	})
	t.Run("bad input", func(t *testing.T) { testBadInput(t, a) })
	t.Run("endpoints", func(t *testing.T) { testEndpoints(t, a) })
	t.Run("keys", func(t *testing.T) { testKeys(t, a) })
}

// testPepper: test.ping, local_async then jobs.lookup_jid, the wheel.
func testPepper(t *testing.T, a *apiCluster) {
	ret := pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "*", "test.ping"))
	if len(ret) != 1 || fmt.Sprint(ret[0]) != "map[web1:true]" {
		t.Fatalf("pepper '*' test.ping = %v", ret)
	}
	ret = pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--client", "local_async", "*", "test.echo", "hello"))
	job, _ := ret[0].(map[string]any)
	jid, _ := job["jid"].(string)
	if len(jid) != 20 || fmt.Sprint(job["minions"]) != "[web1]" {
		t.Fatalf("pepper --client local_async = %v", ret)
	}
	eventually(t, "jobs.lookup_jid has web1's return", func() (bool, string) {
		r := a.pepper("fred", "s3cret", "sharedsecret", "--client", "runner", "jobs.lookup_jid", "jid="+jid)
		ret := pepperReturn(t, r)
		return len(ret) == 1 && fmt.Sprint(ret[0]) == "map[web1:hello]", r.stdout
	})
	ret = pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--client", "wheel", "key.list_all"))
	w, _ := ret[0].(map[string]any)
	data, _ := w["data"].(map[string]any)
	keys, _ := data["return"].(map[string]any)
	if data["fun"] != "wheel.key.list_all" || data["user"] != "fred" || data["success"] != true ||
		fmt.Sprint(keys["minions"]) != "[web1]" || !strings.HasPrefix(fmt.Sprint(w["tag"]), "salt/wheel/") {
		t.Fatalf("pepper --client wheel key.list_all = %v", ret)
	}
}

// testKeys: POST /keys preseeds a minion's keys (key.gen_accept, a
// tarball), the wheel deletes it and fires salt/key; pepper --batch.
func testKeys(t *testing.T, a *apiCluster) {
	st, b := a.do("POST", "/keys", "", url.Values{"mid": {"new1"}, "username": {"fred"}, "password": {"s3cret"}, "eauth": {"sharedsecret"}}, "")
	if st != 200 || !strings.Contains(b, "minion.pub") || !strings.Contains(b, "minion.pem") || !strings.Contains(b, "pub: ") {
		t.Fatalf("POST /keys: %d %.200q", st, b)
	}
	if k := a.master.keys(); !contains(k["accepted"], "new1") {
		t.Fatalf("new1 not accepted after key.gen_accept: %v", k)
	}
	ret := pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--client", "wheel", "key.delete", "match=new1"))
	if w, _ := ret[0].(map[string]any); fmt.Sprint(w["data"].(map[string]any)["success"]) != "true" {
		t.Fatalf("key.delete: %v", ret)
	}
	if k := a.master.keys(); contains(k["accepted"], "new1") {
		t.Fatalf("new1 still accepted after key.delete: %v", k)
	}
	ret = pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--batch", "1", "*", "test.ping"))
	if fmt.Sprint(ret) != "[map[web1:true]]" {
		t.Fatalf("pepper --batch 1: %v", ret)
	}
}

// testRefused: outside the ACL, a wrong password, an expired token.
func testRefused(t *testing.T, a *apiCluster) {
	r := a.pepper("alice", "any", "auto", "*", "cmd.run", "id")
	if r.code != 1 || !strings.Contains(r.stderr, "Pepper error: Authentication denied") {
		t.Fatalf("pepper cmd.run as alice: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if ret := pepperReturn(t, a.pepper("alice", "any", "auto", "*", "test.ping")); fmt.Sprint(ret) != "[map[web1:true]]" {
		t.Fatalf("alice's test.ping = %v", ret)
	}
	// pepper --run-uri: a Salt token from /token (the auth.mk_token runner,
	// which alice may not run), then /run with it.
	if ret := pepperReturn(t, a.pepper("fred", "s3cret", "sharedsecret", "--run-uri", "*", "test.ping")); fmt.Sprint(ret) != "[map[web1:true]]" {
		t.Fatalf("pepper --run-uri: %v", ret)
	}
	if r := a.pepper("alice", "any", "auto", "--run-uri", "*", "test.ping"); r.code != 1 || !strings.Contains(r.stderr, "Authentication denied") {
		t.Fatalf("pepper --run-uri as alice (no runner right to auth.mk_token): exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	// /run: credentials in the lowstate, sent on to the master with the
	// publish (which keeps them out of its job cache and events).
	run := url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}, "username": {"fred"}, "eauth": {"sharedsecret"}}
	run.Set("password", "s3cret")
	if st, b := a.do("POST", "/run", "", run, ""); st != 200 || b != `{"return": [{"web1": true}]}` {
		t.Fatalf("POST /run with credentials: %d %s", st, b)
	}
	run.Set("password", "bad")
	if st, b := a.do("POST", "/run", "", run, ""); st != 401 || errorMessage(b) != "Authentication error occurred." {
		t.Fatalf("POST /run with a wrong password: %d %q", st, errorMessage(b))
	}
	r = a.pepper("fred", "wrong", "sharedsecret", "*", "test.ping")
	if r.code != 1 || !strings.Contains(r.stderr, "Authentication denied") {
		t.Fatalf("pepper with a wrong password: exit %d %q", r.code, r.stderr)
	}
	alice := a.login("alice", "any", "auto")
	for _, c := range []struct {
		form url.Values
		msg  string
	}{
		{url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"cmd.run"}, "arg": {"id"}}, "Authorization error occurred."},
		{url.Values{"client": {"runner"}, "fun": {"manage.up"}}, `Authentication failure of type "token" occurred for user alice.`},
		{url.Values{"client": {"wheel"}, "fun": {"key.list_all"}}, `Authentication failure of type "token" occurred for user alice.`},
	} {
		st, b := a.do("POST", "/", alice, c.form, "")
		if st != 401 || errorMessage(b) != c.msg {
			t.Errorf("alice %v: %d %q, want 401 %q", c.form, st, errorMessage(b), c.msg)
		}
	}
	fred := a.login("fred", "s3cret", "sharedsecret")
	st, b := a.do("POST", "/", fred, nil, `[{"client": "local", "tgt": "*", "fun": "test.ping", "full_return": true}]`)
	if st != 200 || !strings.HasPrefix(b, `{"return": [{"web1": {"ret": true, "retcode": 0, "jid": "`) {
		t.Errorf("full_return: %d %s", st, b)
	}
	bob := a.login("bob", "any", "auto")
	if st, b := a.do("POST", "/", bob, url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}}, ""); st != 200 || b != `{"return": [{"web1": true}]}` {
		t.Errorf("bob's web* test.ping: %d %s", st, b)
	}
	short := a.login("fred", "s3cret", "sharedsecret", "token_expire", "1")
	time.Sleep(1100 * time.Millisecond) // the token's own lifetime: what expiry is about
	st, b = a.do("POST", "/", short, url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}}, "")
	if st != 401 || errorMessage(b) != "Authentication error occurred." {
		t.Errorf("an expired token: %d %q, want 401 Authentication error occurred.", st, errorMessage(b))
	}
	if st, _ := a.do("POST", "/", "", url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}}, ""); st != 401 {
		t.Errorf("no token: %d, want 401", st)
	}
}

// testEvents: curl -N on /events sees a job's new and ret events.
func testEvents(t *testing.T, a *apiCluster) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	tok := a.login("fred", "s3cret", "sharedsecret")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, "-sS", "-N", a.url+"/events?token="+tok)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if first := <-lines; first != "retry: 400" {
		t.Fatalf("the stream began %q, want retry: 400", first)
	}
	st, b := a.do("POST", "/", tok, url.Values{"client": {"local_async"}, "tgt": {"*"}, "fun": {"test.ping"}}, "")
	var job struct{ Return []struct{ Jid string } }
	if st != 200 || json.Unmarshal([]byte(b), &job) != nil || len(job.Return) != 1 {
		t.Fatalf("local_async: %d %s", st, b)
	}
	jid := job.Return[0].Jid
	want := map[string]bool{"salt/job/" + jid + "/new": false, "salt/job/" + jid + "/ret/web1": false}
	for seen := 0; seen < len(want); {
		line, ok := <-lines
		if !ok {
			t.Fatalf("the stream ended before %v", want)
		}
		tag, isTag := strings.CutPrefix(line, "tag: ")
		if done, wanted := want[tag]; isTag && wanted && !done {
			data := <-lines
			var ev struct {
				Tag  string
				Data map[string]any
			}
			if err := json.Unmarshal([]byte(strings.TrimPrefix(data, "data: ")), &ev); err != nil || ev.Tag != tag || ev.Data["jid"] != jid {
				t.Fatalf("event %s: data %q", tag, data)
			}
			want[tag] = true
			seen++
		}
	}
	if st, _ := a.do("GET", "/events?token=deadbeef", "", nil, ""); st != 401 {
		t.Errorf("/events with a bad token: %d, want 401", st)
	}
}

// testBadInput: each answered with its status, the API and the master
// serving on, no password in any log.
func testBadInput(t *testing.T, a *apiCluster) {
	tok := a.login("fred", "s3cret", "sharedsecret")
	for _, c := range []struct {
		raw, msg string
		status   int
	}{
		{`[{"client":`, "Invalid JSON document", 400},
		{`[{"client": "nope", "tgt": "*", "fun": "test.ping"}]`, "Invalid client specified: 'nope'", 400},
		{`[{"client": "local_batch_x"}]`, "Invalid client specified: 'local_batch_x'", 400},
		{`{"client": "local"}`, "Missing arguments: the local client needs tgt and fun", 400},
		{`"just text"`, "Lowstates must be a list", 400},
	} {
		st, b := a.do("POST", "/", tok, nil, c.raw)
		if st != c.status || (c.msg != "" && errorMessage(b) != c.msg) {
			t.Errorf("POST / %s: %d %q, want %d %q", c.raw, st, errorMessage(b), c.status, c.msg)
		}
	}
	big := strings.Repeat("a", 50<<20)
	if st, b := a.do("POST", "/", tok, nil, big); st != 413 {
		t.Errorf("a 50 MB body: %d %q, want 413", st, errorMessage(b))
	}
	const password = "Wr0ngPassw0rd-NotLogged"
	var wg sync.WaitGroup
	statuses := make(chan int, 1000)
	// Each refusal takes time_auth's second or so, as in Salt: 100 at a
	// time, as many as the API's thread_pool serves.
	for w := 0; w < 100; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				st, _ := a.do("POST", "/login", "", url.Values{"username": {"fred"}, "password": {password}, "eauth": {"sharedsecret"}}, "")
				statuses <- st
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 401 {
			t.Fatalf("a wrong password: %d, want 401", st)
		}
	}
	if st, b := a.do("POST", "/", tok, url.Values{"client": {"local"}, "tgt": {"*"}, "fun": {"test.ping"}}, ""); st != 200 || b != `{"return": [{"web1": true}]}` {
		t.Fatalf("after the bad input the API answers %d %s", st, b)
	}
	a.waitReady("web1")
	for _, f := range []string{a.api.log, a.md.log, filepath.Join(a.master.root, "var/log/salt/api"), filepath.Join(a.master.root, "var/log/salt/master")} {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), password) || strings.Contains(string(b), "s3cret") {
			t.Errorf("%s has a password in it", f)
		}
	}
	// Nor the job cache, where runner calls (auth.mk_token's included) are kept.
	_ = filepath.WalkDir(filepath.Join(a.master.root, "var/cache/salt/master/jobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "s3cret") {
				t.Errorf("%s has a password in it", p)
			}
		}
		return nil
	})
}

// testEndpoints: /minions, /jobs, /keys, /stats, /logout, YAML.
func testEndpoints(t *testing.T, a *apiCluster) {
	tok := a.login("fred", "s3cret", "sharedsecret")
	st, b := a.do("POST", "/minions", tok, url.Values{"tgt": {"*"}, "fun": {"test.echo"}, "arg": {"lookme"}}, "")
	var job struct {
		Return []struct{ Jid string }
		Links  struct{ Jobs []struct{ Href string } } `json:"_links"`
	}
	if st != 202 || json.Unmarshal([]byte(b), &job) != nil || len(job.Links.Jobs) != 1 || job.Links.Jobs[0].Href != "/jobs/"+job.Return[0].Jid {
		t.Fatalf("POST /minions: %d %s", st, b)
	}
	eventually(t, "GET /jobs/<jid> has the return", func() (bool, string) {
		st, b := a.do("GET", job.Links.Jobs[0].Href, tok, nil, "")
		// The job is the eauth user's, as the master records a token's
		// publish.
		return st == 200 && strings.Contains(b, `"User": "fred"`) && strings.HasSuffix(b, `"return": [{"web1": "lookme"}]}`), b
	})
	// Runner and wheel calls are jobs of the master's, as Salt keeps them.
	if st, b := a.do("GET", "/jobs", tok, nil, ""); st != 200 || !strings.Contains(b, `"Function": "wheel.key.list_all"`) ||
		!strings.Contains(b, `"Function": "runner.jobs.lookup_jid"`) {
		t.Errorf("GET /jobs: %d %.300s, want the runner and wheel calls listed", st, b)
	}
	if st, b := a.do("GET", "/keys", tok, nil, ""); st != 200 || !strings.Contains(b, `"minions": ["web1"]`) {
		t.Errorf("GET /keys: %d %s", st, b)
	}
	if st, b := a.do("GET", "/minions/web1", tok, nil, "", "Accept", "application/x-yaml"); st != 200 || !strings.HasPrefix(b, "return:\n- web1:\n") {
		t.Errorf("GET /minions/web1 in YAML: %d %.100s", st, b)
	}
	if st, b := a.do("GET", "/stats", tok, nil, ""); st != 200 || !strings.Contains(b, `"Total Requests"`) {
		t.Errorf("GET /stats: %d %s", st, b)
	}
	if st, b := a.do("POST", "/logout", tok, nil, ""); st != 200 || b != `{"return": "Your token has been cleared"}` {
		t.Errorf("POST /logout: %d %s", st, b)
	}
	// /keys has no auth tool in rest_cherrypy: the lowstate without
	// credentials is what is refused.
	if st, b := a.do("GET", "/keys", tok, nil, ""); st != 401 || errorMessage(b) != "No authentication credentials given" {
		t.Errorf("GET /keys after logout: %d %q, want 401 No authentication credentials given", st, errorMessage(b))
	}
}
