package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/output"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// keyCLI is one run of salt-key-raet: Salt's KeyCLI over a RAET key store.
type keyCLI struct {
	opts  *options
	cfg   *config.Master
	store *pki.Store

	out    io.Writer // results; io.Discard with -q
	prompt io.Writer // the question, which -q does not silence
	stderr io.Writer
	stdin  *bufio.Reader
	log    *logger
	events *keyEvents // salt/key events for a running master

	outputer string // key, json, yaml, txt or raw
	color    bool

	failed bool // an error was reported; the exit status is 1
}

// listOrder is the order of Key.list_keys (accepted, pending, rejected),
// in which Salt builds the dicts the json, yaml, txt and raw outputters
// print.
var listOrder = []raet.Acceptance{raet.Accepted, raet.Pending, raet.Rejected}

// localKeyName is how the local key appears under "local".
const localKeyName = pki.LocalKeyFile

func (k *keyCLI) do(act action) int {
	defer k.events.close()
	var err error
	switch act.kind {
	case "list":
		err = k.list(act.arg)
	case "print":
		err = k.print(act.arg)
	case "finger":
		err = k.finger(act.arg)
	case "accept", "reject", "delete":
		err = k.change(act.kind, act.arg)
	default:
		err = fmt.Errorf("unknown action %q", act.kind)
	}
	if err != nil {
		k.errorf("%v", err)
	}
	if k.failed {
		return exitError
	}
	return exitOK
}

func (k *keyCLI) errorf(format string, args ...any) {
	k.failed = true
	cli.PrintError(k.stderr, fmt.Errorf(format, args...))
}

func (k *keyCLI) display(data output.Map) error {
	return output.Display(k.out, k.outputer, data, output.Options{Color: k.color})
}

