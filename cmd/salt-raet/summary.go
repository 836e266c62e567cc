package main

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/client"
)

// tally counts the returns the command showed, for the summary Salt 3006
// prints with --summary and --progress (SaltCMD._print_returns_summary).
type tally struct {
	returned, notReturned int
	// The ids of the minions that did not return, not delivered ([Not
	// connected] in Salt) or with no response, and of those that
	// returned a non-zero retcode, in the order shown.
	notConnected, notResponding, failed []string
}

func (t *tally) add(r client.Return) {
	switch r.Missing {
	case "":
		t.returned++
		if r.Retcode != 0 {
			t.failed = append(t.failed, r.ID)
		}
	case client.NoResponse:
		t.notReturned++
		t.notResponding = append(t.notResponding, r.ID)
	default:
		t.notReturned++
		t.notConnected = append(t.notConnected, r.ID)
	}
}

const summaryRule = "-------------------------------------------"

// printSummary prints the summary block on stdout as Salt does, with the
// lists of minions that did not return or failed under -v.
func (s *saltCmd) printSummary(t *tally) {
	var b strings.Builder
	b.WriteString("\n\n" + summaryRule + "\nSummary\n" + summaryRule + "\n")
	fmt.Fprintf(&b, "# of minions targeted: %d\n", t.returned+t.notReturned)
	fmt.Fprintf(&b, "# of minions returned: %d\n", t.returned)
	fmt.Fprintf(&b, "# of minions that did not return: %d\n", t.notReturned)
	fmt.Fprintf(&b, "# of minions with errors: %d\n", len(t.failed))
	if s.o.verbose {
		for _, l := range []struct {
			what string
			ids  []string
		}{{"Minions not connected", t.notConnected}, {"Minions not responding", t.notResponding}, {"Minions with failures", t.failed}} {
			if len(l.ids) > 0 {
				fmt.Fprintf(&b, "%s: %s\n", l.what, strings.Join(l.ids, " "))
			}
		}
	}
	b.WriteString(summaryRule + "\n")
	fmt.Fprint(s.stdout, b.String())
}

// lookupHint is what Salt adds to "Minion did not return. [No response]"
// (get_cli_event_returns): how to read the job's returns later, with this
// suite's salt-run.
func lookupHint(jid string) string {
	return "\nThe minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:\n\nsalt-run-raet jobs.lookup_jid " + jid
}
