package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/saltraet/saltraet/internal/mkdir"
)

// Application kinds of salt/utils/kinds.py (APPL_KINDS). The road stack
// carries the kind in its join, and the estate name ends in its name.
const (
	KindMaster = 0
	KindMinion = 1
)

// Common holds the options the master and the minion share
// (spec/salt-raet.md section 5). Path options are already re-rooted under
// RootDir (salt.config.prepend_root_dir).
type Common struct {
	// ConfigDir is the directory the config was read from (-c).
	ConfigDir string
	// ConfFile is <ConfigDir>/master or <ConfigDir>/minion, read or not.
	ConfFile string
	// Files lists the files actually read: the main file (if it exists),
	// then each included file in the order it was applied.
	Files []string
	// Raw is every option the files set, after include merging and before
	// defaults or re-rooting, as PyYAML would have read it
	// (map[string]any, []any, string, int, float64, bool, nil). Options
	// without a typed field are read from here.
	Raw map[string]any

	RootDir        string   // root_dir: "/"
	DefaultInclude string   // default_include: "<role>.d/*.conf"
	Include        []string // include: none

	// ID is opts['id'], the RAET role: the id option as written, or the
	// cached minion_id, or the FQDN (for the master with "_master"
	// appended to the last two).
	ID       string
	IDSource IDSource

	Transport              string  // transport: raet (see the package doc)
	Interface              string  // interface: 0.0.0.0, the road bind address
	RaetPort               int     // raet_port: master 4506, minion 4510
	RaetAltPort            int     // raet_alt_port: 4511 (the caller estate)
	RaetMain               bool    // raet_main: master true, minion false
	RaetMutable            bool    // raet_mutable: false (see Mutable)
	RaetClearRemotes       bool    // raet_clear_remotes: master false, minion true
	RaetClearRemoteMasters bool    // raet_clear_remote_masters: true
	RaetRoadBufcnt         int     // raet_road_bufcnt: 2
	RaetLaneBufcnt         int     // raet_lane_bufcnt: 100
	IofloPeriod            float64 // ioflo_period: master 0.01, minion 0.1 (seconds)
	IofloRealtime          bool    // ioflo_realtime: true
	IofloVerbose           int     // ioflo_verbose: 0
	IofloConsoleLogdir     string  // ioflo_console_logdir: "" (stdout)

	PKIDir   string // pki_dir: /etc/salt/pki/<role>
	Cachedir string // cachedir: /var/cache/salt/<role>
	SockDir  string // sock_dir: /var/run/salt/<role>
	Pidfile  string // pidfile: /var/run/salt-<role>.pid
	LogFile  string // log_file: /var/log/salt/<role> (a URL is left alone)
	LogLevel string // log_level: warning

	AutoAccept          bool                // auto_accept: master false, minion true
	OpenMode            bool                // open_mode: false
	PermissivePKIAccess bool                // permissive_pki_access: false
	HashType            string              // hash_type: sha256
	LoopInterval        float64             // loop_interval: master 60, minion 1 (seconds)
	User                string              // user: the user running the daemon
	FileRoots           map[string][]string // file_roots: base: [/srv/salt, /srv/spm/salt]

	ClusterMode    bool     // cluster_mode: false
	ClusterMasters []string // cluster_masters: []

	MinionIDCaching   bool   // minion_id_caching: true
	MinionIDLowercase bool   // minion_id_lowercase: false
	AppendDomain      string // append_domain: ""

	MetricsOptions // metrics_port, metrics_interface (metrics.go)

	files FileOptions // the file server's, pillar's and file client's (FileOptions)
	src   *value      // the merged options, for Origin
}

