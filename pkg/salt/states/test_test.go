package states

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

const pretend = `{"testing":{"old":"Unchanged","new":"Something pretended to change"}}`

func TestTestStates(t *testing.T) {
	env := testEnv()
	cases := []struct {
		fun                      string
		args                     body.Map
		test                     bool
		result, comment, changes string
	}{
		{"test.succeed_without_changes", nil, false, "True", "Success!", "{}"},
		{"test.succeed_without_changes", body.Map{{Key: "comment", Value: "hi"}}, false, "True", "hi", "{}"},
		{"test.nop", nil, true, "True", "Success!", "{}"},
		{"test.fail_without_changes", nil, false, "False", "Failure!", "{}"},
		{"test.fail_without_changes", nil, true, "False", "If we weren't testing, this would be a failure!", "{}"},
		{"test.succeed_with_changes", nil, false, "True", "Success!", pretend},
		{"test.succeed_with_changes", nil, true, "None", "If we weren't testing, this would be successful with changes", pretend},
		{"test.fail_with_changes", nil, true, "None", "If we weren't testing, this would be failed with changes", pretend},
		{"test.configurable_test_state", nil, false, "True", "", pretend},
		{"test.configurable_test_state", body.Map{{Key: "changes", Value: false}, {Key: "result", Value: false}, {Key: "comment", Value: "c"}}, false, "False", "c", "{}"},
		{"test.configurable_test_state", body.Map{{Key: "changes", Value: false}}, true, "True", "This is a test", "{}"},
		{"test.configurable_test_state", nil, true, "None", "This is a test", pretend},
		{"test.configurable_test_state", body.Map{{Key: "changes", Value: "maybe"}}, false, "False",
			"An exception occurred in this state: SaltInvocationError: You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'", "{}"},
	}
	for _, tc := range cases {
		t.Run(tc.fun, func(t *testing.T) {
			wantRet(t, run(t, env, tc.fun, "t1", tc.args, tc.test), tc.result, tc.comment, tc.changes)
		})
	}
}

func TestConfigurableWarnings(t *testing.T) {
	r := run(t, testEnv(), "test.configurable_test_state", "w", body.Map{{Key: "warnings", Value: "careful"}}, false)
	if len(r.Warnings) != 1 || r.Warnings[0] != "careful" {
		t.Fatalf("warnings = %v", r.Warnings)
	}
}
