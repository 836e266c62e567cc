package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/salt/config"
)

// newTestRoot is a command as the salt-*-raet commands make theirs: -v,
// --version, and a RunE that refuses "bad".
func newTestRoot(verbose, version *bool) *cobra.Command {
	root := NewRoot("tool [options]", "A tool", "", cobra.ArbitraryArgs)
	root.Flags().BoolVarP(verbose, "verbose", "v", false, "Say more.")
	root.Flags().BoolVar(version, "version", false, "Show the version.")
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		if len(rest) > 0 && rest[0] == "bad" {
			return Usagef("unexpected argument %q", rest[0])
		}
		return nil
	}
	return root
}

func TestExecute(t *testing.T) {
	for _, c := range []struct {
		args           []string
		code           int
		ok             bool
		stdout, stderr string
	}{
		{[]string{"-v"}, ExitOK, true, "", ""},
		{[]string{"--bogus"}, ExitUsage, false, "", "Usage: tool [options]\n\ntool: error: unknown flag: --bogus\n"},
		{[]string{"bad"}, ExitUsage, false, "", "Usage: tool [options]\n\ntool: error: unexpected argument \"bad\"\n"},
		{[]string{"--version"}, ExitOK, false, "tool " + Version() + "\n", ""},
		{[]string{"--version", "bad"}, ExitUsage, false, "", "Usage: tool [options]\n\ntool: error: unexpected argument \"bad\"\n"},
	} {
		var verbose, version bool
		var out, errb bytes.Buffer
		code, ok := Execute(newTestRoot(&verbose, &version), c.args, &version, nil, &out, &errb)
		if code != c.code || ok != c.ok || out.String() != c.stdout || errb.String() != c.stderr {
			t.Errorf("%q: %d %v stdout %q stderr %q", c.args, code, ok, out.String(), errb.String())
		}
	}
	var verbose, version bool
	var out bytes.Buffer
	code, ok := Execute(newTestRoot(&verbose, &version), []string{"--help"}, &version, nil, &out, &out)
	if code != ExitOK || ok || !strings.Contains(out.String(), "Usage:\n  tool [options]\n") || strings.Contains(out.String(), "[flags]") ||
		strings.Index(out.String(), "--verbose") > strings.Index(out.String(), "--version") {
		t.Errorf("--help: %d %v %q", code, ok, out.String())
	}
}

func TestLogLevelsAndMessages(t *testing.T) {
	if err := CheckLogLevel("-l/--log-level", ""); err != nil {
		t.Error(err)
	}
	if err := CheckLogLevel("-l/--log-level", "INFO"); err != nil {
		t.Error(err)
	}
	err := CheckLogLevel("--log-level", "loud")
	want := "option --log-level: invalid choice: 'loud' (choose from 'all', 'garbage', 'trace', 'debug', 'profile', 'info', 'warning', 'error', 'critical', 'quiet')"
	if !errors.As(err, new(UsageError)) || err.Error() != want {
		t.Errorf("%v", err)
	}
	var b bytes.Buffer
	PrintError(&b, errors.New("one\ntwo"))
	dir := filepath.Join(t.TempDir(), "nonexistent")
	WarnMissingConfigDir(&b, dir)
	WarnMissingConfigDir(&b, t.TempDir())
	if want := "Error: one\nError: two\nWARNING: \"" + dir + "\" directory does not exist.\n"; b.String() != want {
		t.Errorf("%q", b.String())
	}
	if h, err := Hostname("tool")(); err != nil || h == "" || strings.HasPrefix(h, "localhost") {
		t.Errorf("Hostname: %q %v", h, err)
	}
}

func TestDaemonOptions(t *testing.T) {
	var o DaemonOptions
	root := NewRoot("d [options]", "", "", cobra.NoArgs)
	o.AddFlags(root.Flags(), "minion", "Console logging log level.")
	if err := root.Flags().Parse([]string{"-l", "DEBUG", "--pid-file", "/p"}); err != nil {
		t.Fatal(err)
	}
	c := &config.Common{LogLevel: "warning", LogFile: "/var/log/salt/minion", Pidfile: "/var/run/salt-minion.pid"}
	if level, logFile, pidFile := o.Resolve(c); level != "debug" || logFile != "/var/log/salt/minion" || pidFile != "/p" {
		t.Errorf("%q %q %q", level, logFile, pidFile)
	}
	if u := root.Flags().Lookup("pid-file").Usage; !strings.Contains(u, "'/var/run/salt-minion.pid'") {
		t.Errorf("--pid-file: %q", u)
	}
}

func TestPidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "d.pid")
	if err := WritePidFile(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("pid file %q", b)
	}
	if pid, err := ReadPidFile(path); err != nil || pid != os.Getpid() {
		t.Errorf("ReadPidFile: %d %v", pid, err)
	}
	RemovePidFile(path)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("not removed: %v", err)
	}
	// Another process's pid file stays.
	if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	RemovePidFile(path)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("removed another's pid file: %v", err)
	}
	if err := os.WriteFile(path, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPidFile(path); err == nil || !strings.Contains(err.Error(), "does not hold a pid") {
		t.Errorf("ReadPidFile of junk: %v", err)
	}
	if WritePidFile("") != nil {
		t.Error("no pid file is no error")
	}
}
