package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIDFromOption(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), "id: web9\n")
	write(t, filepath.Join(dir, "minion_id"), "cached\n")
	m := loadMinion(t, dir)
	eq(t, "ID", m.ID, "web9")
	eq(t, "IDSource", m.IDSource, IDFromOption)
	eq(t, "EstateName()", m.EstateName(), "web9_minion")
	eq(t, "LaneName()", m.LaneName(), "web9_minion")
	eq(t, "RoadPort()", m.RoadPort(), 4510)
	eq(t, "Kind()", m.Kind(), KindMinion)
}

// TestMasterExplicitID: apply_master_config appends _master only to a
// derived id.
func TestMasterExplicitID(t *testing.T) {
	m := masterConf(t, "id: saltmaster\n")
	eq(t, "ID", m.ID, "saltmaster")
	eq(t, "EstateName()", m.EstateName(), "saltmaster_master")
	eq(t, "LaneName()", m.LaneName(), "master")
	eq(t, "RoadPort()", m.RoadPort(), 4506)
	eq(t, "Kind()", m.Kind(), KindMaster)
}

// TestMasterIDFromMinionIDFile is the spec's example: minion_id "saltmaster"
// gives opts id saltmaster_master and estate saltmaster_master_master.
func TestMasterIDFromMinionIDFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion_id"), "saltmaster\n")
	m := loadMaster(t, dir)
	eq(t, "ID", m.ID, "saltmaster_master")
	eq(t, "IDSource", m.IDSource, IDFromCache)
	eq(t, "EstateName()", m.EstateName(), "saltmaster_master_master")
	eq(t, "LaneName()", m.LaneName(), "master")
}

func TestMasterIDFromHostname(t *testing.T) {
	m := loadMaster(t, t.TempDir())
	eq(t, "ID", m.ID, "web1.example.com_master")
	eq(t, "IDSource", m.IDSource, IDFromHostname)
	eq(t, "EstateName()", m.EstateName(), "web1.example.com_master_master")
}

func TestIDFromMinionIDFile(t *testing.T) {
	for _, c := range []struct{ content, want string }{
		{"cached-id\nsecond line\n", "cached-id"},
		{"  spaced  \n", "spaced"},
		{"\xef\xbb\xbfbom-id", "bom-id"},
		{"no-newline", "no-newline"},
	} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "minion_id"), c.content)
		m := loadMinion(t, dir)
		eq(t, "ID for "+c.content, m.ID, c.want)
		eq(t, "IDSource for "+c.content, m.IDSource, IDFromCache)
	}
}

func TestMinionIDFileIgnored(t *testing.T) {
	for _, content := range []string{"localhost\n", "", "\n", "   \nreal\n"} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "minion_id"), content)
		m := loadMinion(t, dir)
		eq(t, "ID for "+content, m.ID, "web1.example.com")
		eq(t, "IDSource for "+content, m.IDSource, IDFromHostname)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion_id"), "cached\n")
	write(t, filepath.Join(dir, "minion"), "minion_id_caching: false\n")
	m := loadMinion(t, dir)
	eq(t, "ID with minion_id_caching off", m.ID, "web1.example.com")
}

func TestIDFromHostname(t *testing.T) {
	l := testLoader
	l.Hostname = func() (string, error) { return "Web7.Example.COM", nil }
	dir := t.TempDir()
	m, err := l.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ID", m.ID, "Web7.Example.COM")
	eq(t, "EstateName()", m.EstateName(), "Web7.Example.COM_minion")

	write(t, filepath.Join(dir, "minion"), "minion_id_lowercase: true\n")
	m, err = l.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ID lowercased", m.ID, "web7.example.com")
}

func TestAppendDomain(t *testing.T) {
	l := testLoader
	l.Hostname = func() (string, error) { return "web3", nil }
	for _, c := range []struct{ conf, want string }{
		{"append_domain: example.org\n", "web3.example.org"},
		{"append_domain: example.org\nid: db1\n", "db1.example.org"},
		{"append_domain: example.org\nid: db1.example.org\n", "db1.example.org"},
		{"append_domain: example.org\nid: db1.\n", "db1."},
	} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "minion"), c.conf)
		m, err := l.LoadMinion(dir)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "ID for "+c.conf, m.ID, c.want)
	}
	// An IP generated as the id gets no domain.
	l.Hostname = func() (string, error) { return "10.1.2.3", nil }
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), "append_domain: example.org\n")
	m, err := l.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ID from an IP", m.ID, "10.1.2.3")
}

func TestNumericIDAsWritten(t *testing.T) {
	m := minionConf(t, "id: 0123\n")
	eq(t, "ID", m.ID, "0123")
}

func TestNoUsableHostname(t *testing.T) {
	for _, h := range []string{"localhost", "", "localhost.localdomain"} {
		l := testLoader
		l.Hostname = func() (string, error) { return h, nil }
		dir := t.TempDir()
		_, err := l.LoadMinion(dir)
		if err == nil {
			t.Fatalf("hostname %q gave an id", h)
		}
		e := asError(t, err)
		eq(t, "Key", e.Key, "id")
		if !strings.Contains(e.Msg, "set id in "+filepath.Join(dir, "minion")) {
			t.Errorf("%q does not say where to set the id", e.Msg)
		}
	}
	l := testLoader
	l.Hostname = func() (string, error) { return "", errors.New("uname broke") }
	_, err := l.LoadMaster(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "uname broke") {
		t.Fatalf("hostname error lost: %v", err)
	}
}

func TestCacheID(t *testing.T) {
	dir := t.TempDir()
	m := loadMinion(t, dir)
	if err := m.CacheID(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "minion_id"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "minion_id", string(data), "web1.example.com")

	// The host is renamed; the cached id holds.
	l := testLoader
	l.Hostname = func() (string, error) { return "renamed.example.com", nil }
	m2, err := l.LoadMinion(dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ID after rename", m2.ID, "web1.example.com")
	eq(t, "IDSource after rename", m2.IDSource, IDFromCache)

	// An explicit id is never cached; caching off writes nothing.
	for _, conf := range []string{"id: explicit\n", "minion_id_caching: false\n"} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "minion"), conf)
		m := loadMinion(t, dir)
		if err := m.CacheID(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "minion_id")); !os.IsNotExist(err) {
			t.Errorf("%s: minion_id written (stat: %v)", conf, err)
		}
	}
}

type fakeResolver struct {
	hosts map[string][]string
	addrs map[string][]string
}

func (r fakeResolver) LookupHost(_ context.Context, h string) ([]string, error) {
	if a, ok := r.hosts[h]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func (r fakeResolver) LookupAddr(_ context.Context, a string) ([]string, error) {
	if n, ok := r.addrs[a]; ok {
		return n, nil
	}
	return nil, errors.New("no such address")
}

func TestFQDNLookup(t *testing.T) {
	r := fakeResolver{
		hosts: map[string][]string{"web1": {"127.0.0.1", "127.0.1.1"}, "lonely": {"10.0.0.9"}},
		addrs: map[string][]string{
			"127.0.0.1": {"localhost.localdomain.", "localhost"},
			"127.0.1.1": {"web1", "web1.example.com."},
		},
	}
	ctx := context.Background()
	eq(t, "dotted hostname", fqdn(ctx, "db.example.net", r), "db.example.net")
	eq(t, "resolved through the address", fqdn(ctx, "web1", r), "web1.example.com")
	eq(t, "address without a name", fqdn(ctx, "lonely", r), "lonely")
	eq(t, "unknown host", fqdn(ctx, "ghost", r), "ghost")
}
