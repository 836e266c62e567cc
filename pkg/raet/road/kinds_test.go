package road

import (
	"reflect"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// The table of kinds starts the correspondents the protocol has, by the
// packet that begins each (raet-protocol.md 4.5), and names the sides as
// the reference's stats do.
func TestTransactionKinds(t *testing.T) {
	want := map[[2]uint8]starter{
		{uint8(raet.TrnsJoin), uint8(raet.PcktRequest)}:    replyJoin,
		{uint8(raet.TrnsAllow), uint8(raet.PcktHello)}:     replyAllow,
		{uint8(raet.TrnsAlive), uint8(raet.PcktRequest)}:   replyAlive,
		{uint8(raet.TrnsMessage), uint8(raet.PcktMessage)}: replyMessage,
	}
	if len(correspondentStarters) != len(want) {
		t.Errorf("%d starters, want %d", len(correspondentStarters), len(want))
	}
	for key, f := range want {
		got, ok := correspondentStarters[key]
		if !ok || reflect.ValueOf(got).Pointer() != reflect.ValueOf(f).Pointer() {
			t.Errorf("tk %d pk %d does not start its correspondent", key[0], key[1])
		}
	}
	for _, x := range []struct {
		tk   raet.TrnsKind
		rmt  bool
		side string
	}{
		{raet.TrnsJoin, false, "joiner"}, {raet.TrnsJoin, true, "joinent"},
		{raet.TrnsAllow, false, "allower"}, {raet.TrnsAllow, true, "allowent"},
		{raet.TrnsAlive, false, "aliver"}, {raet.TrnsAlive, true, "alivent"},
		{raet.TrnsMessage, false, "messenger"}, {raet.TrnsMessage, true, "messengent"},
	} {
		if got := sideName(x.tk, x.rmt); got != x.side {
			t.Errorf("side of %s (remote started it: %v) is %q, want %q", x.tk, x.rmt, got, x.side)
		}
	}
}
