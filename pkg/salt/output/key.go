package output

import (
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The ANSI sequences of salt.utils.color.get_colors, as salt.textformat
// builds them: every sequence starts with a reset (0), and the LIGHT_
// colours are bold.
const (
	colorGreen        = "\x1b[0;32m"
	colorLightGreen   = "\x1b[0;1;32m"
	colorRed          = "\x1b[0;31m"
	colorLightRed     = "\x1b[0;1;31m"
	colorBlue         = "\x1b[0;34m"
	colorLightBlue    = "\x1b[0;1;34m"
	colorMagenta      = "\x1b[0;35m"
	colorLightMagenta = "\x1b[0;1;35m"
	colorEnd          = "\x1b[0;0m"
)

// keyStatus is how the key outputter shows one status (salt/output/key.py,
// the branch of the transports Salt 3006 knows, zeromq and tcp: salt-key
// names the statuses as Salt 3006 does, so that scripts parsing its output
// work unchanged on RAET).
type keyStatus struct {
	heading      string
	headingColor string
	idColor      string
}

var keyStatuses = map[string]keyStatus{
	"minions":          {"Accepted Keys:", colorLightGreen, colorGreen},
	"minions_pre":      {"Unaccepted Keys:", colorLightRed, colorRed},
	"minions_rejected": {"Rejected Keys:", colorLightBlue, colorBlue},
	"minions_denied":   {"Denied Keys:", colorLightMagenta, colorMagenta},
	"local":            {"Local Keys:", colorLightMagenta, colorMagenta},
}

// Key is the key outputter (salt/output/key.py) with Salt 3006's key
// statuses: data maps a status (minions, minions_pre, minions_rejected,
// minions_denied or local) to a list of ids, or to a mapping of id to a
// text (a key for -p, a fingerprint for -f). Statuses are written in sorted
// order — Local, Accepted (minions), Denied, Unaccepted (minions_pre),
// Rejected — each under its heading, then its ids in sorted
// order, one per line, as "<id>" or "<id>:  <text>". An escape character in
// an id is shown as '?' (strip_colors). With opts.Color the headings and
// ids are coloured as in Salt 3006.
func Key(data Map, opts Options) (string, error) {
	var b strings.Builder
	items := slices.Clone(data)
	slices.SortStableFunc(items, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
	for _, it := range items {
		st, ok := keyStatuses[it.Key]
		if !ok {
			return "", fmt.Errorf("output: key: unknown key status %q", it.Key)
		}
		head, idc, end := "", "", ""
		if opts.Color {
			head, idc, end = st.headingColor, st.idColor, colorEnd
		}
		b.WriteString(head + st.heading + end + "\n")
		if texts, ok := py.DictItems(it.Value); ok {
			texts = slices.Clone(texts)
			slices.SortStableFunc(texts, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
			for _, t := range texts {
				b.WriteString(idc + stripEsc(t.Key) + ":  " + py.Str(t.Value) + end + "\n")
			}
			continue
		}
		list, ok := py.ListItems(it.Value)
		if !ok {
			return "", fmt.Errorf("output: key: status %q holds %T, not a list or a mapping of ids", it.Key, it.Value)
		}
		ids := make([]string, len(list))
		for i, x := range list {
			ids[i] = py.Str(x)
		}
		slices.Sort(ids)
		for _, id := range ids {
			b.WriteString(idc + stripEsc(id) + end + "\n")
		}
	}
	return b.String(), nil
}

// stripEsc is salt.output.strip_esc_sequence: an id cannot send escape
// sequences to the operator's terminal.
func stripEsc(s string) string { return strings.ReplaceAll(s, "\x1b", "?") }
