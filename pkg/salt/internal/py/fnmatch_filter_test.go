package py

import (
	"slices"
	"testing"
)

func TestFnmatchFilter(t *testing.T) {
	names := []string{"a", "a.b", "b.a", "web.conf", "web"}
	if got, want := FnmatchFilter(names, "web*"), []string{"web.conf", "web"}; !slices.Equal(got, want) {
		t.Errorf("web* = %v, want %v", got, want)
	}
	if got := FnmatchFilter(names, "c*"); len(got) != 0 {
		t.Errorf("c* = %v, want none", got)
	}
	if got, want := FnmatchFilter(names, "?.?"), []string{"a.b", "b.a"}; !slices.Equal(got, want) {
		t.Errorf("?.? = %v, want %v", got, want)
	}
}
