package config

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// DefaultConfigDir is salt.syspaths.CONFIG_DIR, what `-c` overrides.
const DefaultConfigDir = "/etc/salt"

// Loader carries what a load needs from the host, so tests can replace it.
// The zero Loader asks the real host.
type Loader struct {
	// Hostname gives the host's fully qualified name, the id of last resort
	// (salt.utils.network.generate_minion_id). Nil means FQDN.
	Hostname func() (string, error)
	// User gives the name of the user running the daemon, the default of
	// the user option (salt.utils.user.get_user). Nil means the current
	// user.
	User func() (string, error)
	// Program names the daemon in the error for a transport other than
	// raet. Empty means salt-master-raet or salt-minion-raet.
	Program string
}

// LoadMaster reads <configDir>/master with its includes, as
// salt.config.master_config does. An empty configDir means /etc/salt.
func LoadMaster(configDir string) (*Master, error) { return Loader{}.LoadMaster(configDir) }

// LoadMinion reads <configDir>/minion with its includes, as
// salt.config.minion_config does. An empty configDir means /etc/salt.
func LoadMinion(configDir string) (*Minion, error) { return Loader{}.LoadMinion(configDir) }

// LoadMaster is the package-level LoadMaster with this Loader's host.
func (l Loader) LoadMaster(configDir string) (*Master, error) {
	m := defaultMaster()
	id, src, err := l.loadRole(&m.Common, configDir, "master", func(d *decoder) { decodeMaster(d, m) })
	if err != nil {
		return nil, err
	}
	if src != IDFromOption {
		// apply_master_config appends _master only to a derived id, so a
		// master and a minion on one host get different roles.
		id += "_master"
	}
	m.ID, m.IDSource = id, src
	m.rerootMaster()
	return m, nil
}

// LoadMinion is the package-level LoadMinion with this Loader's host.
func (l Loader) LoadMinion(configDir string) (*Minion, error) {
	m := defaultMinion()
	id, src, err := l.loadRole(&m.Common, configDir, "minion", func(d *decoder) { decodeMinion(d, m) })
	if err != nil {
		return nil, err
	}
	m.ID, m.IDSource = id, src
	m.rerootMinion()
	return m, nil
}

// loadRole reads the config of one role (master or minion) into c, as
// apply_<role>_config does up to the id: the files with their includes,
// the common options, the role's own (decodeRole), the derived settings,
// then the id and where it came from. Every bad option is reported, not
// only the first.
func (l Loader) loadRole(c *Common, configDir, role string, decodeRole func(*decoder)) (string, IDSource, error) {
	d, err := l.load(c, configDir, role)
	if err != nil {
		return "", 0, err
	}
	decodeCommon(d, c)
	decodeRole(d)
	l.finish(d, c, role)
	if err := d.errs.err(); err != nil {
		return "", 0, err
	}
	return resolveID(c, l.hostname(), role)
}

func (l Loader) hostname() func() (string, error) {
	if l.Hostname != nil {
		return l.Hostname
	}
	return FQDN
}

// finish checks what depends on more than one option and fills in the host
// defaults.
func (l Loader) finish(d *decoder, c *Common, role string) {
	if c.Transport != "raet" {
		program := l.Program
		if program == "" {
			program = "salt-" + role + "-raet"
		}
		f := d.opts.get("transport")
		d.errs.add(at(f, f.val, "%q is not supported by %s; set transport: raet", c.Transport, program))
	}
	if d.lookup("user") == nil {
		get := l.User
		if get == nil {
			get = currentUser
		}
		if u, err := get(); err == nil {
			c.User = u
		} else {
			d.errs.add(&Error{Key: "user", Msg: fmt.Sprintf("cannot tell which user runs the %s (%v); set user in %s", role, err, c.ConfFile)})
		}
	}
}

func currentUser() (string, error) {
	u, err := user.Current()
	if err == nil {
		return u.Username, nil
	}
	if name := os.Getenv("USER"); name != "" {
		return name, nil
	}
	return "", err
}

