package pillar

import (
	"fmt"
	"testing"
)

// BenchmarkCompile100 compiles the fixture tree's pillar for 100 minions
// (half web, half db) per iteration.
func BenchmarkCompile100(b *testing.B) {
	c := New(treeOptions())
	minions := make([]map[string]any, 100)
	for i := range minions {
		g := map[string]any{}
		base := goldenMinions["db01"]
		id := fmt.Sprintf("db%02d", i)
		if i%2 == 0 {
			base, id = goldenMinions["web01"], fmt.Sprintf("web%02d", i)
		}
		for k, v := range base {
			g[k] = v
		}
		g["id"] = id
		minions[i] = g
	}
	b.ResetTimer()
	for b.Loop() {
		for _, g := range minions {
			p := c.Compile(g["id"].(string), g, "", "", nil)
			if _, ok := p["common"]; !ok {
				b.Fatalf("pillar of %s has no common: %v", g["id"], p)
			}
		}
	}
}