// Master is the master's configuration (salt.config.DEFAULT_MASTER_OPTS for
// the options that matter to a RAET master).
type Master struct {
	Common

	WorkerThreads    int    // worker_threads: 5
	Timeout          int    // timeout: 5 (seconds the CLI waits)
	GatherJobTimeout int    // gather_job_timeout: 10
	KeepJobs         int    // keep_jobs: 24 (hours; legacy, see KeepJobsDuration)
	KeepJobsSeconds  int    // keep_jobs_seconds: 86400 (0 keeps jobs forever)
	JobCache         bool   // job_cache: true
	MasterJobCache   string // master_job_cache: local_cache
	MinionDataCache  bool   // minion_data_cache: true
	AutosignFile     string // autosign_file: unset
	AutorejectFile   string // autoreject_file: unset
	KeyLogfile       string // key_logfile: /var/log/salt/key
	ZMQBehavior      bool   // zmq_behavior: false
	// MaxPendingKeys is max_pending_keys: 1000; 0 for no bound. Not a
	// Salt option: new ids beyond it are refused, not written to pending/,
	// so unauthenticated joins cannot fill pki_dir (see pki.Options).
	MaxPendingKeys int
	// RaetMaxDeciding is raet_max_deciding: 512; RaetMaxAllowing is
	// raet_max_allowing: 256; 0 for no bound. Not Salt options: in a join
	// storm the road takes at most this many joins whose keys the key
	// store is deciding, and this many allows (session handshakes) whose
	// last step has not come; the requests beyond are dropped unanswered
	// and the minions ask again, so those taken finish within the minions'
	// timeouts (road.Config.MaxDeciding and MaxAllowing).
	RaetMaxDeciding int
	RaetMaxAllowing int
	// RaetPresenceRate is raet_presence_rate: 1000; 0 for no bound. Not a
	// Salt option: the master starts at most this many keep-alives a
	// second, so with many minions each is alived less often than the
	// 3 s period (road.Config.PresenceRate).
	RaetPresenceRate int

	// The floscripts the reference's ioflo scheduler ran. Go daemons have
	// no floscripts; the options load (so configs that set them still
	// work) and default to empty rather than to a path in a Python tree.
	MasterFloscript      string
	WorkerFloscript      string
	MaintenanceFloscript string
}

// Minion is the minion's configuration (salt.config.DEFAULT_MINION_OPTS for
// the options that matter to a RAET minion).
type Minion struct {
	Common

	Master          MasterOption // master: salt
	MasterPort      int          // master_port: 4506
	MasterType      string       // master_type: str
	RandomMaster    bool         // random_master: false
	Multiprocessing bool         // multiprocessing: true

	// A minion whose join a master refused, rejected or pended joins
	// again after AcceptanceWaitTime, the wait doubling after each try
	// while below AcceptanceWaitTimeMax (salt/crypt.py AsyncAuth).
	AcceptanceWaitTime    float64 // acceptance_wait_time: 10 (seconds)
	AcceptanceWaitTimeMax float64 // acceptance_wait_time_max: 0 (no growth)
	// MinionJidQueueHwm is how many jids the minion remembers to refuse a
	// publish it has run already (minion_jid_queue_hwm).
	MinionJidQueueHwm int // minion_jid_queue_hwm: 100

	MinionFloscript string // see Master.MasterFloscript
	CallerFloscript string

	MineOptions
	python PythonFallback // python_fallback, python_fallback_python (PythonFallback)
}

func defaultCommon(role string) Common {
	return Common{
		RootDir:                "/",
		DefaultInclude:         role + ".d/*.conf",
		Transport:              "raet",
		Interface:              "0.0.0.0",
		RaetAltPort:            4511,
		RaetClearRemoteMasters: true,
		RaetRoadBufcnt:         2,
		RaetLaneBufcnt:         100,
		IofloRealtime:          true,
		PKIDir:                 "/etc/salt/pki/" + role,
		Cachedir:               "/var/cache/salt/" + role,
		SockDir:                "/var/run/salt/" + role,
		Pidfile:                "/var/run/salt-" + role + ".pid",
		LogFile:                "/var/log/salt/" + role,
		LogLevel:               "warning",
		HashType:               "sha256",
		FileRoots:              map[string][]string{"base": {"/srv/salt", "/srv/spm/salt"}},
		ClusterMasters:         []string{},
		MinionIDCaching:        true,
		files:                  defaultFileOptions(role),
		MetricsOptions:         defaultMetricsOptions(),
	}
}

