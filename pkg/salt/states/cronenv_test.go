package states

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestCronEnvSalt3006 runs the scenario compared with Salt 3006.3
// (testdata/compare/salt3006-cron-env.json, made with the fake crontab
// of testdata/compare/fake-crontab.sh on PATH, as here).
func TestCronEnvSalt3006(t *testing.T) {
	bin, tabs := t.TempDir(), t.TempDir()
	script, err := os.ReadFile("testdata/compare/fake-crontab.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "crontab"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKECRON_DIR", tabs)
	prev := cronRunner
	cronRunner = execRunner
	t.Cleanup(func() { cronRunner = prev })
	o := loadObserved(t, "testdata/compare/salt3006-cron-env.json")
	t.Run("run", func(t *testing.T) { runObserved(t, o, "run") })
	b, err := os.ReadFile(filepath.Join(tabs, "www"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "MAILTO=ops\n0 1 * * * /old/job\n" + cronTag + "\n"; string(b) != want {
		t.Errorf("www's crontab after the run:\n%q\nwant %q", b, want)
	}
	t.Run("test", func(t *testing.T) { runObserved(t, o, "test") })
}

func TestCronEnvWrites(t *testing.T) {
	f := &fakeCrontab{tabs: map[string]string{}}
	prev := cronRunner
	cronRunner = f.run
	t.Cleanup(func() { cronRunner = prev })
	env := testEnv()
	r := run(t, env, "cron.env_present", "MAILTO", argMap("user", "www", "value", "ops@example.com"), false)
	wantRet(t, r, "True", "Cron env MAILTO added to www's crontab", `{"www":"MAILTO"}`)
	if !slices.Equal(r.Order, []string{"changes", "comment", "name", "result"}) {
		t.Errorf("env_present order %v, want Salt's changes, comment, name, result", r.Order)
	}
	run(t, env, "cron.env_present", "EMPTY", argMap("user", "www"), false)
	if want := cronTag + "\nMAILTO=ops@example.com\nEMPTY=\"\"\n"; f.tabs["www"] != want {
		t.Fatalf("crontab %q, want %q", f.tabs["www"], want)
	}
	r = run(t, env, "cron.env_absent", "MAILTO", argMap("user", "www"), false)
	if !slices.Equal(r.Order, []string{"name", "result", "changes", "comment"}) {
		t.Errorf("env_absent order %v", r.Order)
	}
	if want := cronTag + "\nEMPTY=\"\"\n"; f.tabs["www"] != want {
		t.Fatalf("crontab %q, want %q", f.tabs["www"], want)
	}
}

// argMap is a chunk's arguments from key, value pairs.
func argMap(kv ...any) body.Map {
	m := body.Map{}
	for i := 0; i+1 < len(kv); i += 2 {
		m = append(m, body.Item{Key: kv[i].(string), Value: kv[i+1]})
	}
	return m
}