// sortIgnoreCase is salt.utils.data.sorted_ignorecase, the order in which
// Salt lists ids: by their lower-case form (ties in byte order, where
// Python keeps the directory's order).
func sortIgnoreCase(ids []string) []string {
	out := slices.Clone(ids)
	if out == nil {
		out = []string{}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// list is -L and -l: Key.list_status. "all" lists every status, even empty
// ones, in list_keys' order: minions, minions_pre, minions_rejected and
// minions_denied. A RAET master denies no key (a minion whose key differs
// from the accepted one is refused and reported, not filed apart), so
// minions_denied is always empty; it is listed for "all" and "den" as Salt
// 3006 lists an empty minions_denied directory. "pending" (the RAET name of
// the status) is taken as "pre", which Salt's parser refuses.
func (k *keyCLI) list(which string) error {
	lists, err := k.store.List()
	if err != nil {
		return err
	}
	var statuses []raet.Acceptance
	denied := false
	switch {
	case strings.HasPrefix(which, "acc"):
		statuses = []raet.Acceptance{raet.Accepted}
	case strings.HasPrefix(which, "pre"), strings.HasPrefix(which, "un"), strings.HasPrefix(which, "pend"):
		statuses = []raet.Acceptance{raet.Pending}
	case strings.HasPrefix(which, "rej"):
		statuses = []raet.Acceptance{raet.Rejected}
	case strings.HasPrefix(which, "den"):
		denied = true
	case strings.HasPrefix(which, "all"):
		statuses, denied = listOrder, true
	}
	data := output.Map{}
	for _, st := range statuses {
		data = append(data, output.Item{Key: statusKey(st), Value: sortIgnoreCase(lists[st])})
	}
	if denied {
		data = append(data, output.Item{Key: keyDenied, Value: []string{}})
	}
	if err := k.display(data); err != nil {
		return err
	}
	return k.reportProblems(statuses)
}

// reportProblems names on stderr each listed key file that cannot be used,
// which the master refuses to let its minion in with: listing the id
// alone, as Salt does, hides why that minion never answers. The id stays
// listed under its heading, and the exit status is 1.
func (k *keyCLI) reportProblems(statuses []raet.Acceptance) error {
	if len(statuses) == 0 {
		return nil
	}
	problems, err := k.store.Problems(statuses...)
	if err != nil {
		return err
	}
	for _, p := range problems {
		k.errorf("%v", p)
	}
	return nil
}

// match is Key.name_match restricted to some statuses: the ids matching
// the (comma-separated) glob, by status in list order, only statuses with
// a match.
func (k *keyCLI) match(glob string, in ...raet.Acceptance) ([]statusIDs, error) {
	m, err := k.store.Match(glob, in...)
	if err != nil {
		return nil, err
	}
	var out []statusIDs
	for _, st := range listOrder {
		if ids := m[st]; len(ids) > 0 {
			out = append(out, statusIDs{st, sortIgnoreCase(ids)})
		}
	}
	return out, nil
}

type statusIDs struct {
	status raet.Acceptance
	ids    []string
}

// print is -p and -P: Key.key_str, "pub: <hex>\nverify: <hex>" per key.
// A key file that cannot be read is reported and left out; the others are
// still printed.
func (k *keyCLI) print(glob string) error {
	matches, err := k.match(glob)
	if err != nil {
		return err
	}
	return k.display(k.perKey(matches, pki.Key.String))
}

// perKey reads each matching key and shows it by status, as show renders
// it. A key that cannot be read is reported and left out, and a status
// none of whose keys could be read with it.
func (k *keyCLI) perKey(matches []statusIDs, show func(pki.Key) string) output.Map {
	data := output.Map{}
	for _, sm := range matches {
		shown := output.Map{}
		for _, id := range sm.ids {
			key, err := k.store.Read(id, sm.status)
			if err != nil {
				k.errorf("%v", err)
				continue
			}
			shown = append(shown, output.Item{Key: id, Value: show(key)})
		}
		if len(shown) > 0 {
			data = append(data, output.Item{Key: statusKey(sm.status), Value: shown})
		}
	}
	return data
}

// finger is -f and -F: Key.finger, the fingerprints of the matching keys,
// and of the master's own key under "local" when the glob matches
// "local.key" (as name_match(match, full=True) includes local keys).
func (k *keyCLI) finger(glob string) error {
	matches, err := k.match(glob)
	if err != nil {
		return err
	}
	data := k.perKey(matches, func(key pki.Key) string { return pki.ColonHex(key.Fingerprint()) })
	if pki.NameMatch(localKeyName, glob) {
		local, err := k.store.LoadLocal()
		switch {
		case err == nil:
			data = append(data, output.Item{Key: "local", Value: output.Map{{Key: localKeyName, Value: pki.ColonHex(local.Fingerprint())}}})
		case errors.Is(err, pki.ErrNotFound):
			k.log.debugf("no %s yet (the master creates it on its first start): %v", localKeyName, err)
		default:
			k.errorf("%v", err)
		}
	}
	return k.display(data)
}

// verbs of the changing actions: the participle in messages.
var participle = map[string]string{"accept": "accepted", "reject": "rejected", "delete": "deleted"}

// change is -a/-A, -r/-R and -d/-D: KeyCLI.run for accept, reject and
// delete. It lists the candidates, asks (unless -y), then changes each key
// and reports it.
func (k *keyCLI) change(verb, glob string) error {
	search, inclAccepted, inclRejected := k.changeScope(verb)
	matches, err := k.match(glob, search...)
	if err != nil {
		return err
	}
	if verb != "delete" {
		// _filter_ret builds the candidates pending first, then
		// accepted, then rejected.
		slices.SortStableFunc(matches, func(a, b statusIDs) int {
			return filterRank(a.status) - filterRank(b.status)
		})
	}
	if len(matches) == 0 {
		fmt.Fprintf(k.out, "The key glob '%s' does not match any %s keys.\n", glob, noMatchStatuses(inclAccepted, inclRejected, k.opts.includeDenied))
		return nil
	}
	if ok, err := k.confirm(verb, matches); !ok || err != nil {
		return err
	}
	for _, id := range k.changeKeys(verb, matches) {
		k.forget(id)
	}
	return nil
}

// changeScope is _update_opts: the statuses a verb searches, and whether
// its no-match message names accepted and rejected keys. --include-all
// widens accept to rejected keys and reject to accepted keys; accept
// never includes accepted keys nor reject rejected ones. Delete keeps the
// flags as given (they only change its no-match message, as in Salt).
func (k *keyCLI) changeScope(verb string) (search []raet.Acceptance, inclAccepted, inclRejected bool) {
	o := k.opts
	inclAccepted, inclRejected = o.includeAccepted, o.includeRejected
	switch verb {
	case "accept":
		inclAccepted, inclRejected = false, o.includeAll || o.includeRejected
		search = []raet.Acceptance{raet.Pending}
		if inclRejected {
			search = append(search, raet.Rejected)
		}
	case "reject":
		inclAccepted, inclRejected = o.includeAll || o.includeAccepted, false
		search = []raet.Acceptance{raet.Pending}
		if inclAccepted {
			search = append(search, raet.Accepted)
		}
	case "delete":
		search = listOrder
	}
	return search, inclAccepted, inclRejected
}

// noMatchStatuses names the statuses searched, for the no-match message:
// "unaccepted", "unaccepted or rejected", "unaccepted, accepted or
// rejected", and "denied" last with --include-denied, as Salt names it
// although a RAET master has no denied key to search.
func noMatchStatuses(inclAccepted, inclRejected, inclDenied bool) string {
	statuses := []string{"unaccepted"}
	if inclAccepted {
		statuses = append(statuses, "accepted")
	}
	if inclRejected {
		statuses = append(statuses, "rejected")
	}
	if inclDenied {
		statuses = append(statuses, "denied")
	}
	if len(statuses) == 1 {
		return statuses[0]
	}
	return strings.Join(statuses[:len(statuses)-1], ", ") + " or " + statuses[len(statuses)-1]
}

// confirm lists the keys about to change and, unless -y, asks.
func (k *keyCLI) confirm(verb string, matches []statusIDs) (bool, error) {
	data := output.Map{}
	for _, sm := range matches {
		data = append(data, output.Item{Key: statusKey(sm.status), Value: sm.ids})
	}
	fmt.Fprintf(k.out, "The following keys are going to be %s:\n", participle[verb])
	if err := k.display(data); err != nil {
		return false, err
	}
	if k.opts.yes {
		return true, nil
	}
	return k.ask(verb == "delete")
}

// changeKeys accepts, rejects or deletes each key and reports it; a key
// that fails is reported and the others still change. It returns the ids
// deleted, each once.
func (k *keyCLI) changeKeys(verb string, matches []statusIDs) (deleted []string) {
	for _, sm := range matches {
		for _, id := range sm.ids {
			var err error
			switch verb {
			case "accept":
				err = k.store.Move(id, sm.status, raet.Accepted)
			case "reject":
				err = k.store.Move(id, sm.status, raet.Rejected)
			case "delete":
				err = k.store.Remove(id, sm.status)
			}
			switch {
			case err == nil:
				fmt.Fprintf(k.out, "Key for minion %s %s.\n", id, participle[verb])
				k.events.fire(verb, id)
				if verb == "delete" && !slices.Contains(deleted, id) {
					deleted = append(deleted, id)
				}
			case verb == "accept" && errors.Is(err, pki.ErrInvalidKey):
				k.failed = true
				fmt.Fprintf(k.stderr, "Unable to accept invalid key for %s: %v\n", id, err)
			default:
				k.errorf("%v", err)
			}
		}
	}
	return deleted
}

func filterRank(st raet.Acceptance) int {
	switch st {
	case raet.Pending:
		return 0
	case raet.Accepted:
		return 1
	}
	return 2
}

// ask prompts as KeyCLI.run does and reads the answer from stdin: an
// empty answer takes the default (yes, or no for delete), and an answer is
// yes when it starts with y or Y. End of input before any answer is an
// error rather than the default, so that a run without a terminal never
// accepts keys nobody agreed to.
func (k *keyCLI) ask(deleting bool) (bool, error) {
	q, def := "Proceed? [n/Y] ", "y"
	if deleting {
		q, def = "Proceed? [N/y] ", "n"
	}
	fmt.Fprint(k.prompt, q)
	line, err := k.stdin.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		fmt.Fprintln(k.prompt)
		if errors.Is(err, io.EOF) {
			return false, errors.New("no answer on standard input; nothing was changed (use -y to answer yes)")
		}
		return false, fmt.Errorf("reading the answer: %w; nothing was changed", err)
	}
	answer := strings.TrimSuffix(line, "\n")
	if answer == "" {
		answer = def
	}
	return strings.HasPrefix(strings.ToLower(answer), "y"), nil
}