// DefaultMaxPendingKeys is max_pending_keys' default: far more keys than an
// operator reviews by hand before accepting them (mass deployments use
// auto_accept or autosign, which pending/ never sees), far fewer than would
// make salt-key-raet -L or a pki_dir backup suffer.
const DefaultMaxPendingKeys = 1000

func defaultMaster() *Master {
	m := &Master{Common: defaultCommon("master")}
	m.RaetPort = 4506
	m.RaetMain = true
	m.IofloPeriod = 0.01
	m.LoopInterval = 60
	m.WorkerThreads = 5
	m.Timeout = 5
	m.GatherJobTimeout = 10
	m.KeepJobs = 24
	m.KeepJobsSeconds = defaultKeepJobsSeconds
	m.JobCache = true
	m.MasterJobCache = "local_cache"
	m.MinionDataCache = true
	m.KeyLogfile = "/var/log/salt/key"
	m.MaxPendingKeys = DefaultMaxPendingKeys
	m.RaetMaxDeciding = 512   // road.DefaultMaxDeciding
	m.RaetMaxAllowing = 256   // road.DefaultMaxAllowing
	m.RaetPresenceRate = 1000 // road.DefaultPresenceRate
	return m
}

func defaultMinion() *Minion {
	m := &Minion{Common: defaultCommon("minion")}
	m.RaetPort = 4510
	m.RaetClearRemotes = true
	m.IofloPeriod = 0.1
	m.LoopInterval = 1
	m.AutoAccept = true
	m.MasterPort = 4506
	m.MasterType = "str"
	m.Multiprocessing = true
	m.AcceptanceWaitTime = 10
	m.MinionJidQueueHwm = 100
	m.MineOptions = defaultMineOptions()
	m.Master = MasterOption{Raw: "salt", Addrs: []MasterAddr{{External: HostPort{Host: "salt", Port: 4506}}}}
	return m
}

// Salt's log levels (salt/log/setup.py LOG_LEVELS); anything else makes
// Salt log at error level without a word, so it is refused here.
var logLevels = []string{"all", "garbage", "trace", "debug", "profile", "info", "warning", "error", "critical", "quiet"}

// The hashlib names a Go job cache can honour for hash_type.
var hashTypes = []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}

func decodeCommon(d *decoder, c *Common) {
	d.str("root_dir", &c.RootDir)
	d.str("id", &c.ID)
	d.str("transport", &c.Transport)
	d.str("interface", &c.Interface)
	d.integer("raet_port", &c.RaetPort, checkPort)
	d.integer("raet_alt_port", &c.RaetAltPort, checkPort)
	d.boolean("raet_main", &c.RaetMain)
	d.boolean("raet_mutable", &c.RaetMutable)
	d.boolean("raet_clear_remotes", &c.RaetClearRemotes)
	d.boolean("raet_clear_remote_masters", &c.RaetClearRemoteMasters)
	d.integer("raet_road_bufcnt", &c.RaetRoadBufcnt, checkAtLeastOne)
	d.integer("raet_lane_bufcnt", &c.RaetLaneBufcnt, checkAtLeastOne)
	d.float("ioflo_period", &c.IofloPeriod, checkPositive)
	d.boolean("ioflo_realtime", &c.IofloRealtime)
	d.integer("ioflo_verbose", &c.IofloVerbose, checkNonNegative)
	d.str("ioflo_console_logdir", &c.IofloConsoleLogdir)
	d.str("pki_dir", &c.PKIDir)
	d.str("cachedir", &c.Cachedir)
	d.str("sock_dir", &c.SockDir)
	d.str("pidfile", &c.Pidfile)
	d.str("log_file", &c.LogFile)
	d.str("log_level", &c.LogLevel)
	d.boolean("auto_accept", &c.AutoAccept)
	d.boolean("open_mode", &c.OpenMode)
	d.boolean("permissive_pki_access", &c.PermissivePKIAccess)
	d.str("hash_type", &c.HashType)
	d.float("loop_interval", &c.LoopInterval, checkPositive)
	d.str("user", &c.User)
	d.roots("file_roots", &c.FileRoots)
	d.boolean("cluster_mode", &c.ClusterMode)
	d.strList("cluster_masters", &c.ClusterMasters)
	d.boolean("minion_id_caching", &c.MinionIDCaching)
	d.boolean("minion_id_lowercase", &c.MinionIDLowercase)
	d.str("append_domain", &c.AppendDomain)
	decodeFileOptions(d, &c.files)
	decodeMetrics(d, &c.MetricsOptions)

	d.lowerOneOf("log_level", &c.LogLevel, logLevels, "is not a log level")
	d.lowerOneOf("hash_type", &c.HashType, hashTypes, "is not supported")
	for _, key := range []string{"pki_dir", "cachedir", "sock_dir"} {
		if f := d.lookup(key); f != nil && f.val.text == "" && f.val.kind == kindString {
			d.fail(f, f.val, "an empty path would put the %s in the root directory; remove the line for the default", key)
		}
	}
}

