package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFileOverridesDefaults(t *testing.T) {
	m := masterConf(t, `
transport: raet
interface: 10.0.0.1
raet_port: 5506
raet_main: no
raet_mutable: on
worker_threads: 8
auto_accept: yes
timeout: 30
gather_job_timeout: "20"
loop_interval: 2.5
ioflo_period: 1
keep_jobs: 0
log_level: DEBUG
hash_type: sha512
user: salt
master_job_cache: redis
cluster_masters: one
file_roots:
  base:
    - /srv/a
  dev: /srv/dev
unknown_option: [1, 2]
`)
	eq(t, "Interface", m.Interface, "10.0.0.1")
	eq(t, "RaetPort", m.RaetPort, 5506)
	eq(t, "RoadAddr()", m.RoadAddr(), "10.0.0.1:5506")
	eq(t, "RaetMain", m.RaetMain, false)
	eq(t, "RaetMutable", m.RaetMutable, true)
	eq(t, "WorkerThreads", m.WorkerThreads, 8)
	eq(t, "AutoAccept", m.AutoAccept, true)
	eq(t, "Timeout", m.Timeout, 30)
	eq(t, "GatherJobTimeout (from a string, as Salt's int() takes it)", m.GatherJobTimeout, 20)
	eq(t, "LoopInterval", m.LoopInterval, 2.5)
	eq(t, "IofloPeriod (an int for a float option)", m.IofloPeriod, 1.0)
	eq(t, "KeepJobs", m.KeepJobs, 0)
	eq(t, "LogLevel (lowercased)", m.LogLevel, "debug")
	eq(t, "HashType", m.HashType, "sha512")
	eq(t, "User", m.User, "salt")
	eq(t, "MasterJobCache", m.MasterJobCache, "redis")
	eq(t, "ClusterMasters (a string is a list of one)", m.ClusterMasters, []string{"one"})
	eq(t, "FileRoots", m.FileRoots, map[string][]string{"base": {"/srv/a"}, "dev": {"/srv/dev"}})
	eq(t, "Raw[unknown_option]", m.Raw["unknown_option"], any([]any{1, 2}))
	eq(t, "Raw[raet_main]", m.Raw["raet_main"], any(false))
	eq(t, "Files", m.Files, []string{m.ConfFile})
	file, line, ok := m.Origin("worker_threads")
	eq(t, "Origin(worker_threads)", []any{file, line, ok}, []any{m.ConfFile, 7, true})
	_, _, ok = m.Origin("pki_dir")
	eq(t, "Origin(pki_dir) set", ok, false)
	eq(t, "Errorf", relative(m.ConfigDir, m.Errorf("unknown_option", "no such %s", "thing").Error()),
		"DIR/master:23: unknown_option: no such thing")
}

func TestOpenModeForcesMutable(t *testing.T) {
	m := masterConf(t, "open_mode: true\n")
	eq(t, "Mutable()", m.Mutable(), true)
	eq(t, "RaetMutable", m.RaetMutable, false)
}

func TestNullKeepsDefault(t *testing.T) {
	m := masterConf(t, "worker_threads:\ntimeout: ~\nfile_roots:\n")
	eq(t, "WorkerThreads", m.WorkerThreads, 5)
	eq(t, "Timeout", m.Timeout, 5)
	eq(t, "FileRoots", m.FileRoots, map[string][]string{"base": {"/srv/salt", "/srv/spm/salt"}})
	eq(t, "Raw[timeout]", m.Raw["timeout"], nil)
	if _, ok := m.Raw["timeout"]; !ok {
		t.Error("Raw lost the key timeout given as null")
	}
}

