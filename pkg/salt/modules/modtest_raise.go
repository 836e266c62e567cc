package modules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// testMiscFuncs are tty, assertion, raise_exception and
// deprecation_warning: functions that exist to make a job fail or warn in
// a given way.
func testMiscFuncs() []Func {
	return []Func{
		{
			Name: "test.tty", VarArgs: true, VarKwargs: true,
			Doc:  "Deprecated! Moved to :mod:`cmd.tty <salt.modules.cmdmod.tty>`\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.tty tty0 'This is a test'\n    salt '*' test.tty pts3 'This is a test'",
			Call: func(*Call) (any, error) { return "ERROR: This function has been moved to cmd.tty", nil },
		},
		{
			Name:   "test.assertion",
			Params: []Param{{Name: "assertion", Required: true}},
			Doc:    "Assert the given argument\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.assertion False",
			Call: func(c *Call) (any, error) {
				if !pyTruthy(c.Arg("assertion")) {
					return nil, &Exception{Type: "AssertionError"}
				}
				return nil, nil
			},
		},
		{
			Name:   "test.raise_exception",
			Params: []Param{{Name: "name", Required: true}}, VarArgs: true, VarKwargs: true,
			Doc:  "Raise an exception. Built-in exceptions and those in\n:mod:`salt.exceptions <salt.internals.salt.exceptions>`\ncan be raised by this test function. If no matching exception is found,\nthen no exception will be raised and this function will return ``False``.\n\nThis function is designed to test Salt's exception and return code\nhandling.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.raise_exception TypeError \"An integer is required\"\n    salt '*' test.raise_exception salt.exceptions.CommandExecutionError \"Something went wrong\"",
			Call: testRaiseException,
		},
		{
			Name: "test.deprecation_warning",
			Doc: "Return True, but also produce two DeprecationWarnings. One by date, the\nother by the codename - release Oganesson, which should correspond to Salt\n3108.\n\n" +
				"(A Go minion has no Python warnings to produce: it returns True.)\n\nCLI Example:\n\n    salt \\* test.deprecation_warning",
			Call: func(*Call) (any, error) { return true, nil },
		},
	}
}

// builtinExceptions are Python's built-in exceptions a job may raise
// (SystemExit, KeyboardInterrupt and GeneratorExit would stop the minion's
// job process in Salt: they are refused here); aliases map to the class
// Python reports.
var builtinExceptions = map[string]string{"EnvironmentError": "OSError", "IOError": "OSError"}

func init() {
	for _, n := range strings.Fields(`ArithmeticError AssertionError AttributeError BlockingIOError BrokenPipeError
		BufferError ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError
		EOFError Exception FileExistsError FileNotFoundError FloatingPointError ImportError IndentationError IndexError
		InterruptedError IsADirectoryError KeyError LookupError MemoryError ModuleNotFoundError NameError
		NotADirectoryError NotImplementedError OSError OverflowError PermissionError ProcessLookupError RecursionError
		ReferenceError RuntimeError StopAsyncIteration StopIteration SyntaxError SystemError TabError TimeoutError
		TypeError UnboundLocalError UnicodeError ValueError ZeroDivisionError`) {
		builtinExceptions[n] = n
	}
}

// saltExceptions are the classes of salt.exceptions (3006).
var saltExceptions = strings.Fields(`SaltException SaltClientError SaltMasterError SaltNoMinionsFound
	SaltSyndicMasterError SaltMasterUnresolvableError AuthenticationError InvalidKeyError CommandNotFoundError
	CommandExecutionError LoaderError PublishError MinionError FileserverConfigError FileLockError GitLockError
	GitRemoteError SaltInvocationError PkgParseError SaltRenderError SaltClientTimeout SaltCacheError TimeoutError
	SaltReqTimeoutError TimedProcTimeoutError EauthAuthenticationError TokenAuthenticationError
	SaltDeserializationError AuthorizationError SaltDaemonNotRunning SaltRunnerError SaltWheelError
	SaltConfigurationError TemplateError ArgumentValueError CheckError InvalidConfigError InvalidEntityError
	CodePageError`)

// testRaiseException is test.raise_exception: the named exception, raised
// with the arguments, reported as the minion reports that kind; False for
// a name that is no exception.
func testRaiseException(c *Call) (any, error) {
	name := py.Str(c.Arg("name"))
	msg := exceptionMessage(name, c.Args)
	if cls, ok := strings.CutPrefix(name, "salt.exceptions."); ok {
		if !slices.Contains(saltExceptions, cls) {
			return false, nil
		}
		switch cls {
		case "CommandExecutionError":
			return nil, &CommandExecutionError{msg}
		case "SaltInvocationError":
			return nil, &SaltInvocationError{msg}
		case "CommandNotFoundError":
			return nil, &CommandNotFoundError{msg}
		}
		return nil, &Exception{Type: name, Msg: msg}
	}
	cls, ok := builtinExceptions[name]
	if !ok {
		return false, nil
	}
	if cls == "TypeError" {
		return nil, &TypeError{msg}
	}
	return nil, &Exception{Type: cls, Msg: msg}
}

// exceptionMessage is str(exc(*args)): nothing, the one argument, or the
// tuple of them; a KeyError shows its key's repr.
func exceptionMessage(name string, args []any) string {
	switch len(args) {
	case 0:
		return ""
	case 1:
		if name == "KeyError" {
			return py.Repr(args[0])
		}
		return py.Str(args[0])
	}
	if strings.HasSuffix(name, "OSError") && len(args) == 2 {
		return fmt.Sprintf("[Errno %s] %s", py.Str(args[0]), py.Str(args[1]))
	}
	return py.Tuple(args)
}
