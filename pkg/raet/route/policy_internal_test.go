package route

import (
	"fmt"
	"testing"
)

// A rule takes the paths it names; any other is refused under the reason
// named for it, or "<via>_refused"; the estate check is asked of road
// messages only.
func TestRuleJudge(t *testing.T) {
	asked := 0
	r := Rule{From: FromRoad | FromLocal, Refused: map[string]string{ViaLane: "lane_no"},
		Estate: func(m Message) (string, string) {
			asked++
			if m.FromEstate != "good" {
				return "bad_estate", m.FromEstate
			}
			return "", ""
		}}
	for _, c := range []struct {
		m      Message
		reason string
	}{
		{Message{Via: ViaRoad, FromEstate: "good"}, ""},
		{Message{Via: ViaRoad, FromEstate: "evil"}, "bad_estate"},
		{Message{Via: ViaLocal}, ""},
		{Message{Via: ViaLane, FromYard: "y"}, "lane_no"},
		{Message{Via: "carrier pigeon"}, "carrier pigeon_refused"},
	} {
		if reason, _ := r.judge(c.m); reason != c.reason {
			t.Errorf("%s from %q%q: reason %q, want %q", c.m.Via, c.m.FromEstate, c.m.FromYard, reason, c.reason)
		}
	}
	if asked != 2 {
		t.Errorf("estate check asked %d times, want 2 (the road messages)", asked)
	}
	if reason, _ := (Rule{}).judge(Message{Via: ViaLocal}); reason != "local_refused" {
		t.Errorf("the zero rule: %q, want local_refused", reason)
	}
}

// A policy's shares fall back on Other; yards and estates have rules of
// their own.
func TestPolicyRule(t *testing.T) {
	p := &Policy{Shares: map[string]Rule{"a": {From: FromLane}}, Other: Rule{From: FromRoad},
		Yards: Rule{From: FromLocal}, Estates: Rule{From: FromAnywhere}}
	for _, c := range []struct {
		d     destination
		share string
		want  Sources
	}{{toShare, "a", FromLane}, {toShare, "b", FromRoad}, {toShare, "", FromRoad},
		{toYards, "a", FromLocal}, {toEstates, "a", FromAnywhere}} {
		if got := p.rule(c.d, c.share).From; got != c.want {
			t.Errorf("destination %d share %q: from %b, want %b", c.d, c.share, got, c.want)
		}
	}
}

// The first refusal of a reason is marked per source, whatever the path;
// the notes are bounded and start over when full.
func TestRefusalNotes(t *testing.T) {
	var n refusalNotes
	road := Message{Via: ViaRoad, FromEstate: "e"}
	lane := Message{Via: ViaLane, FromYard: "e"}
	for _, c := range []struct {
		reason string
		m      Message
		first  bool
	}{
		{"r", road, true}, {"r", road, false}, {"r", lane, true}, {"r", lane, false},
		{"s", road, true}, {"r", Message{Via: ViaRoad, FromEstate: "f"}, true},
		{"r", Message{Via: ViaLocal}, true}, {"r", Message{Via: ViaLocal}, false},
	} {
		if got := n.first(c.reason, c.m); got != c.first {
			t.Errorf("%s from %s %q%q: first %v, want %v", c.reason, c.m.Via, c.m.FromEstate, c.m.FromYard, got, c.first)
		}
	}
	for i := range MaxRefusalNotes {
		n.first("flood", Message{Via: ViaLane, FromYard: fmt.Sprint(i)})
	}
	if len(n.seen) > MaxRefusalNotes {
		t.Errorf("%d notes kept, want at most %d", len(n.seen), MaxRefusalNotes)
	}
	if !n.first("r", road) {
		t.Error("a refusal noted before the notes filled up was not marked first again")
	}
}
