package protocol

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A batch packed for the lane, in either body kind, reads back as its
// events in order, each with the tag and data an Event would carry; a
// single event is not a batch, and the subscription says whether it asks.
func TestEventBatchRoundTrip(t *testing.T) {
	events := []FiredEvent{
		{Tag: "salt/job/1/delivered/m1", Data: DeliveredData("1", "m1")},
		{Tag: "salt/job/1/ret/m1", Data: body.Map{{Key: "id", Value: "m1"}, {Key: "return", Value: true}}},
		{Tag: "odd", Data: "not a mapping"},
	}
	for _, kind := range []raet.BodyKind{raet.BodyMsgpack, raet.BodyJSON} {
		b, err := body.Encode(kind, EventBatch("master", "manor", "evt", events))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := body.Decode(kind, b)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := BatchedEvents(msg)
		if !ok || len(got) != len(events) {
			t.Fatalf("kind %v: %d events (batch %v), want %d", kind, len(got), ok, len(events))
		}
		for i, ev := range got {
			tag, _ := EventTag(ev)
			if tag != events[i].Tag {
				t.Errorf("kind %v: event %d tag %q, want %q", kind, i, tag, events[i].Tag)
			}
		}
		if id, _ := EventDataMap(got[1]).String("id"); id != "m1" {
			t.Errorf("kind %v: the return's data lost its id: %v", kind, got[1])
		}
		if s, _ := EventData(got[2]).(string); s != "not a mapping" {
			t.Errorf("kind %v: data %v", kind, EventData(got[2]))
		}
	}
	if _, ok := BatchedEvents(Event("master", "manor", "evt", "t", body.Map{})); ok {
		t.Error("a single event read as a batch")
	}
	if SubscriptionBatched(EventSubscription("evt")) || !SubscriptionBatched(EventSubscriptionBatched("evt")) {
		t.Error("the subscriptions do not say whether they ask for batches")
	}
}
