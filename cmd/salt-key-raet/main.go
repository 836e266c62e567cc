// Command salt-key-raet is salt-key for a Salt master on RAET: it lists,
// accepts, rejects, deletes, prints and fingerprints the minion keys under
// the master's pki_dir (accepted/, pending/, rejected/), as Salt 2018.3's
// RaetKey kept them, with the flags, output and exit statuses of Salt
// 3006's salt-key (spec/salt-raet.md 2.3).
//
//	salt-key-raet [-c DIR] [-L | -l ARG | -a GLOB | -A | -r GLOB | -R | -d GLOB | -D |
//	               -p GLOB | -P | -f GLOB | -F | --gen-keys NAME [--gen-keys-dir DIR] [--keysize N]]
//	               [--include-rejected] [--include-accepted] [--include-denied] [--include-all]
//	               [-y] [-q] [--out key|json|yaml|nested|txt|raw] [--log-level LEVEL]
//
// # Output
//
// Listings use Salt's key outputter: each status present under its heading
// (Local Keys: for -f/-F, Accepted Keys:, Denied Keys:, Unaccepted Keys:,
// Rejected Keys:), in that order, then the ids one per line. Headings and
// ids are coloured as in Salt 3006 only when stdout is a terminal (or with
// --force-color; never with --no-color). --out json|yaml|nested|txt|raw
// prints the same data with that outputter instead. The data's keys are
// Salt 3006's names, whatever the transport: minions (accepted),
// minions_pre (pending), minions_rejected and minions_denied, so that
// scripts written against a ZeroMQ master's salt-key work unchanged. A RAET
// master denies no key (a minion presenting another key than its accepted
// one is refused and reported), so minions_denied is always empty; it is
// listed by -L, -l all and -l den as 3006 lists an empty directory. The
// key directories under pki_dir keep RaetKey's names (accepted, pending,
// rejected).
//
// Fingerprints are RAET's: the SHA-256 of "pub: <pubhex>\nverify:
// <verhex>" (pki.Fingerprint), printed with a colon between each pair of
// hex digits as Salt 3006 prints its fingerprints ("76:7a:4b:…"), so the
// two look alike although they hash different things. -F, and -f with a
// glob that matches "local.key", also show the master's own key under
// "local" as "local.key", fingerprinted over the public keys derived from
// local.key. Salt's RAET salt-key tried to hash local.key itself and
// failed; this is a deliberate fix.
//
// # Accept, reject, delete
//
// As Salt 3006's KeyCLI: the candidates are listed under "The following
// keys are going to be accepted:" (rejected:, deleted:), then, unless -y,
// "Proceed? [n/Y] " is asked (delete: "Proceed? [N/y] "), an empty answer
// taking the default and an answer starting with y or Y meaning yes; then
// "Key for minion <id> accepted." is printed for each key actually
// changed. Accept considers pending keys, and rejected ones with
// --include-rejected or --include-all; reject considers pending keys, and
// accepted ones with --include-accepted or --include-all; delete considers
// every key. A glob matching no candidate prints "The key glob '<glob>'
// does not match any unaccepted keys." (", accepted" / " or rejected" as
// the include flags widen the search; for delete the flags are taken as
// given, as Salt does). Deviations, each to not act or fail silently:
// end of input before an answer is an error, not the default yes; a key
// that cannot be moved or deleted is reported on stderr and not announced
// as done; deleting a key also removes <cachedir>/minions/<id> and the road
// estate files (<cachedir>/raet/*/remote/estate.*) whose role is that id,
// but only for the ids deleted (Salt sweeps every id without a key).
//
// Other choices: -l also takes "pending" (RAET's name for unaccepted). -q suppresses
// everything on stdout except the question (Salt 3006 only uses it to
// hide an exception). -p/-P and -f/-F print every key they can read and
// name on stderr each file that is not a key, then exit 1. -L and -l list
// every id as Salt does, but also read the listed key files and print
// "Error: key file <path> is unreadable: <why>" on stderr for each one the
// master could not use (it refuses that minion), then exit 1; Salt 3006's
// salt-key lists file names only and says nothing. The JSON lists
// ids in Salt's case-insensitive order; the key outputter sorts them with
// Python's sorted(), capitals first, as Salt's does.
//
// # Events
//
// Each key accepted, rejected or deleted fires salt/key on the master's
// event bus, {"result": true, "act": "accept"|"reject"|"delete", "id":
// <id>, "_stamp": <utc isoformat>}, as Salt 3006's salt.key.Key fires it:
// sent as event_fire to the master's manor yard over its lane from a yard
// salt-key opens in sock_dir for the run (event.go). Without a running
// master nothing is fired and salt-key works as ever.
//
// # Generating keys
//
// --gen-keys NAME writes a minion's RAET keys into --gen-keys-dir (default
// the current directory, created if need be): NAME.key, {priv, sign} mode
// 0400, to install as the minion's <pki_dir>/local.key, and NAME.pub,
// {minion_id, pub, verify} mode 0644, to install as the master's
// <pki_dir>/accepted/NAME to preseed its acceptance. It prints the
// fingerprint -f will show, as Salt 3006 prints gen_keys' return
// ("return:" then the fingerprint, nested; {"return": ...} with --out
// json). An existing NAME.key is kept, as Salt keeps NAME.pem. --keysize
// is checked as Salt checks it (2048 to 32768) and otherwise ignored.
//
// # Exit status
//
//	0   success, including a glob that matches no key and an answer of no
//	    at the prompt (as Salt 3006, which prints a message and exits 0)
//	1   an error: a bad config (the message names the file, line and
//	    option), a pki_dir that cannot be read or created, a key file that
//	    is not a key (named), a key that could not be moved or deleted, or
//	    no answer on stdin at the prompt. Salt 3006's salt-key prints
//	    "Error: …" and exits 0 for these; a script must be able to tell.
//	64  a command line Salt would refuse (EX_USAGE, as Salt's option
//	    parser): an unknown option, a bad --list argument or --keysize, an
//	    unknown log level, an argument that is not an option, or more
//	    than one action at a time (Salt silently runs the first in its own
//	    order; doing one of two requested changes is worse than refusing).
//
// An outputter salt-key does not have is no error: as Salt 3006 it logs
// "Invalid outputter <name> specified, fall back to nested" and prints
// with nested.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

