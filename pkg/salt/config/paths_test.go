package config

import (
	"path/filepath"
	"testing"
)

func TestReroot(t *testing.T) {
	for _, c := range []struct{ root, path, want string }{
		{"/", "/etc/salt/pki/master", "/etc/salt/pki/master"},
		{"/", "relative/dir", "/relative/dir"},
		{"/", "", ""},
		{"/srv/inst", "/etc/salt/pki/master", "/srv/inst/etc/salt/pki/master"},
		{"/srv/inst", "/srv/inst/etc/pki", "/srv/inst/etc/pki"},          // already under root_dir
		{"/srv/inst", "/srv/inst", "/srv/inst"},                          // root_dir itself
		{"/srv/inst", "/srv/instance/pki", "/srv/inst/srv/instance/pki"}, // a prefix, not a parent
		{"/srv/inst", "cache/master", "/srv/inst/cache/master"},          // relative to root_dir
		{"/srv/inst", "/var//run/../run/salt", "/srv/inst/var/run/salt"},
		{"/srv/inst", "", ""},
	} {
		eq(t, "reroot("+c.root+", "+c.path+")", reroot(c.root, c.path), c.want)
	}
	eq(t, "rerootLog(udp)", rerootLog("/srv/inst", "udp://loghost:514"), "udp://loghost:514")
	eq(t, "rerootLog(file)", rerootLog("/srv/inst", "file:///dev/log"), "file:///dev/log")
	eq(t, "rerootLog(path)", rerootLog("/srv/inst", "/var/log/salt/master"), "/srv/inst/var/log/salt/master")
}

// TestMasterRootDir puts a whole master install under a temp dir.
func TestMasterRootDir(t *testing.T) {
	dir := t.TempDir()
	root := t.TempDir()
	write(t, filepath.Join(dir, "master"), `
root_dir: `+root+`
pki_dir: /etc/salt/pki/custom
cachedir: `+root+`/already/here
sock_dir: run/sock
autosign_file: /etc/salt/autosign.conf
autoreject_file: /etc/salt/autoreject.conf
key_logfile: /var/log/salt/key-custom
log_file: udp://loghost:514
file_roots:
  base: [/srv/salt]
`)
	m := loadMaster(t, dir)
	eq(t, "RootDir", m.RootDir, root)
	eq(t, "PKIDir (absolute, re-rooted)", m.PKIDir, root+"/etc/salt/pki/custom")
	eq(t, "Cachedir (already under root_dir)", m.Cachedir, root+"/already/here")
	eq(t, "SockDir (relative)", m.SockDir, root+"/run/sock")
	eq(t, "Pidfile (default)", m.Pidfile, root+"/var/run/salt-master.pid")
	eq(t, "AutosignFile", m.AutosignFile, root+"/etc/salt/autosign.conf")
	eq(t, "AutorejectFile", m.AutorejectFile, root+"/etc/salt/autoreject.conf")
	eq(t, "KeyLogfile", m.KeyLogfile, root+"/var/log/salt/key-custom")
	eq(t, "LogFile (a URL)", m.LogFile, "udp://loghost:514")
	eq(t, "FileRoots (Salt does not re-root them)", m.FileRoots, map[string][]string{"base": {"/srv/salt"}})
	eq(t, "Reroot", m.Reroot("/var/cache/salt/master/tokens"), root+"/var/cache/salt/master/tokens")
	eq(t, "Raw[pki_dir] (as written)", m.Raw["pki_dir"], any("/etc/salt/pki/custom"))
}

func TestMasterRootDirDefaults(t *testing.T) {
	root := t.TempDir()
	m := masterConf(t, "root_dir: "+root+"\n")
	eq(t, "PKIDir", m.PKIDir, root+"/etc/salt/pki/master")
	eq(t, "Cachedir", m.Cachedir, root+"/var/cache/salt/master")
	eq(t, "SockDir", m.SockDir, root+"/var/run/salt/master")
	eq(t, "Pidfile", m.Pidfile, root+"/var/run/salt-master.pid")
	eq(t, "LogFile", m.LogFile, root+"/var/log/salt/master")
	eq(t, "KeyLogfile", m.KeyLogfile, root+"/var/log/salt/key")
	eq(t, "AutosignFile (unset stays unset)", m.AutosignFile, "")
	eq(t, "AutorejectFile (unset stays unset)", m.AutorejectFile, "")
}

func TestMinionRootDir(t *testing.T) {
	root := t.TempDir()
	m := minionConf(t, "root_dir: "+root+"\npki_dir: /etc/salt/pki/m2\nlog_file: file:///dev/log\n")
	eq(t, "PKIDir", m.PKIDir, root+"/etc/salt/pki/m2")
	eq(t, "Cachedir", m.Cachedir, root+"/var/cache/salt/minion")
	eq(t, "SockDir", m.SockDir, root+"/var/run/salt/minion")
	eq(t, "Pidfile", m.Pidfile, root+"/var/run/salt-minion.pid")
	eq(t, "LogFile (a URL)", m.LogFile, "file:///dev/log")
}

// TestRootDirRelative: Salt takes os.path.abspath(root_dir).
func TestRootDirRelative(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	m := masterConf(t, "root_dir: inst\n")
	eq(t, "RootDir", m.RootDir, filepath.Join(cwd, "inst"))
	eq(t, "PKIDir", m.PKIDir, filepath.Join(cwd, "inst", "etc/salt/pki/master"))
}
