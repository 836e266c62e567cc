package road

import "testing"

// A recent memory keeps its newest keys up to its bound, forgets the
// oldest first, and a key put again keeps its place with the new value.
func TestRecentForgetsOldestFirst(t *testing.T) {
	r := newRecent[int, string](3)
	for i, v := range []string{"a", "b", "c"} {
		r.put(i, v)
	}
	r.put(0, "A") // in place: 0 stays the oldest
	r.put(3, "d")
	if _, ok := r.get(0); ok {
		t.Fatal("the oldest key is still remembered past the bound")
	}
	for k, want := range map[int]string{1: "b", 2: "c", 3: "d"} {
		if got, ok := r.get(k); !ok || got != want {
			t.Fatalf("key %d: %q %v, want %q", k, got, ok, want)
		}
	}
	r.put(4, "e")
	if _, ok := r.get(1); ok || r.len() != 3 {
		t.Fatalf("after a fifth key: key 1 kept %v, %d remembered", ok, r.len())
	}
}
