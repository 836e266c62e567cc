package states

import (
	"context"
	"math/rand/v2"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The test states (salt/states/test.py) report what they are told to:
// they are how requisites, test=True and the outputter are exercised.

func registerTest(r state.Registry) {
	r["test.succeed_without_changes"] = testSucceedWithoutChanges
	r["test.nop"] = func(_ context.Context, c *state.Call) state.Ret {
		return testResult(c.Low.Name, "Success!", true, nil)
	}
	r["test.fail_without_changes"] = testFailWithoutChanges
	r["test.succeed_with_changes"] = func(_ context.Context, c *state.Call) state.Ret {
		return testWithChanges(c, true, "If we weren't testing, this would be successful with changes")
	}
	r["test.fail_with_changes"] = func(_ context.Context, c *state.Call) state.Ret {
		return testWithChanges(c, false, "If we weren't testing, this would be failed with changes")
	}
	r["test.configurable_test_state"] = testConfigurable
	r["test.show_notification"] = testShowNotification
	r["test.mod_watch"] = testModWatch
}

// pretendChange is the changes the test states report.
func pretendChange() body.Map {
	return body.Map{{Key: "testing", Value: body.Map{
		{Key: "old", Value: "Unchanged"}, {Key: "new", Value: "Something pretended to change"}}}}
}

func testResult(name, comment string, result bool, changes body.Map) state.Ret {
	r := newRet(name, boolp(result))
	r.Comment = comment
	if changes != nil {
		r.Changes = changes
	}
	return r
}

func testSucceedWithoutChanges(_ context.Context, c *state.Call) state.Ret {
	return testResult(c.Low.Name, argsOf(c).str("comment", "Success!"), true, nil)
}

func testFailWithoutChanges(_ context.Context, c *state.Call) state.Ret {
	r := testResult(c.Low.Name, argsOf(c).str("comment", "Failure!"), false, nil)
	if c.Test {
		r.Comment = "If we weren't testing, this would be a failure!"
	}
	return r
}

func testWithChanges(c *state.Call, result bool, testComment string) state.Ret {
	def := "Failure!"
	if result {
		def = "Success!"
	}
	r := testResult(c.Low.Name, argsOf(c).str("comment", def), result, pretendChange())
	if c.Test {
		r.Result, r.Comment = nil, testComment
	}
	return r
}

// randomOr reads a True/False/"Random" argument; ok is false for anything
// else.
func randomOr(v any) (b, ok bool) {
	if x, isBool := v.(bool); isBool {
		return x, true
	}
	if strings.ToLower(pyStr(v)) == "random" {
		return rand.IntN(2) == 1, true
	}
	return false, false
}

func testConfigurable(_ context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	comment := a.str("comment", "")
	r := testResult(c.Low.Name, comment, false, nil)
	changesArg, given := a.m.Get("changes")
	if !given {
		changesArg = true
	}
	changed, ok := randomOr(changesArg)
	if !ok {
		return failRet(c.Low.Name, "An exception occurred in this state: SaltInvocationError: You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'")
	}
	if changed {
		r.Changes = pretendChange()
	}
	resultArg, given := a.m.Get("result")
	if !given {
		resultArg = true
	}
	result, ok := randomOr(resultArg)
	if !ok {
		return failRet(c.Low.Name, "An exception occurred in this state: SaltInvocationError: You have specified the state option 'result' with invalid arguments. It must be either True, False, or 'Random'")
	}
	r.Result = boolp(result)
	switch w := a.get("warnings").(type) {
	case nil:
	case string:
		r.Warnings = []string{w}
	case []any:
		for _, x := range w {
			r.Warnings = append(r.Warnings, pyStr(x))
		}
	default:
		return failRet(c.Low.Name, "An exception occurred in this state: SaltInvocationError: You have specified the state option 'warnings' with invalid arguments. It must be a string or a list of strings")
	}
	if c.Test {
		if b, isBool := changesArg.(bool); isBool && !b {
			r.Result = &yes
		} else {
			r.Result = nil
		}
		if comment == "" {
			r.Comment = "This is a test"
		}
	}
	return r
}

func testShowNotification(_ context.Context, c *state.Call) state.Ret {
	text := argsOf(c).str("text", "")
	if text == "" {
		return failRet(c.Low.Name, "An exception occurred in this state: SaltInvocationError: Missing required argument text.")
	}
	return testResult(c.Low.Name, text, true, nil)
}

// testModWatch is test.mod_watch: "Watch statement fired." The runtime
// passes no watched results in a Call, so the changes list the watch
// requisites as written.
func testModWatch(_ context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	has := []any{}
	for _, q := range c.Low.Reqs {
		if q.Kind == "watch" {
			has = append(has, q.State+": "+q.Ref)
		}
	}
	r := testResult(c.Low.Name, a.str("comment", "Watch statement fired."), a.boolean("result", true), nil)
	if ch, ok := a.get("changes").(body.Map); ok {
		r.Changes = ch
	} else {
		r.Changes = body.Map{{Key: "Requisites with changes", Value: has}}
	}
	return r
}