func decodeMaster(d *decoder, m *Master) {
	d.integer("worker_threads", &m.WorkerThreads, checkAtLeastOne)
	d.integer("timeout", &m.Timeout, checkNonNegative)
	d.integer("gather_job_timeout", &m.GatherJobTimeout, checkNonNegative)
	d.integer("keep_jobs", &m.KeepJobs, checkNonNegative)
	d.integer("keep_jobs_seconds", &m.KeepJobsSeconds, checkNonNegative)
	d.boolean("job_cache", &m.JobCache)
	d.str("master_job_cache", &m.MasterJobCache)
	d.boolean("minion_data_cache", &m.MinionDataCache)
	d.str("autosign_file", &m.AutosignFile)
	d.str("autoreject_file", &m.AutorejectFile)
	d.str("key_logfile", &m.KeyLogfile)
	d.boolean("zmq_behavior", &m.ZMQBehavior)
	d.integer("max_pending_keys", &m.MaxPendingKeys, checkNonNegative)
	d.integer("raet_max_deciding", &m.RaetMaxDeciding, checkNonNegative)
	d.integer("raet_max_allowing", &m.RaetMaxAllowing, checkNonNegative)
	d.integer("raet_presence_rate", &m.RaetPresenceRate, checkNonNegative)
	d.str("master_floscript", &m.MasterFloscript)
	d.str("worker_floscript", &m.WorkerFloscript)
	d.str("maintenance_floscript", &m.MaintenanceFloscript)
}

func decodeMinion(d *decoder, m *Minion) {
	d.integer("master_port", &m.MasterPort, checkPort)
	d.str("master_type", &m.MasterType)
	d.boolean("random_master", &m.RandomMaster)
	d.boolean("multiprocessing", &m.Multiprocessing)
	d.float("acceptance_wait_time", &m.AcceptanceWaitTime, checkNonNegativeFloat)
	d.float("acceptance_wait_time_max", &m.AcceptanceWaitTimeMax, checkNonNegativeFloat)
	d.integer("minion_jid_queue_hwm", &m.MinionJidQueueHwm, checkAtLeastOne)
	d.str("minion_floscript", &m.MinionFloscript)
	d.str("caller_floscript", &m.CallerFloscript)
	decodeMine(d, &m.MineOptions)
	decodePythonFallback(d, &m.python)
	// The default master follows master_port, like extract_masters.
	m.Master.Addrs[0].External.Port = m.MasterPort
	d.masters("master", &m.Master, m.MasterPort)
}

// absRoot is os.path.abspath(opts['root_dir']).
func (c *Common) absRoot() {
	if c.RootDir == "" {
		c.RootDir = "/"
	}
	if abs, err := filepath.Abs(c.RootDir); err == nil {
		c.RootDir = abs
	}
}

// rerootMaster applies prepend_root_dir to the paths apply_master_config
// lists: pki_dir, cachedir, pidfile, sock_dir, autosign_file,
// autoreject_file, and log_file and key_logfile unless they are URLs.
func (m *Master) rerootMaster() {
	m.absRoot()
	m.rerootCommon()
	m.AutosignFile = reroot(m.RootDir, m.AutosignFile)
	m.AutorejectFile = reroot(m.RootDir, m.AutorejectFile)
	m.KeyLogfile = rerootLog(m.RootDir, m.KeyLogfile)
}

