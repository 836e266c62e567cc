package minion

import (
	"io"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Each state that ran is logged as Salt's format_log writes it: at error
// when it failed, at info otherwise; a state a requisite kept from running
// is not.
func TestLogStateResults(t *testing.T) {
	log := logrus.New()
	log.SetOutput(io.Discard)
	log.SetLevel(logrus.DebugLevel)
	hook := test.NewLocal(log)
	m := &Minion{log: log}
	state := func(result any, comment string, changes body.Map) body.Map {
		return body.Map{{Key: "name", Value: "n"}, {Key: "changes", Value: changes},
			{Key: "result", Value: result}, {Key: "comment", Value: comment}}
	}
	m.logStateResults(body.Map{
		{Key: "a", Value: state(false, "Failure!", body.Map{})},
		{Key: "b", Value: state(true, "", body.Map{})},
		{Key: "c", Value: state(true, "ok", body.Map{{Key: "diff", Value: "New file"}, {Key: "mode", Value: "0644"}})},
		{Key: "d", Value: state(nil, "would", body.Map{{Key: "vim", Value: body.Map{{Key: "old", Value: ""}, {Key: "new", Value: "9.0"}}}})},
		{Key: "e", Value: state(false, "One or more requisite failed: x", body.Map{})},
	})
	want := []struct {
		level logrus.Level
		msg   string
	}{
		{logrus.ErrorLevel, "Failure!"},
		{logrus.InfoLevel, "No changes made for n"},
		{logrus.InfoLevel, "File changed:\nNew file"},
		{logrus.InfoLevel, "Made the following changes:\n'vim' changed from 'absent' to '9.0'\n"},
	}
	got := hook.AllEntries()
	if len(got) != len(want) {
		t.Fatalf("%d log lines, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Level != w.level || got[i].Message != w.msg {
			t.Errorf("line %d: %v %q, want %v %q", i, got[i].Level, got[i].Message, w.level, w.msg)
		}
	}
}
