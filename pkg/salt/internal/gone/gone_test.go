package gone

import (
	"fmt"
	"testing"
)

func TestYards(t *testing.T) {
	var g Yards
	if !g.First("a") || g.First("a") {
		t.Fatal("a yard is news once")
	}
	g.Back("a")
	if !g.First("a") {
		t.Fatal("a yard that came back is news when it goes again")
	}
	for i := range Max + 10 {
		g.First(fmt.Sprint(i))
	}
	if len(g.set) > Max || len(g.order) > Max {
		t.Fatalf("%d yards remembered, bound %d", len(g.set), Max)
	}
}
