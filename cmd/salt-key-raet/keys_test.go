package main

import (
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// TestChangeScope: --include-all widens accept to rejected keys and
// reject to accepted ones; delete searches every status and keeps the
// flags for its message.
func TestChangeScope(t *testing.T) {
	for _, tc := range []struct {
		verb                  string
		o                     options
		search                []raet.Acceptance
		inclAccepted, inclRej bool
		noMatch               string
	}{
		{"accept", options{}, []raet.Acceptance{raet.Pending}, false, false, "unaccepted"},
		{"accept", options{includeAll: true, includeAccepted: true}, []raet.Acceptance{raet.Pending, raet.Rejected}, false, true, "unaccepted or rejected"},
		{"reject", options{includeAll: true}, []raet.Acceptance{raet.Pending, raet.Accepted}, true, false, "unaccepted or accepted"},
		{"reject", options{includeRejected: true}, []raet.Acceptance{raet.Pending}, false, false, "unaccepted"},
		{"delete", options{includeAccepted: true, includeRejected: true}, listOrder, true, true, "unaccepted, accepted or rejected"},
	} {
		k := &keyCLI{opts: &tc.o}
		search, acc, rej := k.changeScope(tc.verb)
		if !reflect.DeepEqual(search, tc.search) || acc != tc.inclAccepted || rej != tc.inclRej {
			t.Errorf("%s %+v: search %v accepted %v rejected %v", tc.verb, tc.o, search, acc, rej)
		}
		if got := noMatchStatuses(acc, rej, tc.o.includeDenied); got != tc.noMatch {
			t.Errorf("%s %+v: no-match names %q, want %q", tc.verb, tc.o, got, tc.noMatch)
		}
	}
}
