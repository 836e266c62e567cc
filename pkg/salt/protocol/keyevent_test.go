package protocol

import (
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// The salt/key event salt-key fires goes to the manor's event_fire share,
// with Salt 3006's data: result, act, id, then _stamp.
func TestFireKeyEvent(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 45, 15, 916962000, time.UTC)
	msg := FireEvent("salt_key123", TagKey, KeyEventData(KeyActAccept, "min1", now))
	want := `{"route":{"dst":[null,"manor","event_fire"],"src":[null,"salt_key123",null]},"tag":"salt/key","data":{"result":true,"act":"accept","id":"min1","_stamp":"2026-11-22T03:45:15.916962"}}`
	b, err := body.Encode(raet.BodyJSON, msg)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if tag, ok := EventTag(msg); !ok || tag != TagKey {
		t.Errorf("EventTag = %q, %v", tag, ok)
	}
}
