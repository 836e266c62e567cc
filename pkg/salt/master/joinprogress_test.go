package master

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/road"
)

// The join progress counts an estate allowed only once joined and
// allowed, one under way (or unknown) as joining, and a dead one as
// neither.
func TestCountJoins(t *testing.T) {
	remotes := map[uint32]road.RemoteState{
		2: {Joined: road.Yes, Allowed: road.Yes, Alived: road.Yes},
		3: {Joined: road.Yes, Allowed: road.Yes},
		4: {Joined: road.Yes, Allowed: road.Unknown},
		5: {Joined: road.Unknown},
		6: {Joined: road.Yes, Allowed: road.No, Alived: road.No},
	}
	got := countJoins(remotes)
	if want := (joinCount{allowed: 2, joining: 2, total: 5}); got != want {
		t.Errorf("countJoins = %+v, want %+v", got, want)
	}
}