const prog = "salt-key-raet"

// Exit statuses (salt/defaults/exitcodes.py).
const (
	exitOK    = cli.ExitOK
	exitError = cli.ExitError // EX_GENERIC
	exitUsage = cli.ExitUsage // EX_USAGE
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the command-line options, named after Salt's.
type options struct {
	configDir string

	listAll                         bool
	list                            string
	accept, reject, delete          string
	acceptAll, rejectAll, deleteAll bool
	print, finger                   string
	printAll, fingerAll             bool

	includeRejected, includeAccepted, includeAll bool
	includeDenied                                bool // accepted for 3006's scripts: a RAET master has no denied keys

	genKeys, genKeysDir string
	keysize             int

	yes, quiet          bool
	out                 string
	logLevel            string
	noColor, forceColor bool
	version             bool

	flags *pflag.FlagSet
}

// An action is what one run does; exactly one is chosen.
type action struct {
	kind string // list, accept, reject, delete, print, finger
	flag string // as the operator wrote it, for messages
	arg  string // the glob, or the --list argument
}

// run executes the command line and returns the exit status. It is main
// without the process: tests call it with their own streams.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	root := newRoot(&o)
	var act action
	root.RunE = func(cmd *cobra.Command, rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q: every value belongs to an option (globs with -a, -r, -d, -p, -f)", rest[0])
		}
		var err error
		act, err = o.validate()
		return err
	}
	if code, ok := cli.Execute(root, args, &o.version, stdin, stdout, stderr); !ok {
		return code
	}
	if act.kind == "gen_keys" {
		return genKeys(&o, act.arg, stdout, stderr)
	}
	k, code := setup(&o, stdin, stdout, stderr)
	if k == nil {
		return code
	}
	return k.do(act)
}

