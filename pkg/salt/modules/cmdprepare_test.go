package modules

import (
	"reflect"
	"testing"
	"time"
)

func TestCmdArgv(t *testing.T) {
	for _, tc := range []struct {
		cmd      any
		viaShell bool
		argv     []string
		shown    string
	}{
		{"echo 'a b'", false, []string{"echo", "a b"}, "['echo', 'a b']"},
		{"echo 'a b'", true, []string{"/bin/sh", "-c", "echo 'a b'"}, "echo 'a b'"},
		{[]any{"ls", int64(1)}, false, []string{"ls", "1"}, "['ls', 1]"},
		{[]any{"ls", "-l"}, true, []string{"/bin/sh", "-c", "ls", "-l"}, "['ls', '-l']"},
	} {
		argv, shown, err := cmdArgv(tc.cmd, "/bin/sh", tc.viaShell)
		if err != nil || !reflect.DeepEqual(argv, tc.argv) || shown != tc.shown {
			t.Errorf("cmdArgv(%#v, %v) = %q, %q, %v; want %q, %q", tc.cmd, tc.viaShell, argv, shown, err, tc.argv, tc.shown)
		}
	}
	if _, _, err := cmdArgv([]any{}, "/bin/sh", true); err == nil || err.Error() != "IndexError: list index out of range" {
		t.Errorf("cmdArgv of an empty list: %v", err)
	}
}

func TestCmdTimeoutArg(t *testing.T) {
	for _, tc := range []struct {
		in   any
		d    time.Duration
		text string
	}{
		{nil, 0, ""},
		{int64(0), 0, ""},
		{int64(3), 3 * time.Second, "3"},
		{0.5, 500 * time.Millisecond, "0.5"},
		{int64(-1), 0, "-1"},
	} {
		d, text, err := cmdTimeout(tc.in)
		if err != nil || d != tc.d || text != tc.text {
			t.Errorf("cmdTimeout(%#v) = %v, %q, %v; want %v, %q", tc.in, d, text, err, tc.d, tc.text)
		}
	}
	if _, _, err := cmdTimeout("soon"); err == nil || err.Error() != "salt.exceptions.TimedProcTimeoutError: Error: timeout soon must be a number" {
		t.Errorf("cmdTimeout(\"soon\"): %v", err)
	}
}

func TestSuccessRuleMet(t *testing.T) {
	rule := successRule{retcodes: []int64{0, 4}, stdout: []any{"warn"}, stderr: []any{"ignored"}}
	for _, tc := range []struct {
		res  cmdResult
		want bool
	}{
		{cmdResult{retcode: 0}, true},
		{cmdResult{retcode: 4}, true},
		{cmdResult{retcode: 1}, false},
		{cmdResult{retcode: 1, stdout: "a warning"}, true},
		{cmdResult{retcode: 1, stderr: "was ignored"}, true},
		{cmdResult{retcode: 1, stdout: "ignored", stderr: "warn"}, false},
	} {
		if got := rule.met(&tc.res); got != tc.want {
			t.Errorf("met(%+v) = %v, want %v", tc.res, got, tc.want)
		}
	}
}

// TestPrepareCmdOrder: the first complaint is the one Salt's _run would
// make, and nothing runs when the call is invalid.
func TestPrepareCmdOrder(t *testing.T) {
	e := New(Options{})
	// Both the shell and the timeout are wrong; the shell is checked first.
	wantError(t, run(e, "cmd.run", "touch /nonexistent-dir/x", kw("shell", "/nonexistent", "timeout", "soon")),
		"ERROR: The shell /nonexistent is not available")
	wantError(t, run(e, "cmd.run", "true", kw("cwd", "relative", "success_retcodes", "x")),
		"ERROR: Specified cwd 'relative' either not absolute or does not exist")
	wantError(t, run(e, "cmd.run", "true", kw("umask", "022", "shell", "/nonexistent")),
		"ERROR: umask=022 is not supported by this minion")
}
