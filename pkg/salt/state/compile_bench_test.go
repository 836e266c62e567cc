package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCompile50 renders and compiles a tree of 50 states (5 sls of
// 10, Jinja loops, requisites), as a highstate's compile side does.
func BenchmarkCompile50(b *testing.B) {
	dir := b.TempDir()
	var mods []string
	for i := range 5 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "{%% for n in range(10) %%}\nf%d_{{ n }}:\n  file.managed:\n    - name: /tmp/f%d_{{ n }}\n"+
			"    - contents: {{ grains['id'] }}\n    - require_in:\n      - test: done%d\n{%% endfor %%}\ndone%d:\n  test.nop\n", i, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.sls", i)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		mods = append(mods, fmt.Sprintf("s%d", i))
	}
	c := &Compiler{Source: LocalSource{Roots: map[string][]string{"base": {dir}}}, Grains: map[string]any{"id": "m1"}}
	b.ResetTimer()
	for range b.N {
		high, errs := c.High(context.Background(), "base", mods)
		low, cerrs := Compile(high)
		if len(errs)+len(cerrs) > 0 || len(low) != 55 {
			b.Fatal(errs, cerrs, len(low))
		}
	}
}
