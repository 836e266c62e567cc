package grains

import (
	"crypto/sha256"
	"math/big"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Options says where Core reads from. Everything has a working default, so
// the zero Options describes the running machine with an empty id.
type Options struct {
	// Root is the filesystem root that /proc, /sys, /etc and /run are read
	// under; "" means "/". Tests point it at a fixture tree.
	Root string
	// ID is the minion id (the id grain; server_id is derived from it).
	ID string
	// Master is the `master` option as configured: a string or a list.
	// Nil omits the master grain.
	Master any
	// Static is the `grains` option of the minion config. Its keys replace
	// the computed grains of the same name, as Salt's loader does when
	// grains_deep_merge is off (the default).
	Static map[string]any
	// SaltVersion, when set, is reported as saltversion, with
	// saltversioninfo derived from it. Nothing in the spec says which
	// version a Go minion should claim, so the default is to claim none.
	SaltVersion string
	// Uname replaces the uname(2) system call (kernel, nodename, kernel
	// release and version, machine).
	Uname *Uname
	// Interfaces replaces the enumeration of network interfaces.
	Interfaces func() ([]Interface, error)
	// Getenv replaces os.Getenv, for the path and shell grains.
	Getenv func(string) string
}

// Uname is what uname(2) reports, and platform.uname() passes on to Salt.
type Uname struct {
	Sysname, Nodename, Release, Version, Machine string
}

// Core collects the grains a Linux minion reports (spec/salt-raet.md §6),
// with the names, values and types of Salt 3006's salt/grains/core.py and
// extra.py (spec/salt-3006-observed/06-grains.items.json): ints are ints,
// mem_total and swap_total are MiB, ipv4 and ipv6 are sorted as addresses.
//
// Everything is best effort: a file that is missing or unreadable leaves its
// grains out, never fails the whole. Grains Salt gets only by running
// commands (gpus via lspci, systemd and selinux via their tools, the
// hypervisor via dmidecode or virt-what, ip_gw via ip route) are left out
// or, for virtual, derived from the files those commands read; fqdn is
// resolved through <root>/etc/hosts only, so gathering grains never waits on
// DNS. Python-specific grains (pythonversion, pythonpath, saltpath,
// zmqversion) are not reported.
func Core(opts Options) map[string]any {
	c := collector{opts: opts, g: map[string]any{}}
	c.collect()
	for k, v := range opts.Static {
		c.g[k] = v
	}
	return c.g
}

type collector struct {
	opts Options
	g    map[string]any
}

// path maps an absolute path onto the configured root.
func (c *collector) path(p string) string {
	if c.opts.Root == "" || c.opts.Root == "/" {
		return p
	}
	return filepath.Join(c.opts.Root, p)
}

func (c *collector) read(p string) (string, bool) {
	b, err := os.ReadFile(c.path(p))
	if err != nil {
		return "", false
	}
	return string(b), true
}

func (c *collector) exists(p string) bool {
	_, err := os.Stat(c.path(p))
	return err == nil
}

func (c *collector) isDir(p string) bool {
	fi, err := os.Stat(c.path(p))
	return err == nil && fi.IsDir()
}

func (c *collector) isFile(p string) bool {
	fi, err := os.Stat(c.path(p))
	return err == nil && fi.Mode().IsRegular()
}

func (c *collector) getenv(k string) string {
	if c.opts.Getenv != nil {
		return c.opts.Getenv(k)
	}
	return os.Getenv(k)
}

func (c *collector) collect() {
	c.osData()
	c.hostname()
	c.network()
	c.dns()
	c.extras()

	g := c.g
	g["id"] = c.opts.ID
	if c.opts.Master != nil {
		g["master"] = c.opts.Master
	}
	g["server_id"] = serverID(c.opts.ID)
	c.machineID()
	if wd, err := os.Getwd(); err == nil {
		g["cwd"] = wd
	}
	// salt/grains/core.py path(): PATH stripped, and split on ':'.
	p := strings.TrimSpace(c.getenv("PATH"))
	g["path"] = p
	sys := []any{}
	for _, e := range strings.Split(p, ":") {
		sys = append(sys, e)
	}
	g["systempath"] = sys
	// salt/grains/extra.py shell().
	if sh := c.getenv("SHELL"); sh != "" {
		g["shell"] = sh
	} else {
		g["shell"] = "/bin/sh"
	}
	c.process()
	c.kernelParams()
	if v := c.opts.SaltVersion; v != "" {
		g["saltversion"] = v
		g["saltversioninfo"] = versionInfo(v)
	}
}

// ServerID is the server_id grain of a minion id (get_server_id), for
// those that set a minion's id grains themselves (pkg/salt/emulator).
func ServerID(id string) int { return serverID(id) }

// serverID is get_server_id: the SHA-256 of the id, as an integer, modulo
// 2**31.
func serverID(id string) int {
	sum := sha256.Sum256([]byte(id))
	n := new(big.Int).SetBytes(sum[:])
	return int(n.Mod(n, big.NewInt(1<<31)).Int64())
}

// machineID is salt.utils.platform.get_machine_identifier: the first of the
// two machine-id files that exists, stripped.
func (c *collector) machineID() {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if !c.exists(p) {
			continue
		}
		if s, ok := c.read(p); ok {
			c.g["machine_id"] = strings.TrimSpace(s)
		}
		return
	}
}

// process is salt/grains/minion_process.py: who the minion runs as.
func (c *collector) process() {
	g := c.g
	g["pid"] = os.Getpid()
	g["uid"] = os.Getuid()
	g["gid"] = os.Getgid()
	if u, err := user.LookupId(strconv.Itoa(os.Getuid())); err == nil {
		g["username"] = u.Username
	}
	if grp, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
		g["groupname"] = grp.Name
	}
}

// kernelParams is kernelparams(): /proc/cmdline split as a shell would,
// each word split on '=' into [name, value], value None unless there was
// exactly one '='.
func (c *collector) kernelParams() {
	s, ok := c.read("/proc/cmdline")
	if !ok {
		return
	}
	params := []any{}
	// shlex.split raises on an unterminated quote; the words read up to
	// there are kept rather than losing the grain.
	words, _ := py.ShlexSplit(s)
	for _, word := range words {
		parts := strings.Split(word, "=")
		var value any
		if len(parts) == 2 {
			value = strings.Trim(parts[1], `"`)
		}
		params = append(params, []any{parts[0], value})
	}
	c.g["kernelparams"] = params
}

// versionInfo turns "3006.3" into [3006, 3] as saltversioninfo lists it.
func versionInfo(v string) []any {
	out := []any{}
	for _, p := range strings.Split(v, ".") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		} else {
			break
		}
	}
	return out
}
