package integration

import (
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// dirModes lists the mode of every directory under root, by path relative
// to root.
func dirModes(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	modes := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			modes[rel] = fi.Mode().Perm()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return modes
}

// wantMode is the mode Salt gives a directory the daemons make, by its
// path under an install's root; ok is false for those with no fixed mode,
// which must still be writable by their owner only.
func wantMode(rel string) (mode fs.FileMode, ok bool) {
	parts := strings.Split(rel, string(filepath.Separator))
	switch {
	case len(parts) >= 4 && strings.Join(parts[:3], "/") == "etc/salt/pki":
		return 0o700, true // pki_dir and its accepted/pending/rejected
	case len(parts) == 4 && strings.Join(parts[:3], "/") == "var/cache/salt":
		return 0o755, true // the cachedir
	case len(parts) >= 5 && strings.Join(parts[:3], "/") == "var/cache/salt" && parts[4] == "raet":
		return 0o700, true // the road keep, private keys and all
	}
	return 0, false
}

// Whatever the umask, every directory the daemons and tools make has the
// mode Salt gives it: the key directories and the road keep (which holds
// the private keys) 0700, the cachedir 0755, and none writable by others.
func TestUmaskDoesNotDecideModes(t *testing.T) {
	for _, umask := range []int{0o000, 0o077} {
		t.Run(fmt.Sprintf("umask %03o", umask), func(t *testing.T) { checkModesUnder(t, umask) })
	}
}

func checkModesUnder(t *testing.T, umask int) {
	old := syscall.Umask(umask) // inherited by every command the test starts
	t.Cleanup(func() { syscall.Umask(old) })
	if out, err := exec.Command("sh", "-c", "umask").Output(); err != nil || strings.TrimSpace(string(out)) != fmt.Sprintf("%04o", umask) {
		t.Fatalf("a child's umask: %q %v", out, err)
	}

	c := newCluster(t, false)
	c.addMinion("web1.example.com")
	eventually(t, "the minion's pending key", func() (bool, string) {
		k := c.master.keys()
		return len(k["pending"]) == 1, strings.Join(k["pending"], ",")
	})
	if r := c.master.run("salt-key-raet", "-A", "-y"); r.code != 0 {
		t.Fatalf("salt-key-raet -A: %s %s", r.stdout, r.stderr)
	}
	c.waitReady("web1.example.com")
	if r := c.salt("*", "cmd.run", "echo hi"); r.code != 0 {
		t.Fatalf("cmd.run: %s %s", r.stdout, r.stderr)
	}

	checked := map[fs.FileMode]int{}
	for name, in := range map[string]*install{"master": c.master, "minion": c.minions["web1.example.com"]} {
		for rel, mode := range dirModes(t, in.root) {
			if strings.HasPrefix(rel, "etc") && !strings.HasPrefix(rel, "etc/salt/pki") {
				continue // the test made these
			}
			want, fixed := wantMode(rel)
			switch {
			case fixed && mode != want:
				t.Errorf("%s %s: mode %v, want %v", name, rel, mode, want)
			case mode&0o022 != 0 || mode&0o700 != 0o700:
				t.Errorf("%s %s: mode %v", name, rel, mode)
			}
			if fixed {
				checked[want]++
			}
		}
	}
	// pki_dir, 3 subdirectories and keep, local, remote, role, role/local,
	// role/remote, on each side; a cachedir each.
	if checked[0o700] < 2*(4+6) || checked[0o755] != 2 {
		t.Errorf("directories checked, by mode: %v", checked)
	}
}
