package grains

import (
	"reflect"
	"testing"
)

// TestHostsLines: comments go, and a line without an address and a name
// is no entry.
func TestHostsLines(t *testing.T) {
	c := &collector{opts: Options{Root: fixture(t, map[string]string{
		"etc/hosts": "# a comment\n127.0.0.1 localhost\n\n10.0.0.9 # web1\n10.0.0.8\tdb1 db1.example.org # the db\n",
	})}}
	want := [][]string{{"127.0.0.1", "localhost"}, {"10.0.0.8", "db1", "db1.example.org"}}
	if got := c.hostsLines(); !reflect.DeepEqual(got, want) {
		t.Errorf("hostsLines = %q, want %q", got, want)
	}
	c = &collector{opts: Options{Root: fixture(t, nil)}}
	if got := c.hostsLines(); got != nil {
		t.Errorf("no hosts file: %q", got)
	}
}