func newRoot(o *options) *cobra.Command {
	root := cli.NewRoot(prog+" [options]",
		"Manage the minion keys of a Salt master on RAET",
		"salt-key-raet is used to manage the keys of the minions of a Salt master on RAET:\nthe files under pki_dir's accepted/, pending/ and rejected/ directories.",
		cobra.ArbitraryArgs)
	f := root.Flags()
	f.StringVarP(&o.configDir, "config-dir", "c", config.DefaultConfigDir, "Pass in an alternative configuration directory.")
	f.BoolVarP(&o.listAll, "list-all", "L", false, "List all public keys.")
	f.StringVarP(&o.list, "list", "l", "", "List the public keys. 'pre', 'un', 'unaccepted' and 'pending' list unaccepted keys; 'acc' or 'accepted' accepted keys; 'rej' or 'rejected' rejected keys; 'all' all keys.")
	f.StringVarP(&o.accept, "accept", "a", "", "Accept the specified public key (use --include-rejected to match rejected keys in addition to pending keys). Globs are supported.")
	f.BoolVarP(&o.acceptAll, "accept-all", "A", false, "Accept all pending keys.")
	f.StringVarP(&o.reject, "reject", "r", "", "Reject the specified public key (use --include-accepted to match accepted keys in addition to pending keys). Globs are supported.")
	f.BoolVarP(&o.rejectAll, "reject-all", "R", false, "Reject all pending keys.")
	f.BoolVar(&o.includeAll, "include-all", false, "Include rejected/accepted keys when accepting/rejecting.")
	f.BoolVar(&o.includeAccepted, "include-accepted", false, "Include accepted keys when rejecting.")
	f.BoolVar(&o.includeRejected, "include-rejected", false, "Include rejected keys when accepting.")
	f.BoolVar(&o.includeDenied, "include-denied", false, "Include denied keys when accepting/rejecting (a RAET master has none).")
	f.StringVarP(&o.print, "print", "p", "", "Print the specified public key.")
	f.BoolVarP(&o.printAll, "print-all", "P", false, "Print all public keys.")
	f.StringVarP(&o.delete, "delete", "d", "", "Delete the specified key. Globs are supported.")
	f.BoolVarP(&o.deleteAll, "delete-all", "D", false, "Delete all keys.")
	f.StringVarP(&o.finger, "finger", "f", "", "Print the specified key's fingerprint.")
	f.BoolVarP(&o.fingerAll, "finger-all", "F", false, "Print all keys' fingerprints.")
	f.StringVar(&o.genKeys, "gen-keys", "", "Set a name to generate a keypair for use with salt: NAME.key (the minion's local.key) and NAME.pub (the master's accepted/NAME).")
	f.StringVar(&o.genKeysDir, "gen-keys-dir", ".", "Set the directory to save the generated keypair.")
	f.IntVar(&o.keysize, "keysize", 2048, "Accepted for Salt's scripts and ignored: RAET's keys have one size (checked to be 2048 to 32768 as Salt does).")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "Suppress output (errors are still reported on stderr).")
	f.BoolVarP(&o.yes, "yes", "y", false, "Answer \"Yes\" to all questions presented.")
	f.StringVar(&o.out, "out", "", "Print the output using the specified outputter: key (the default), json, yaml, nested, txt (or text), raw.")
	f.StringVar(&o.out, "output", "", "The same as --out.")
	f.BoolVar(&o.noColor, "no-color", false, "Disable all colored output.")
	f.BoolVar(&o.noColor, "no-colour", false, "The same as --no-color.")
	f.BoolVar(&o.forceColor, "force-color", false, "Force colored output.")
	f.BoolVar(&o.forceColor, "force-colour", false, "The same as --force-color.")
	f.StringVar(&o.logLevel, "log-level", "", "Console logging log level. One of "+cli.Choices(cli.LogLevels)+". Default: the config's log_level ('warning').")
	f.BoolVar(&o.version, "version", false, "Show the program's version number and exit.")
	for _, alias := range []string{"output", "no-colour", "force-colour"} {
		_ = f.MarkHidden(alias)
	}
	o.flags = f
	return root
}