func TestDefaultIncludeOrderAndOverride(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), `
auto_accept: true
worker_threads: 8
timeout: 30
cluster_masters: [main]
file_roots:
  base: [/srv/main]
  dev: [/srv/dev]
`)
	// Written out of order: sorted order is what counts.
	write(t, filepath.Join(dir, "master.d", "20-b.conf"), `
worker_threads: 20
cluster_masters: [b, a]
file_roots:
  base: [/srv/b]
  prod: [/srv/prod]
`)
	write(t, filepath.Join(dir, "master.d", "10-a.conf"), `
worker_threads: 10
timeout: 11
cluster_masters: [a]
file_roots:
  base: [/srv/a]
`)
	write(t, filepath.Join(dir, "master.d", "99-not-conf.txt"), "worker_threads: 99\n")
	write(t, filepath.Join(dir, "master.d", ".#30-lock.conf"), "worker_threads: 98\n")
	m := loadMaster(t, dir)
	eq(t, "WorkerThreads (the last include wins over earlier ones and the main file)", m.WorkerThreads, 20)
	eq(t, "Timeout (an include overrides the main file)", m.Timeout, 11)
	eq(t, "AutoAccept (only in the main file)", m.AutoAccept, true)
	eq(t, "ClusterMasters (lists of includes are joined, the main file's replaced)", m.ClusterMasters, []string{"a", "b"})
	eq(t, "FileRoots (includes merge key by key; they replace the main file's mapping)", m.FileRoots,
		map[string][]string{"base": {"/srv/a", "/srv/b"}, "prod": {"/srv/prod"}})
	eq(t, "Files", m.Files, []string{
		filepath.Join(dir, "master"),
		filepath.Join(dir, "master.d", "10-a.conf"),
		filepath.Join(dir, "master.d", "20-b.conf"),
	})
	file, line, _ := m.Origin("worker_threads")
	eq(t, "Origin(worker_threads)", []any{file, line}, []any{filepath.Join(dir, "master.d", "20-b.conf"), 2})
}

func TestDefaultIncludeWithoutMainFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion.d", "master.conf"), "master: salt.example.com\n")
	m := loadMinion(t, dir)
	eq(t, "Master.HostPorts()", m.Master.HostPorts(), []string{"salt.example.com:4506"})
	eq(t, "Files", m.Files, []string{filepath.Join(dir, "minion.d", "master.conf")})
}

func TestDefaultIncludeChanged(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "default_include: conf/*.yml\n")
	write(t, filepath.Join(dir, "conf", "a.yml"), "worker_threads: 3\n")
	write(t, filepath.Join(dir, "master.d", "a.conf"), "worker_threads: 4\n")
	m := loadMaster(t, dir)
	eq(t, "WorkerThreads", m.WorkerThreads, 3)
	eq(t, "DefaultInclude", m.DefaultInclude, "conf/*.yml")
}

func TestExplicitInclude(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(t.TempDir(), "elsewhere.conf")
	write(t, abs, "keep_jobs: 48\n")
	write(t, filepath.Join(dir, "master"), "include:\n  - extra/*.conf\n  - "+abs+"\nworker_threads: 2\ntimeout: 9\n")
	write(t, filepath.Join(dir, "master.d", "a.conf"), "worker_threads: 4\ntimeout: 7\n")
	write(t, filepath.Join(dir, "extra", "b.conf"), "worker_threads: 6\n")
	m := loadMaster(t, dir)
	eq(t, "WorkerThreads (include is applied after default_include)", m.WorkerThreads, 6)
	eq(t, "Timeout (from default_include)", m.Timeout, 7)
	eq(t, "KeepJobs (absolute include)", m.KeepJobs, 48)
	eq(t, "Include", m.Include, []string{"extra/*.conf", abs})
	eq(t, "Files", m.Files, []string{
		filepath.Join(dir, "master"),
		filepath.Join(dir, "master.d", "a.conf"),
		filepath.Join(dir, "extra", "b.conf"),
		abs,
	})
}

func TestIncludeStringAndNested(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "minion"), "include: one.conf\n")
	// two.conf is relative to one.conf's directory, and overrides one.conf.
	write(t, filepath.Join(dir, "one.conf"), "include: sub/two.conf\nmaster_port: 4600\nmaster: m1\n")
	write(t, filepath.Join(dir, "sub", "two.conf"), "master_port: 4700\n")
	m := loadMinion(t, dir)
	eq(t, "MasterPort", m.MasterPort, 4700)
	eq(t, "Master.HostPorts()", m.Master.HostPorts(), []string{"m1:4700"})
}

