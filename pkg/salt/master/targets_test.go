package master

import (
	"testing"
)

func TestMatchOnMaster(t *testing.T) {
	ubuntu := map[string]any{"os": "Ubuntu", "ipv4": []any{"10.0.0.5"}}
	for _, tc := range []struct {
		tgtType string
		tgt     any
		id      string
		grains  map[string]any
		want    bool
		wantErr bool
	}{
		{"glob", "web*", "web1", nil, true, false},
		{"glob", "web*", "db1", nil, false, false},
		{"list", []any{"a", "db1"}, "db1", nil, true, false},
		{"grain", "os:Ubuntu", "web1", ubuntu, true, false},
		{"grain", "os:Debian", "web1", ubuntu, false, false},
		{"grain", "os:Debian", "web1", nil, true, false},       // greedy: no grains cached
		{"grain", "no-delimiter", "web1", nil, false, true},    // malformed all the same
		{"ipcidr", "10.0.0.0/8", "web1", ubuntu, true, false},  //
		{"ipcidr", "192.168.0.0/16", "web1", nil, true, false}, // greedy
		{"compound", "G@os:Debian and web*", "web1", ubuntu, false, false},
		{"compound", "G@os:Debian and web*", "web1", nil, true, false},
		{"compound", "G@os:Debian and web*", "db1", nil, false, false},
		{"compound", "not G@os:Debian", "db1", nil, false, false},
		{"compound", "G|@os|Ubuntu or E@^db", "db1", nil, true, false},
		{"compound", []any{"S@10.0.0.0/8", "and", "web1"}, "web1", nil, true, false},
		{"compound", "I@role:db", "db1", nil, false, true},
		{"compound", "web1 and and", "web1", nil, false, true},
		{"pillar", "role:db", "db1", nil, false, true},
		{"nodegroup", "group1", "db1", nil, false, true},
		{"bogus", "x", "db1", nil, false, true},
	} {
		got, err := MatchOnMaster(tc.tgtType, tc.tgt, tc.id, tc.grains, "")
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("MatchOnMaster(%s, %v, %s, grains %v) = %v, %v; want %v, error %v",
				tc.tgtType, tc.tgt, tc.id, tc.grains != nil, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestAccessKeysCheck(t *testing.T) {
	a := &accessKeys{byUser: map[string]string{"root": "abc", "salt": "xyz"}}
	for key, want := range map[string]bool{"abc": true, "xyz": true, "": false, "ab": false, "abcd": false, "ABC": false} {
		if a.check(key) != want {
			t.Errorf("check(%q) = %v", key, !want)
		}
	}
	empty := &accessKeys{byUser: map[string]string{"root": ""}}
	if empty.check("") {
		t.Error("an empty key passed")
	}
}