// validate checks what Salt's option parser checks, and that one action is
// asked for; it returns that action (list-all when none is).
func (o *options) validate() (action, error) {
	if o.list != "" && !hasAnyPrefix(o.list, "acc", "pre", "un", "pend", "rej", "den", "all") {
		return action{}, cli.Usagef("'%s' is not a valid argument to '--list'", o.list)
	}
	if o.keysize < 2048 {
		return action{}, cli.Usagef("The minimum value for keysize is 2048")
	} else if o.keysize > 32768 {
		return action{}, cli.Usagef("The maximum value for keysize is 32768")
	}
	if err := cli.CheckLogLevel("--log-level", o.logLevel); err != nil {
		return action{}, err
	}
	if o.noColor && o.forceColor {
		return action{}, cli.Usagef("--no-color and --force-color cannot be used together")
	}
	var acts []action
	globs := []struct {
		name, short, kind string
		val               string
	}{
		{"list", "l", "list", o.list},
		{"accept", "a", "accept", o.accept},
		{"reject", "r", "reject", o.reject},
		{"delete", "d", "delete", o.delete},
		{"print", "p", "print", o.print},
		{"finger", "f", "finger", o.finger},
		{"gen-keys", "", "gen_keys", o.genKeys},
	}
	for _, g := range globs {
		if !o.flags.Changed(g.name) {
			continue
		}
		flag := "--" + g.name
		if g.short != "" {
			flag = "-" + g.short + "/" + flag
		}
		if g.val == "" {
			switch g.kind {
			case "list":
				return action{}, cli.Usagef("%s needs an argument: acc, pre, un, pending, rej, den or all", flag)
			case "gen_keys":
				return action{}, cli.Usagef("%s needs a name", flag)
			}
			return action{}, cli.Usagef("%s needs a glob", flag)
		}
		acts = append(acts, action{g.kind, flag, g.val})
	}
	alls := []struct {
		name, short, kind string
		set               bool
		arg               string
	}{
		{"list-all", "L", "list", o.listAll, "all"},
		{"accept-all", "A", "accept", o.acceptAll, "*"},
		{"reject-all", "R", "reject", o.rejectAll, "*"},
		{"delete-all", "D", "delete", o.deleteAll, "*"},
		{"print-all", "P", "print", o.printAll, "*"},
		{"finger-all", "F", "finger", o.fingerAll, "*"},
	}
	for _, a := range alls {
		if a.set {
			acts = append(acts, action{a.kind, "-" + a.short + "/--" + a.name, a.arg})
		}
	}
	switch len(acts) {
	case 0:
		return action{"list", "-L/--list-all", "all"}, nil
	case 1:
		return acts[0], nil
	}
	names := make([]string, len(acts))
	for i, a := range acts {
		names[i] = a.flag
	}
	return action{}, cli.Usagef("give one action at a time, not %s", strings.Join(names, " and "))
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// setup loads the master config and opens the key store. On failure it
// reports the error and returns the exit status.
func setup(o *options, stdin io.Reader, stdout, stderr io.Writer) (*keyCLI, int) {
	cli.WarnMissingConfigDir(stderr, o.configDir)
	// salt-key never uses the master's id: see cli.Hostname.
	loader := config.Loader{Program: prog, Hostname: cli.Hostname(prog)}
	cfg, err := loader.LoadMaster(o.configDir)
	if err != nil {
		cli.PrintError(stderr, err)
		return nil, exitError
	}
	level := cfg.LogLevel
	if o.logLevel != "" {
		level = strings.ToLower(o.logLevel)
	}
	log := newLogger(stderr, level)
	for _, f := range cfg.Files {
		log.debugf("Read configuration from %s", f)
	}
	log.debugf("pki_dir is %s, cachedir is %s", cfg.PKIDir, cfg.Cachedir)
	store, err := pki.Open(cfg.PKIDir, pki.Options{PermissivePKIAccess: cfg.PermissivePKIAccess})
	if err != nil {
		cli.PrintError(stderr, fmt.Errorf("cannot use pki_dir %s (set by pki_dir or root_dir in %s): %w", cfg.PKIDir, cfg.ConfFile, err))
		return nil, exitError
	}
	out := stdout
	if o.quiet {
		out = io.Discard
	}
	color := o.forceColor || (!o.noColor && cli.IsTerminal(stdout))
	name := outputter(o, log)
	return &keyCLI{
		opts:     o,
		cfg:      cfg,
		store:    store,
		out:      out,
		prompt:   stdout,
		stderr:   stderr,
		stdin:    bufio.NewReader(stdin),
		log:      log,
		events:   newKeyEvents(cfg.SockDir, cfg.LaneName(), log),
		outputer: name,
		color:    color,
	}, exitOK
}

// outputter is the outputter --out names, key by default. A name salt-key
// does not have falls back to nested, logged at error as
// salt.output.get_printout logs it.
func outputter(o *options, log *logger) string {
	if o.out == "" {
		return "key"
	}
	name, ok := output.Canonical(o.out)
	if !ok {
		log.errorf("Invalid outputter %s specified, fall back to nested", o.out)
		return "nested"
	}
	return name
}