func TestIncludeCycle(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), "include: a.conf\n")
	write(t, filepath.Join(dir, "a.conf"), "include: b.conf\n")
	write(t, filepath.Join(dir, "b.conf"), "include: a.conf\n")
	_, err := testLoader.LoadMaster(dir)
	if err == nil {
		t.Fatal("an include cycle loaded")
	}
	e := asError(t, err)
	eq(t, "File", e.File, filepath.Join(dir, "b.conf"))
	eq(t, "Line", e.Line, 1)
	eq(t, "Key", e.Key, "include")
	if !strings.Contains(e.Msg, "already being read") {
		t.Errorf("message %q does not say why", e.Msg)
	}
}

func TestIncludeMatchingNothingIsFine(t *testing.T) {
	m := masterConf(t, "include: [nothing/*.conf]\nworker_threads: 3\n")
	eq(t, "WorkerThreads", m.WorkerThreads, 3)
}

// TestAlternateConfigDir is `-c DIR`: only DIR's files are read.
func TestAlternateConfigDir(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	write(t, filepath.Join(a, "master"), "worker_threads: 3\n")
	write(t, filepath.Join(b, "master"), "worker_threads: 7\n")
	write(t, filepath.Join(b, "master.d", "x.conf"), "timeout: 12\n")
	write(t, filepath.Join(b, "minion_id"), "other\n")
	m := loadMaster(t, b)
	eq(t, "WorkerThreads", m.WorkerThreads, 7)
	eq(t, "Timeout", m.Timeout, 12)
	eq(t, "ConfFile", m.ConfFile, filepath.Join(b, "master"))
	eq(t, "ID (from DIR/minion_id)", m.ID, "other_master")
	m = loadMaster(t, a)
	eq(t, "WorkerThreads", m.WorkerThreads, 3)
	eq(t, "ID", m.ID, "web1.example.com_master")
}

func TestRelativeConfigDir(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "etc", "master"), "worker_threads: 9\n")
	write(t, filepath.Join(dir, "etc", "master.d", "a.conf"), "timeout: 13\n")
	t.Chdir(dir)
	m := loadMaster(t, "etc")
	eq(t, "WorkerThreads", m.WorkerThreads, 9)
	eq(t, "Timeout", m.Timeout, 13)
}

func TestEmptyAndCommentOnlyFiles(t *testing.T) {
	for _, content := range []string{"", "# nothing here\n", "---\n", "~\n"} {
		m := masterConf(t, content)
		eq(t, "WorkerThreads for "+strings.TrimSpace(content), m.WorkerThreads, 5)
	}
}

func TestDefaultConfigDir(t *testing.T) {
	dir, file := configPath("", "master")
	eq(t, "dir", dir, "/etc/salt")
	eq(t, "file", file, "/etc/salt/master")
	dir, file = configPath("/opt/salt/etc/", "minion")
	eq(t, "dir", dir, "/opt/salt/etc")
	eq(t, "file", file, "/opt/salt/etc/minion")
}

