package modules

import (
	"errors"
	"fmt"
)

// Errors a function returns, each reported the way the ZeroMQ minion of
// Salt 3006 reports the matching Python exception (Minion._thread_return;
// spec/salt-raet.md §4.1), always with retcode 1, success false and the
// nested outputter.

// CommandExecutionError is reported as "ERROR: <msg>".
type CommandExecutionError struct{ Msg string }

func (e *CommandExecutionError) Error() string { return e.Msg }

// SaltInvocationError is reported as "ERROR executing '<fun>': <msg>".
type SaltInvocationError struct{ Msg string }

func (e *SaltInvocationError) Error() string { return e.Msg }

// CommandNotFoundError is reported as "Command required for '<fun>' not
// found: <msg>".
type CommandNotFoundError struct{ Msg string }

func (e *CommandNotFoundError) Error() string { return e.Msg }

// TypeError is Python's TypeError from calling a function with arguments
// it does not take; it is reported as "Passed invalid arguments to <fun>:
// <msg>" followed by the function's docstring.
type TypeError struct{ Msg string }

func (e *TypeError) Error() string { return e.Msg }

// Exception is any other exception; it is reported as "The minion function
// caused an exception: <Type>: <msg>", the last line of the traceback Salt
// would print. Errors of no other kind in this list are reported as an
// Exception of type Exception.
type Exception struct{ Type, Msg string }

// Error is the last line of the traceback: "Type: msg", or the type alone
// for an exception raised without a message.
func (e *Exception) Error() string {
	if e.Msg == "" {
		return e.Type
	}
	return e.Type + ": " + e.Msg
}

func cmdErr(format string, args ...any) error {
	return &CommandExecutionError{fmt.Sprintf(format, args...)}
}

func invocationErr(format string, args ...any) error {
	return &SaltInvocationError{fmt.Sprintf(format, args...)}
}

func typeErr(format string, args ...any) error {
	return &TypeError{fmt.Sprintf(format, args...)}
}

// errorMessage is the return of a job whose function failed: the message
// of the error's kind, as Minion._thread_return writes it.
func errorMessage(f *Func, err error) string {
	var (
		cee *CommandExecutionError
		sie *SaltInvocationError
		cnf *CommandNotFoundError
		te  *TypeError
		exc *Exception
	)
	switch {
	case errors.As(err, &cnf):
		return fmt.Sprintf("Command required for '%s' not found: %s", f.Name, cnf.Msg)
	case errors.As(err, &cee):
		return "ERROR: " + cee.Msg
	case errors.As(err, &sie):
		return fmt.Sprintf("ERROR executing '%s': %s", f.Name, sie.Msg)
	case errors.As(err, &te):
		return fmt.Sprintf("Passed invalid arguments to %s: %s\n%s", f.Name, te.Msg, funcDocstring(f))
	case errors.As(err, &exc):
		return "The minion function caused an exception: " + exc.Error()
	}
	return "The minion function caused an exception: Exception: " + err.Error()
}

// funcDocstring is f's __doc__ as Python has it ("" for none): Salt
// appends it to "Passed invalid arguments" errors.
func funcDocstring(f *Func) string {
	if f.Doc == "" {
		return ""
	}
	return pyDocstring(f.Doc)
}
