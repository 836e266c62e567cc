package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

// compareFields reports every exported field of got that differs from want,
// by name, so a wrong default reads as "RaetPort = 4510, want 4506".
func compareFields(t *testing.T, got, want any) {
	t.Helper()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	var walk func(prefix string, g, w reflect.Value)
	walk = func(prefix string, g, w reflect.Value) {
		for i := 0; i < g.NumField(); i++ {
			sf := g.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			if sf.Anonymous {
				walk(prefix, g.Field(i), w.Field(i))
				continue
			}
			if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
				t.Errorf("%s%s = %#v, want %#v", prefix, sf.Name, g.Field(i).Interface(), w.Field(i).Interface())
			}
		}
	}
	walk("", gv, wv)
}

// TestMasterDefaults checks every row of spec/salt-raet.md section 5 for the
// master, with no config file at all (Salt: all defaults).
func TestMasterDefaults(t *testing.T) {
	dir := t.TempDir()
	m := loadMaster(t, dir)
	want := &Master{
		Common: Common{
			ConfigDir:              dir,
			ConfFile:               filepath.Join(dir, "master"),
			Files:                  nil,
			Raw:                    map[string]any{},
			RootDir:                "/",
			DefaultInclude:         "master.d/*.conf",
			Include:                nil,
			ID:                     "web1.example.com_master",
			IDSource:               IDFromHostname,
			Transport:              "raet",
			Interface:              "0.0.0.0",
			RaetPort:               4506,
			RaetAltPort:            4511,
			RaetMain:               true,
			RaetMutable:            false,
			RaetClearRemotes:       false,
			RaetClearRemoteMasters: true,
			RaetRoadBufcnt:         2,
			RaetLaneBufcnt:         100,
			IofloPeriod:            0.01,
			IofloRealtime:          true,
			IofloVerbose:           0,
			IofloConsoleLogdir:     "",
			PKIDir:                 "/etc/salt/pki/master",
			Cachedir:               "/var/cache/salt/master",
			SockDir:                "/var/run/salt/master",
			Pidfile:                "/var/run/salt-master.pid",
			LogFile:                "/var/log/salt/master",
			LogLevel:               "warning",
			AutoAccept:             false,
			OpenMode:               false,
			PermissivePKIAccess:    false,
			HashType:               "sha256",
			LoopInterval:           60,
			User:                   "salty",
			FileRoots:              map[string][]string{"base": {"/srv/salt", "/srv/spm/salt"}},
			ClusterMode:            false,
			ClusterMasters:         []string{},
			MinionIDCaching:        true,
			MinionIDLowercase:      false,
			AppendDomain:           "",
			MetricsOptions:         MetricsOptions{MetricsInterface: "127.0.0.1"},
		},
		WorkerThreads:    5,
		Timeout:          5,
		GatherJobTimeout: 10,
		KeepJobs:         24,
		KeepJobsSeconds:  86400,
		JobCache:         true,
		MasterJobCache:   "local_cache",
		MinionDataCache:  true,
		AutosignFile:     "",
		AutorejectFile:   "",
		KeyLogfile:       "/var/log/salt/key",
		ZMQBehavior:      false,
		MaxPendingKeys:   1000,
		RaetMaxDeciding:  512,
		RaetMaxAllowing:  256,
		RaetPresenceRate: 1000,
	}
	compareFields(t, m, want)
	eq(t, "Mutable()", m.Mutable(), false)
	eq(t, "RoadAddr()", m.RoadAddr(), "0.0.0.0:4506")
}

// TestMinionDefaults checks every row of spec/salt-raet.md section 5 for the
// minion.
func TestMinionDefaults(t *testing.T) {
	dir := t.TempDir()
	m := loadMinion(t, dir)
	want := &Minion{
		Common: Common{
			ConfigDir:              dir,
			ConfFile:               filepath.Join(dir, "minion"),
			Raw:                    map[string]any{},
			RootDir:                "/",
			DefaultInclude:         "minion.d/*.conf",
			ID:                     "web1.example.com",
			IDSource:               IDFromHostname,
			Transport:              "raet",
			Interface:              "0.0.0.0",
			RaetPort:               4510,
			RaetAltPort:            4511,
			RaetMain:               false,
			RaetMutable:            false,
			RaetClearRemotes:       true,
			RaetClearRemoteMasters: true,
			RaetRoadBufcnt:         2,
			RaetLaneBufcnt:         100,
			IofloPeriod:            0.1,
			IofloRealtime:          true,
			IofloVerbose:           0,
			IofloConsoleLogdir:     "",
			PKIDir:                 "/etc/salt/pki/minion",
			Cachedir:               "/var/cache/salt/minion",
			SockDir:                "/var/run/salt/minion",
			Pidfile:                "/var/run/salt-minion.pid",
			LogFile:                "/var/log/salt/minion",
			LogLevel:               "warning",
			AutoAccept:             true,
			OpenMode:               false,
			HashType:               "sha256",
			LoopInterval:           1,
			User:                   "salty",
			FileRoots:              map[string][]string{"base": {"/srv/salt", "/srv/spm/salt"}},
			ClusterMasters:         []string{},
			MinionIDCaching:        true,
			MetricsOptions:         MetricsOptions{MetricsInterface: "127.0.0.1"},
		},
		Master: MasterOption{
			Raw:   "salt",
			Addrs: []MasterAddr{{External: HostPort{Host: "salt", Port: 4506}}},
		},
		MasterPort:            4506,
		MasterType:            "str",
		RandomMaster:          false,
		Multiprocessing:       true,
		AcceptanceWaitTime:    10,
		AcceptanceWaitTimeMax: 0,
		MinionJidQueueHwm:     100,
		MineOptions:           MineOptions{MineEnabled: true, MineInterval: 60, MineFunctions: map[string]any{}},
	}
	compareFields(t, m, want)
	eq(t, "Master.HostPorts()", m.Master.HostPorts(), []string{"salt:4506"})
	eq(t, "RoadAddr()", m.RoadAddr(), "0.0.0.0:4510")
}

// TestDefaultsAreFresh guards against defaults shared between loads: one
// load's file_roots must not leak into the next.
func TestDefaultsAreFresh(t *testing.T) {
	a := loadMaster(t, t.TempDir())
	a.FileRoots["base"][0] = "/mutated"
	a.ClusterMasters = append(a.ClusterMasters, "x")
	b := loadMaster(t, t.TempDir())
	eq(t, "FileRoots", b.FileRoots, map[string][]string{"base": {"/srv/salt", "/srv/spm/salt"}})
	eq(t, "ClusterMasters", b.ClusterMasters, []string{})
}
