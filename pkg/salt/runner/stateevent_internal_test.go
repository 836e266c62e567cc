package runner

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TestEventLine: state.event's line is json.dumps(data, sort_keys=pretty,
// indent=4 if pretty else None) after the tag and a tab; text outside
// ASCII is written as it is (ensure_ascii off).
func TestEventLine(t *testing.T) {
	data := body.Map{{Key: "zeta", Value: "é"}, {Key: "alpha", Value: []any{int64(1), true, nil}}, {Key: "mid", Value: body.Map{{Key: "y", Value: 1.5}, {Key: "x", Value: "s"}}}}
	got, err := eventLine("salt/x", data, false)
	if want := "salt/x\t{\"zeta\": \"é\", \"alpha\": [1, true, null], \"mid\": {\"y\": 1.5, \"x\": \"s\"}}"; err != nil || got != want {
		t.Errorf("eventLine = %q, %v; want %q", got, err, want)
	}
	got, err = eventLine("salt/x", data, true)
	want := "salt/x\t{\n    \"alpha\": [\n        1,\n        true,\n        null\n    ],\n    \"mid\": {\n        \"x\": \"s\",\n        \"y\": 1.5\n    },\n    \"zeta\": \"é\"\n}"
	if err != nil || got != want {
		t.Errorf("eventLine pretty = %q, %v; want %q", got, err, want)
	}
}

// TestExprMatcher is salt.utils.stringutils.expr_match: a glob, or a
// regular expression matching the whole tag.
func TestExprMatcher(t *testing.T) {
	for _, tc := range []struct {
		expr, tag string
		want      bool
	}{
		{"*", "salt/job/1/new", true},
		{"salt/job/*/ret/*", "salt/job/1/ret/m1", true},
		{"salt/job/*/ret/*", "salt/job/1/new", false},
		{`salt/job/\d+/new`, "salt/job/123/new", true},
		{`salt/job/\d+`, "salt/job/123/new", false}, // the whole tag
		{"salt/auth", "salt/auth", true},
		{"[", "[", true}, // no valid regular expression: fnmatch alone
	} {
		if got := exprMatcher(tc.expr)(tc.tag); got != tc.want {
			t.Errorf("expr_match(%q, %q) = %v, want %v", tc.tag, tc.expr, got, tc.want)
		}
	}
}