// TestEveryOptionKey sets every typed option away from its default, so a
// misspelt key in the decoder shows up as the field keeping its default.
func TestEveryOptionKey(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "master"), `
root_dir: /
default_include: none.d/*.conf
include: [nothing.conf]
id: boss
transport: raet
interface: 127.0.0.1
raet_port: 5001
raet_alt_port: 5002
raet_main: false
raet_mutable: true
raet_clear_remotes: true
raet_clear_remote_masters: false
raet_road_bufcnt: 3
raet_lane_bufcnt: 50
ioflo_period: 0.5
ioflo_realtime: false
ioflo_verbose: 2
ioflo_console_logdir: /tmp/ioflo
pki_dir: /p
cachedir: /c
sock_dir: /s
pidfile: /pid
log_file: /l
log_level: info
auto_accept: true
open_mode: true
permissive_pki_access: true
hash_type: md5
loop_interval: 30
user: salt
file_roots: {prod: [/srv/prod]}
cluster_mode: true
cluster_masters: [m1, m2]
minion_id_caching: false
minion_id_lowercase: true
append_domain: example.net
worker_threads: 9
timeout: 6
gather_job_timeout: 7
keep_jobs: 8
job_cache: false
master_job_cache: mysql
minion_data_cache: false
autosign_file: /as
autoreject_file: /ar
key_logfile: /kl
zmq_behavior: true
master_floscript: m.flo
worker_floscript: w.flo
maintenance_floscript: x.flo
max_pending_keys: 50
raet_max_deciding: 64
raet_max_allowing: 0
raet_presence_rate: 0
metrics_port: 9300
metrics_interface: 0.0.0.0
`)
	m := loadMaster(t, dir)
	want := &Master{
		Common: Common{
			ConfigDir: dir, ConfFile: filepath.Join(dir, "master"), Files: []string{filepath.Join(dir, "master")},
			Raw: m.Raw, RootDir: "/", DefaultInclude: "none.d/*.conf", Include: []string{"nothing.conf"},
			ID: "boss.example.net", IDSource: IDFromOption, Transport: "raet", Interface: "127.0.0.1",
			RaetPort: 5001, RaetAltPort: 5002, RaetMain: false, RaetMutable: true, RaetClearRemotes: true,
			RaetClearRemoteMasters: false, RaetRoadBufcnt: 3, RaetLaneBufcnt: 50, IofloPeriod: 0.5,
			IofloRealtime: false, IofloVerbose: 2, IofloConsoleLogdir: "/tmp/ioflo",
			PKIDir: "/p", Cachedir: "/c", SockDir: "/s", Pidfile: "/pid", LogFile: "/l", LogLevel: "info",
			AutoAccept: true, OpenMode: true, PermissivePKIAccess: true, HashType: "md5", LoopInterval: 30,
			User: "salt", FileRoots: map[string][]string{"prod": {"/srv/prod"}}, ClusterMode: true,
			ClusterMasters: []string{"m1", "m2"}, MinionIDCaching: false, MinionIDLowercase: true,
			AppendDomain: "example.net", MetricsOptions: MetricsOptions{MetricsPort: 9300, MetricsInterface: "0.0.0.0"},
		},
		WorkerThreads: 9, Timeout: 6, GatherJobTimeout: 7, KeepJobs: 8, KeepJobsSeconds: 86400, JobCache: false,
		MasterJobCache: "mysql", MinionDataCache: false, AutosignFile: "/as", AutorejectFile: "/ar",
		KeyLogfile: "/kl", ZMQBehavior: true, MaxPendingKeys: 50, RaetMaxDeciding: 64, RaetMaxAllowing: 0, RaetPresenceRate: 0,
		MasterFloscript: "m.flo", WorkerFloscript: "w.flo", MaintenanceFloscript: "x.flo",
	}
	compareFields(t, m, want)

	write(t, filepath.Join(dir, "minion"), `
master: m.example.com
master_port: 4999
master_type: failover
random_master: true
multiprocessing: false
minion_floscript: mi.flo
caller_floscript: ca.flo
`)
	n := loadMinion(t, dir)
	eq(t, "Master.HostPorts()", n.Master.HostPorts(), []string{"m.example.com:4999"})
	eq(t, "MasterPort", n.MasterPort, 4999)
	eq(t, "MasterType", n.MasterType, "failover")
	eq(t, "RandomMaster", n.RandomMaster, true)
	eq(t, "Multiprocessing", n.Multiprocessing, false)
	eq(t, "MinionFloscript", n.MinionFloscript, "mi.flo")
	eq(t, "CallerFloscript", n.CallerFloscript, "ca.flo")
}

// TestConfigDirWithGlobCharacters: the config dir is a path, not a pattern.
func TestConfigDirWithGlobCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc[1]*")
	write(t, filepath.Join(dir, "master"), "include: extra.conf\n")
	write(t, filepath.Join(dir, "master.d", "a.conf"), "timeout: 14\n")
	write(t, filepath.Join(dir, "extra.conf"), "worker_threads: 4\n")
	m := loadMaster(t, dir)
	eq(t, "Timeout", m.Timeout, 14)
	eq(t, "WorkerThreads", m.WorkerThreads, 4)
}
