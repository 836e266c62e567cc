// Package config reads the master and minion configuration the way Salt
// does (salt/config/__init__.py at v2018.3, the last release that ran on
// RAET), so salt-master-raet and salt-minion-raet start from an existing
// /etc/salt unchanged. spec/salt-raet.md section 5 lists the options that
// matter and their defaults; section 1.2 the names derived from them.
//
// # Files
//
// LoadMaster reads <config_dir>/master, LoadMinion <config_dir>/minion
// (config_dir is /etc/salt unless -c says otherwise). A missing file means
// every option has its default, as in Salt. Then come default_include
// (master.d/*.conf, minion.d/*.conf) and include (a glob or a list of
// globs), relative to the including file's directory, each glob's matches
// in sorted order. Included files are folded together with Salt's
// dictupdate.update(merge_lists=True): a later file wins, mappings merge
// key by key, lists are joined. The result then replaces the main file's
// options key by key (master_config's overrides.update), so an included
// file overrides the main file, and a mapping such as file_roots set in
// an included file replaces the main file's whole mapping.
//
// YAML is read as PyYAML's safe_load reads it (YAML 1.1): yes/no/on/off are
// booleans, 0755 is octal, a second document is an error.
//
// # Paths and root_dir
//
// root_dir (default /) is prefixed to pki_dir, cachedir, sock_dir, pidfile,
// log_file, and on the master autosign_file, autoreject_file and
// key_logfile, as prepend_root_dir does on Unix: an absolute path from the
// file is moved under root_dir too, a path already under root_dir is left
// alone, a relative one is taken from root_dir, and a log "file" that is a
// URL (udp://, file://) is left alone. As in Salt, file_roots and
// ioflo_console_logdir are not re-rooted, and the config dir itself (and so
// minion_id) is where -c points, not under root_dir.
//
// # Decisions where Salt gives no guidance or is unhelpful
//
//   - transport: absent means raet. Salt's default is zeromq, but whoever
//     starts salt-master-raet wants RAET, and refusing a config that never
//     mentions a transport would only make the drop-in harder to adopt. An
//     explicit transport other than raet (zeromq, tcp, detect) is an error
//     naming the file, line and key: the file was written for another Salt.
//   - The master's id gets "_master" appended only when it was derived
//     (from minion_id or the hostname), as apply_master_config does; an
//     explicit id is used as written. Its road estate is <id>_master
//     (saltmaster_master_master when derived).
//   - minion_id is read from <config_dir>/minion_id. Salt reads
//     <root_dir>/etc/salt/minion_id whatever -c says; following -c keeps a
//     second install in another directory from reading the first one's id.
//   - An option written with no value (`timeout:` or `timeout: ~`) keeps its
//     default. Salt would store None, which most of its code then treats as
//     unset anyway (and master_config does this for nodegroups explicitly).
//   - Types are checked, and every problem is reported at once with its
//     file, line and key; Salt only logs a warning and runs on. What Salt's
//     _validate_opts accepts is accepted where the conversion is lossless:
//     an int option takes 5, 5.0 and "5", but not 5.5 or yes; a bool option
//     takes the YAML 1.1 words in any case, quoted or not, and 0 or 1; a
//     string option takes any scalar as written (id: 0123 is "0123"); a
//     list option takes a single string as a list of one.
//   - Nonsense Salt would only trip over later is refused at load: ports
//     outside 1-65535, negative timeouts and counts, worker_threads or
//     bufcnt below 1, a non-positive ioflo_period or loop_interval, an
//     unknown log_level or hash_type, an empty pki_dir/cachedir/sock_dir,
//     a key given twice in one mapping (PyYAML keeps the last silently),
//     an include cycle, and master entries Salt's extract_masters would
//     silently drop (a port that is not a number, an unknown key in a
//     {external, internal} mapping, no master at all).
//   - When neither id nor minion_id gives an id and the hostname is empty
//     or localhost, loading fails and says to set id; Salt would fall back
//     to an IP address, an identity that changes with DHCP.
//   - The floscript options load but default to empty: there is no ioflo.
//
// Library code here returns errors (*Error, or several joined with
// errors.Join) and never logs or exits.
package config
