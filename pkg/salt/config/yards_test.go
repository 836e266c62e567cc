package config

import (
	"errors"
	"strings"
	"testing"
)

// A dotted id (Salt's default, the FQDN) makes a dotted lane that fits.
func TestYardPathsDottedID(t *testing.T) {
	m := minionConf(t, "sock_dir: /var/run/salt/minion\n")
	if m.ID != "web1.example.com" || m.LaneName() != "web1.example.com_minion" || m.EstateName() != "web1.example.com_minion" {
		t.Fatalf("id %q lane %q estate %q", m.ID, m.LaneName(), m.EstateName())
	}
	if err := m.CheckYardPaths(); err != nil {
		t.Fatal(err)
	}
}

// A socket path over the limit is refused at the option to change, with
// the length it would have.
func TestYardPathsTooLong(t *testing.T) {
	long := "/var/run/salt/" + strings.Repeat("d", 60)
	id := strings.Repeat("h", 40) + ".example.com"
	for _, tc := range []struct {
		name, conf string
		want       []string
	}{
		{"sock_dir set", "sock_dir: " + long + "\nid: " + id + "\n",
			[]string{"/minion:1: sock_dir: ", "set a shorter sock_dir or id", "164 bytes", "more than the 107"}},
		{"id set", "id: " + id + "\n",
			[]string{"/minion:1: id: ", "set a shorter sock_dir or id", "110 bytes"}},
		{"neither set", "log_level: info\n",
			[]string{"minion: sock_dir: ", "set a shorter sock_dir or id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := minionConf(t, tc.conf)
			if tc.name == "neither set" {
				m.SockDir = long + strings.Repeat("e", 20)
			}
			err := m.CheckYardPaths()
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("CheckYardPaths: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}

	ms := masterConf(t, "sock_dir: /"+strings.Repeat("m", 80)+"\n")
	if err := ms.CheckYardPaths(); err == nil || !strings.Contains(err.Error(), "/master:1: sock_dir: ") || !strings.HasSuffix(err.Error(), "set a shorter sock_dir") {
		t.Errorf("master: %v", err)
	}
	if err := masterConf(t, "sock_dir: /var/run/salt/master\n").CheckYardPaths(); err != nil {
		t.Errorf("default master sock_dir: %v", err)
	}
}

func TestYardPathsBadLaneName(t *testing.T) {
	m := minionConf(t, "id: web 1\n")
	if err := m.CheckYardPaths(); err == nil || !strings.Contains(err.Error(), `id: "web 1" cannot name the minion's lane`) {
		t.Fatalf("CheckYardPaths: %v", err)
	}
}
