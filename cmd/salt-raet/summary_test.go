package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/salt/client/clienttest"
)

const summaryHead = "\n\n-------------------------------------------\nSummary\n-------------------------------------------\n"

// -L a,ghost: ghost, which has no key, is printed as not returned with
// Salt's text and hint, exit 1; --summary counts it; -v lists it.
func TestMissingIDAndSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: true}, clienttest.Minion{ID: "b", Return: false, Retcode: 1})
	r := e.salt("-L", "a,ghost", "test.ping")
	want := "a:\n    True\nghost:\n    Minion did not return. [No response]\n    The minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:\n    \n    salt-run-raet jobs.lookup_jid JID\n"
	if noJIDs(r.stdout) != want || r.code != 1 || r.stderr != "ERROR: Minions returned with non-zero exit code\n" {
		t.Errorf("-L a,ghost:\n got  %q %q exit %d\n want %q", r.stdout, r.stderr, r.code, want)
	}
	r = e.salt("--summary", "-v", "-L", "a,b,ghost", "test.ping")
	sum := summaryHead + "# of minions targeted: 3\n# of minions returned: 2\n# of minions that did not return: 1\n# of minions with errors: 1\n" +
		"Minions not responding: ghost\nMinions with failures: b\n-------------------------------------------\n"
	if !strings.HasSuffix(r.stdout, "salt-run-raet jobs.lookup_jid "+jidRE.FindString(r.stdout)+"\n"+sum) || r.code != 1 {
		t.Errorf("--summary -v:\n got  %q exit %d\n want the returns then %q", r.stdout, r.code, sum)
	}
	// Salt prints the summary for the default outputters only.
	if r := e.salt("--summary", "--out", "json", "*", "test.ping"); strings.Contains(r.stdout, "Summary") {
		t.Errorf("--summary --out json: %q", r.stdout)
	}
	r = e.salt("--summary", "a", "test.ping")
	if r.stdout != "a:\n    True\n"+summaryHead+"# of minions targeted: 1\n# of minions returned: 1\n# of minions that did not return: 0\n# of minions with errors: 0\n-------------------------------------------\n" || r.code != 0 {
		t.Errorf("--summary: %q exit %d", r.stdout, r.code)
	}
}

// --progress prints no return: the bar on stderr, then the summary; the
// exit status is 0 as in Salt even when a minion failed.
func TestProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: true}, clienttest.Minion{ID: "b", Return: "x", Retcode: 2})
	r := e.salt("--progress", "*", "test.ping")
	if r.stdout != summaryHead+"# of minions targeted: 2\n# of minions returned: 2\n# of minions that did not return: 0\n# of minions with errors: 1\n-------------------------------------------\n" || r.code != 0 {
		t.Errorf("stdout %q exit %d", r.stdout, r.code)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\r"), "\r")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "  0% |    ") || !strings.HasPrefix(lines[2], "100% |####") || !strings.HasSuffix(lines[2], " Returns: [2/2]") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// The bar's lines as progressbar 2.5 draws them for Salt on a pipe (79
// columns), taken from real Salt 3006.3 with two minions.
func TestProgressBarLine(t *testing.T) {
	p := newProgressBar(nil, 2, time.Now)
	p.width = 79
	for val, want := range []string{
		"  0% |                                   | Elapsed Time: 0:00:00 Returns: [0/2]",
		" 50% |#################                  | Elapsed Time: 0:00:00 Returns: [1/2]",
		"100% |###################################| Elapsed Time: 0:00:00 Returns: [2/2]",
	} {
		if got := p.line(val, 300*time.Millisecond); got != want {
			t.Errorf("%d:\n got  %q\n want %q", val, got, want)
		}
	}
	if got := p.line(1, 3725*time.Second); !strings.Contains(got, "Elapsed Time: 1:02:05 ") {
		t.Errorf("timer: %q", got)
	}
}

// --out-file empties the file, then receives each return instead of
// stdout; --out-file-append adds to it.
func TestOutFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, pingers("a", "b")...)
	file := filepath.Join(e.root, "out.txt")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.salt("*", "test.ping", "--out-file", file)
	if b, _ := os.ReadFile(file); string(b) != "a:\n    True\nb:\n    True\n" || r.stdout != "" || r.code != 0 {
		t.Errorf("--out-file: file %q stdout %q exit %d", b, r.stdout, r.code)
	}
	r = e.salt("a", "test.ping", "--out", "json", "--output-file", file, "--out-file-append")
	if b, _ := os.ReadFile(file); string(b) != "a:\n    True\nb:\n    True\n{\n    \"a\": true\n}\n" || r.code != 0 {
		t.Errorf("--out-file-append: file %q exit %d", b, r.code)
	}
	r = e.salt("a", "test.ping", "--out-file", e.root)
	if r.code != 0 || !strings.Contains(r.stderr, "cannot write the output to --out-file "+e.root) {
		t.Errorf("--out-file a directory: exit %d %q", r.code, r.stderr)
	}
}

// --out table and --out pprint through the command.
func TestOutTableAndPprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	e.start(nil, clienttest.Minion{ID: "a", Return: []any{map[string]any{"name": "eth0", "mtu": int64(1500)}}})
	r := e.salt("a", "test.fn", "--out", "table")
	want := "a:\n----------\n    ---------------\n    | Mtu  | Name |\n    ---------------\n    | 1500 | eth0 |\n    ---------------\n"
	if r.stdout != want || r.code != 0 {
		t.Errorf("table:\n got  %q\n want %q", r.stdout, want)
	}
	if r := e.salt("a", "test.fn", "--out", "pprint"); r.stdout != "{'a': [{'mtu': 1500, 'name': 'eth0'}]}\n" {
		t.Errorf("pprint: %q", r.stdout)
	}
}
