package states

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/fileclient"
	"github.com/saltraet/saltraet/pkg/salt/fileclient/fileclienttest"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The testdata/salt3006-*.json files hold scenarios (a shell setup, then
// states run in order in a fresh directory $D) and what Salt 3006.3's
// salt-call --local state.apply returned for each, with and without
// test=True (result, comment and changes, the directory written "@D").
// The state functions here must return the same, byte for byte.

type observed struct {
	setup string
	// cleanup undoes what the states did to the machine (users,
	// groups, packages) when the test ends.
	cleanup string
	files   map[string]string // the salt:// tree, path: text
	opts    body.Map          // minion options ("@D" for the directory)
	states  [][]any
	salt    map[string][]any
}

func loadObserved(t *testing.T, file string) observed {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := body.DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(body.Map)
	var o observed
	o.setup, _ = m.String("setup")
	o.cleanup, _ = m.String("cleanup")
	o.opts, _ = m.Map("opts")
	o.files = map[string]string{}
	if files, ok := m.Map("files"); ok {
		for _, it := range files {
			o.files[it.Key] = it.Value.(string)
		}
	}
	st, _ := m.Get("states")
	for _, s := range st.([]any) {
		o.states = append(o.states, s.([]any))
	}
	salt, _ := m.Map("salt")
	o.salt = map[string][]any{}
	for _, it := range salt {
		o.salt[it.Key] = it.Value.([]any)
	}
	return o
}

// atDir writes the run's directory as "@D" in every string of v.
func atDir(v any, dir string, to bool) any {
	switch x := v.(type) {
	case string:
		if to {
			return strings.ReplaceAll(x, dir, "@D")
		}
		return strings.ReplaceAll(x, "@D", dir)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = atDir(e, dir, to)
		}
		return out
	case body.Map:
		out := body.Map{}
		for _, it := range x {
			k := it.Key
			if to {
				k = strings.ReplaceAll(k, dir, "@D")
			} else {
				k = strings.ReplaceAll(k, "@D", dir)
			}
			out = append(out, body.Item{Key: k, Value: atDir(it.Value, dir, to)})
		}
		return out
	}
	return v
}

func TestObservedSalt3006(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the observed runs were made as root (owners root:root)")
	}
	syscall.Umask(0o022)
	files, _ := filepath.Glob("testdata/salt3006-*.json")
	for _, file := range files {
		o := loadObserved(t, file)
		if _, err := exec.LookPath("dpkg"); err != nil && strings.Contains(file, "-pkg-apt") {
			continue // the pkg scenarios install a .deb with apt-get
		}
		for _, mode := range []string{"run", "test"} {
			t.Run(filepath.Base(file)+"/"+mode, func(t *testing.T) {
				if strings.Contains(file, "-pkg-") || strings.Contains(file, "-group") || strings.Contains(file, "-user") {
					lockSystem(t) // they change the machine's packages, users and groups
				}
				runObserved(t, o, mode)
			})
		}
	}
}

func runObserved(t *testing.T, o observed, mode string) {
	dir := filepath.Join(t.TempDir(), "D")
	os.Mkdir(dir, 0o755)
	sh := exec.Command("sh", "-c", o.setup)
	sh.Env = append(os.Environ(), "D="+dir)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("setup: %v: %s", err, out)
	}
	if o.cleanup != "" {
		t.Cleanup(func() {
			if out, err := exec.Command("sh", "-c", o.cleanup).CombinedOutput(); err != nil {
				t.Errorf("cleanup: %v: %s", err, out)
			}
		})
	}
	env := testEnv()
	cache := filepath.Join(t.TempDir(), "cache")
	env.Opts["cachedir"] = cache
	master := fileclienttest.New(t)
	for rel, text := range o.files {
		master.Write("base", rel, []byte(text))
	}
	env.Files = fileclient.New(cache, master, "")
	for _, it := range atDir(o.opts, dir, false).(body.Map) {
		env.Opts[it.Key] = it.Value
	}
	if g, ok := o.opts.Map("grains"); ok { // the minion's grains option
		for _, it := range g {
			env.Grains[it.Key] = it.Value
		}
	}
	reg := state.Registry{}
	Register(reg)
	for i, s := range o.states {
		fun, name := s[0].(string), atDir(s[1], dir, false).(string)
		args, _ := atDir(s[2], dir, false).(body.Map)
		st, fn, _ := cut(fun)
		low := &state.Low{State: st, Fun: fn, ID: name, Name: name, Env: "base", Args: args}
		r := reg[fun](context.Background(), &state.Call{Low: low, Test: mode == "test", Env: env})
		var result any
		if r.Result != nil {
			result = *r.Result
		}
		got := body.Map{{Key: "result", Value: result}, {Key: "comment", Value: r.Comment}, {Key: "changes", Value: r.Changes}}
		want := o.salt[mode][i].(body.Map)
		if tb := tracebackMessage(want); tb != "" {
			// Salt's comment is a Python traceback; its last line
			// must carry the same message.
			if !strings.HasPrefix(r.Comment, exceptionPrefix) || !strings.HasSuffix(tb, ": "+strings.TrimPrefix(r.Comment, exceptionPrefix)) {
				t.Errorf("state %d %s: comment %q, Salt raised %q", i, fun, r.Comment, tb)
			}
			got.Set("comment", nil)
			want = append(body.Map{}, want...)
			want.Set("comment", nil)
		}
		gotRow := atDir(got, dir, true).(body.Map)
		if fun == "file.recurse" {
			// Salt walks Python sets, in an order that changes from
			// one run to the next: compare in sorted order.
			gotRow, want = setOrder(gotRow), setOrder(want)
		}
		gotJS, _ := body.AppendJSON(nil, gotRow)
		wantJS, _ := body.AppendJSON(nil, want)
		if string(gotJS) != string(wantJS) {
			t.Errorf("state %d %s %s:\n got  %s\n salt %s", i, fun, s[1], gotJS, wantJS)
		}
	}
}

const exceptionPrefix = "An exception occurred in this state: "

// tracebackMessage is the last line of a traceback Salt put in the
// comment ("salt.exceptions.CommandExecutionError: ..."), "" when the
// comment is no traceback.
func tracebackMessage(ret body.Map) string {
	c, _ := ret.String("comment")
	if !strings.HasPrefix(c, exceptionPrefix+"Traceback") {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(c), "\n")
	return lines[len(lines)-1]
}

// setOrder sorts a file.recurse row's changes by path and its comment's
// "#### path ####" blocks.
func setOrder(row body.Map) body.Map {
	out := append(body.Map{}, row...)
	if ch, ok := out.Map("changes"); ok {
		ch = append(body.Map{}, ch...)
		slices.SortFunc(ch, func(a, b body.Item) int { return strings.Compare(a.Key, b.Key) })
		out.Set("changes", ch)
	}
	if c, _ := out.String("comment"); strings.HasPrefix(c, "#### ") {
		blocks := strings.Split(strings.TrimPrefix(c, "#### "), "\n\n#### ")
		slices.Sort(blocks)
		out.Set("comment", "#### "+strings.Join(blocks, "\n\n#### "))
	}
	return out
}

// lockSystem serializes the scenarios that change the machine itself
// (packages, users, groups) between test processes.
func lockSystem(t *testing.T) { testutil.LockSystem(t) }