// load reads the main file and its includes into one mapping, in the order
// salt.config.master_config / minion_config apply them:
//
//  1. the main file <configDir>/<role> (missing: no options, all defaults);
//  2. default_include (from the main file, default <role>.d/*.conf),
//     relative to the config dir: each glob's matches in sorted order,
//     merged into each other with dictupdate.update(merge_lists=True) —
//     later files win, mappings merge key by key, lists are joined;
//  3. include (from the main file; a string or a list of globs), the same
//     way;
//  4. the result of 2 and then of 3 replaces the main file's options key by
//     key (dict.update): an option set in an included file overrides the
//     main file's whole value, even a mapping such as file_roots.
//
// An included file's own include option is followed, relative to that
// file, and applied over that file the same way; a cycle is an error.
func (l Loader) load(c *Common, configDir, role string) (*decoder, error) {
	c.ConfigDir, c.ConfFile = configPath(configDir, role)

	main, err := readFile(c.ConfFile)
	if err != nil {
		return nil, err
	}
	var files []string
	if main == nil {
		main = newMap(c.ConfFile, 0)
	} else {
		files = append(files, c.ConfFile)
	}
	d := &decoder{opts: main, errs: &errorList{}}
	d.str("default_include", &c.DefaultInclude)
	d.strList("include", &c.Include)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	inc := &includer{files: &files, chain: []string{c.ConfFile}}
	var defaults, explicit *value
	if c.DefaultInclude != "" {
		if defaults, err = inc.include([]string{c.DefaultInclude}, main.get("default_include"), c.ConfFile); err != nil {
			return nil, err
		}
	}
	if explicit, err = inc.include(c.Include, main.get("include"), c.ConfFile); err != nil {
		return nil, err
	}
	if defaults != nil {
		update(main, defaults)
	}
	update(main, explicit)

	c.Files = files
	c.src = main
	c.Raw = main.raw().(map[string]any)
	d.errs.order = make(map[string]int, len(files))
	for i, f := range files {
		d.errs.order[f] = i
	}
	return d, nil
}

// configPath is where a role's config lives: <configDir>/<role>, with
// /etc/salt for an empty configDir.
func configPath(configDir, role string) (dir, file string) {
	if configDir == "" {
		configDir = DefaultConfigDir
	}
	dir = filepath.Clean(configDir)
	return dir, filepath.Join(dir, role)
}

// includer follows include globs; chain is the stack of files being
// included, to catch a file that includes itself.
type includer struct {
	files *[]string
	chain []string
}

// include is salt.config.include_config.
func (in *includer) include(patterns []string, opt *field, from string) (*value, error) {
	conf := newMap(from, 0)
	for _, pat := range patterns {
		p := pat
		if p == "~" || strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, p[1:])
			}
		}
		if !filepath.IsAbs(p) {
			// The directory is a path, not a pattern: a config dir
			// named like /srv/salt[1] must not be read as a glob.
			p = filepath.Join(globEscape(filepath.Dir(from)), p)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, includeError(opt, from, fmt.Sprintf("%q is not a valid glob: %v", pat, err))
		}
		matches = dropHidden(p, matches)
		sort.Strings(matches)
		for _, fn := range matches {
			if slices.Contains(in.chain, fn) {
				return nil, includeError(opt, from, fmt.Sprintf("%q includes a file that is already being read: %s → %s", pat, strings.Join(in.chain, " → "), fn))
			}
			opts, err := readFile(fn)
			if err != nil {
				return nil, err
			}
			if opts == nil {
				return nil, &Error{File: fn, Msg: "cannot read: no such file (a dangling symlink?)"}
			}
			*in.files = append(*in.files, fn)
			d := &decoder{opts: opts, errs: &errorList{}}
			var nested []string
			d.strList("include", &nested)
			if err := d.errs.err(); err != nil {
				return nil, err
			}
			if len(nested) > 0 {
				in.chain = append(in.chain, fn)
				sub, err := in.include(nested, opts.get("include"), fn)
				in.chain = in.chain[:len(in.chain)-1]
				if err != nil {
					return nil, err
				}
				update(opts, sub)
			}
			mergeInto(conf, opts)
		}
	}
	return conf, nil
}

func includeError(opt *field, from, msg string) error {
	if opt == nil {
		return &Error{File: from, Key: "include", Msg: msg}
	}
	return at(opt, nil, "%s", msg)
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dropHidden removes dot-files the pattern's last element does not ask for:
// Python's glob (which Salt uses) never lets * match a leading dot, so
// editor leftovers such as .#50-local.conf are not read.
func dropHidden(pattern string, matches []string) []string {
	if strings.HasPrefix(filepath.Base(pattern), ".") {
		return matches
	}
	out := matches[:0]
	for _, m := range matches {
		if !strings.HasPrefix(filepath.Base(m), ".") {
			out = append(out, m)
		}
	}
	return out
}