// rerootMinion applies prepend_root_dir to the paths apply_minion_config
// lists: pki_dir, cachedir, sock_dir, pidfile, and log_file unless it is a
// URL.
func (m *Minion) rerootMinion() {
	m.absRoot()
	m.rerootCommon()
}

func (c *Common) rerootCommon() {
	c.PKIDir = reroot(c.RootDir, c.PKIDir)
	c.Cachedir = reroot(c.RootDir, c.Cachedir)
	c.SockDir = reroot(c.RootDir, c.SockDir)
	c.Pidfile = reroot(c.RootDir, c.Pidfile)
	c.LogFile = rerootLog(c.RootDir, c.LogFile)
}

// Reroot moves a path option that has no typed field under RootDir, the
// way the typed path options were (prepend_root_dir).
func (c *Common) Reroot(path string) string { return reroot(c.RootDir, path) }

// Mutable is the road stack's mutable flag: raet_mutable, forced on by
// open_mode (salt/daemons/flo/core.py SaltRaetRoadStackSetup).
func (c *Common) Mutable() bool { return c.RaetMutable || c.OpenMode }

// RoadPort is the UDP port the road stack binds (raet_port).
func (c *Common) RoadPort() int { return c.RaetPort }

// RoadAddr is the road stack's bind address, interface:raet_port.
func (c *Common) RoadAddr() string {
	return net.JoinHostPort(c.Interface, strconv.Itoa(c.RaetPort))
}

// Origin tells where an option was set: the file and line of its key. ok is
// false for an option no file set (it has its default).
func (c *Common) Origin(key string) (file string, line int, ok bool) {
	f := c.src.get(key)
	if f == nil {
		return "", 0, false
	}
	return f.file, f.line, true
}

// Errorf builds an *Error about an option, placed where the option was set,
// so that later code (which reads Raw) reports problems as this package
// does.
func (c *Common) Errorf(key, format string, args ...any) error {
	if f := c.src.get(key); f != nil {
		return at(f, f.val, format, args...)
	}
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Kind is KindMaster.
func (m *Master) Kind() int { return KindMaster }

// EstateName is the master's road estate name, <opts id>_<kind>
// (spec/salt-raet.md 1.2): "saltmaster_master_master" for a derived id,
// "saltmaster_master" for `id: saltmaster`.
func (m *Master) EstateName() string { return m.ID + "_master" }

// LaneName is the master's lane name; yards are <sock_dir>/master.<yard>.uxd.
func (m *Master) LaneName() string { return "master" }

// Kind is KindMinion.
func (m *Minion) Kind() int { return KindMinion }

// EstateName is the minion's road estate name, <id>_minion.
func (m *Minion) EstateName() string { return m.ID + "_minion" }

// LaneName is the minion's lane name, <id>_minion, as its estate.
func (m *Minion) LaneName() string { return m.ID + "_minion" }

// CacheID writes a hostname-derived id to <config_dir>/minion_id when
// minion_id_caching is on, as get_id(cache_minion_id=True) does when the
// minion starts, so that renaming the host later does not change the
// minion's identity (and orphan its key). It does nothing for an id from
// the option or the file. Loading never writes; the daemon calls this.
func (m *Minion) CacheID() error {
	if m.IDSource != IDFromHostname || !m.MinionIDCaching {
		return nil
	}
	path := filepath.Join(m.ConfigDir, MinionIDFile)
	if err := mkdir.All(m.ConfigDir, 0o755); err != nil {
		return &Error{File: path, Msg: "cannot cache the minion id: " + unwrapPathError(err)}
	}
	if err := os.WriteFile(path, []byte(m.ID), 0o644); err != nil {
		return &Error{File: path, Msg: "cannot cache the minion id: " + unwrapPathError(err)}
	}
	return nil
}
