package job

import (
	"errors"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// ErrBadLoad reports a load received from the network that lacks what it
// must have or has a field of the wrong type.
var ErrBadLoad = errors.New("job: malformed load")

func badLoad(what, format string, args ...any) error {
	return fmt.Errorf("%w: %s: "+format, append([]any{ErrBadLoad, what}, args...)...)
}

// DefaultTargetDelim is the delimiter of nested keys in grain and pillar
// targets (salt.defaults.DEFAULT_TARGET_DELIM).
const DefaultTargetDelim = ":"

// Publish holds what the salt CLI puts in a publish load.
type Publish struct {
	Tgt     any    // target: a string, or a list of ids for -L
	Fun     any    // function: a string, or a list for a compound command
	Arg     []any  // from ParseInput; a list of such lists for a compound command
	Key     string // the publishing user's key, <cachedir>/.<user>_key
	TgtType string // glob, pcre, list, grain, ...; "" means glob
	Ret     string // returners, comma separated; usually ""
	JID     string // "" lets the master allocate one
	// Kwargs are the extra keywords of LocalClient.pub (CLIKwargs gives the
	// CLI's); nil or empty leaves "kwargs" out, as Salt does.
	Kwargs body.Map
	User   string // "root", or "sudo_<user>"; "" leaves "user" out
	To     *int   // timeout, sent only when order_masters (syndic) is on
}

// PublishLoad is the load the salt CLI sends to the master's local_cmd
// share, built as LocalClient._prep_pub builds it (spec/salt-raet.md §3.1,
// salt-payloads/publish-load-cli.json): cmd, tgt, fun, arg, key, tgt_type,
// ret, jid, then kwargs, user and to when present.
func PublishLoad(p Publish) body.Map {
	arg := p.Arg
	if arg == nil {
		arg = []any{}
	}
	tgtType := p.TgtType
	if tgtType == "" {
		tgtType = "glob"
	}
	m := body.Map{
		{Key: "cmd", Value: "publish"},
		{Key: "tgt", Value: p.Tgt},
		{Key: "fun", Value: p.Fun},
		{Key: "arg", Value: arg},
		{Key: "key", Value: p.Key},
		{Key: "tgt_type", Value: tgtType},
		{Key: "ret", Value: p.Ret},
		{Key: "jid", Value: p.JID},
	}
	if len(p.Kwargs) > 0 {
		m = append(m, body.Item{Key: "kwargs", Value: p.Kwargs})
	}
	if p.User != "" {
		m = append(m, body.Item{Key: "user", Value: p.User})
	}
	if p.To != nil {
		m = append(m, body.Item{Key: "to", Value: *p.To})
	}
	return m
}

// CLIKwargs are the kwargs the salt CLI publishes with (SaltCMD.run):
// show_timeout (true unless --hide-timeout), show_jid (--show-jid),
// delimiter (--delimiter, default ":"), and, under RAET, listen: true,
// which lands in kwargs because the RAET LocalClient.pub has no listen
// parameter.
func CLIKwargs(showTimeout, showJID bool, delimiter string, raet bool) body.Map {
	if delimiter == "" {
		delimiter = DefaultTargetDelim
	}
	m := body.Map{
		{Key: "show_timeout", Value: showTimeout},
		{Key: "show_jid", Value: showJID},
		{Key: "delimiter", Value: delimiter},
	}
	if raet {
		m = append(m, body.Item{Key: "listen", Value: true})
	}
	return m
}

// CheckPublish checks a publish load received from a client before the
// master acts on it: cmd "publish"; fun a string or a non-empty list of
// strings; tgt a string or a list of strings; arg a list; tgt_type, ret and
// user strings when present; jid "" or a jid; kwargs a mapping when
// present.
func CheckPublish(m body.Map) error {
	const what = "publish"
	if cmd, _ := m.String("cmd"); cmd != "publish" {
		return badLoad(what, "cmd is %s, not \"publish\"", describe(m, "cmd"))
	}
	if err := checkFun(what, m); err != nil {
		return err
	}
	switch t, _ := m.Get("tgt"); x := t.(type) {
	case string:
	case []any:
		if !allStrings(x) {
			return badLoad(what, "tgt is a list with an item that is not a string")
		}
	case []string:
	default:
		return badLoad(what, "tgt is %s, not a string or list", describe(m, "tgt"))
	}
	if a, _ := m.Get("arg"); !isList(a) {
		return badLoad(what, "arg is %s, not a list", describe(m, "arg"))
	}
	for _, k := range [...]string{"tgt_type", "ret", "user"} {
		if v, ok := m.Get(k); ok {
			if _, isStr := v.(string); !isStr {
				return badLoad(what, "%s is %s, not a string", k, describe(m, k))
			}
		}
	}
	if v, ok := m.Get("jid"); ok && v != nil {
		s, isStr := v.(string)
		if !isStr || (s != "" && !IsJID(s)) {
			return badLoad(what, "jid is %s, not a jid", describe(m, "jid"))
		}
	}
	if v, ok := m.Get("kwargs"); ok && v != nil {
		if _, isMap := m.Map("kwargs"); !isMap {
			return badLoad(what, "kwargs is %s, not a mapping", describe(m, "kwargs"))
		}
	}
	return nil
}

// JobTag is salt.utils.event.tagify([jid, parts...], "job"):
// "salt/job/<jid>/<parts...>".
func JobTag(jid string, parts ...string) string {
	return "salt/job/" + strings.Join(append([]string{jid}, parts...), "/")
}

// NewJobTag is the tag of the event announcing a job: salt/job/<jid>/new.
func NewJobTag(jid string) string { return JobTag(jid, "new") }

// RetTag is the tag of a minion's return event: salt/job/<jid>/ret/<id>.
func RetTag(jid, id string) string { return JobTag(jid, "ret", id) }

// NewJobEvent is the data of salt/job/<jid>/new: {jid, tgt_type, tgt,
// user, fun, arg, minions, missing} taken from the publish load once its
// jid is set, as Salt 3006's _prep_pub builds it (2018.3's
// salt-payloads/event-new.json had no "missing"). minions is every
// targeted minion, not only the connected ones; missing the ids a list
// target named that have no accepted key. The master's event bus adds the
// "_stamp".
func NewJobEvent(load body.Map, minions, missing []string) body.Map {
	get := func(k string) any { v, _ := load.Get(k); return v }
	return body.Map{
		{Key: "jid", Value: get("jid")},
		{Key: "tgt_type", Value: get("tgt_type")},
		{Key: "tgt", Value: get("tgt")},
		{Key: "user", Value: get("user")},
		{Key: "fun", Value: get("fun")},
		{Key: "arg", Value: get("arg")},
		{Key: "minions", Value: nonNil(minions)},
		{Key: "missing", Value: nonNil(missing)},
	}
}

// MinionsEvent is the data the master fires under the bare tag <jid> when a
// job is published: {minions: [...]}.
func MinionsEvent(minions []string) body.Map {
	return body.Map{{Key: "minions", Value: nonNil(minions)}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ReturnCmd is the cmd of a return load.
const ReturnCmd = "_return"

// ReqJID is the jid of a job a minion started on its own (salt-call, the
// scheduler); the master allocates a real one when it stores the return.
const ReqJID = "req"

// Return is one minion's return of a job (spec/salt-raet.md §4.1).
type Return struct {
	Success bool
	Return  any
	// Retcode is nil when the load has none: the RAET jobber leaves it out
	// when the function raised.
	Retcode *int64
	JID     string
	// Fun is the function, a string (a list for a compound command).
	Fun any
	// FunArgs is the published arg list, with "__kwarg__" already popped
	// from its keyword mapping by the minion's parse_input.
	FunArgs []any
	ID      string
	// Out names the outputter the function declares ("nested",
	// "highstate"); "" for none.
	Out string
	// Metadata is the publish's metadata, which the ZeroMQ minion copies
	// into its returns (the RAET jobber does not); nil for none.
	Metadata any
	// Load is the load as received, set by ParseReturn: what the master
	// fires as the event and hands to SaveReturn.
	Load body.Map
}

// ReturnLoad is the return load a minion sends to the master's remote_cmd
// share, in the order the RAET jobber fills it (SaltRaetNixJobber.proc_run
// and _return_pub, salt-payloads/return-load.json): success, return,
// retcode, jid, fun, fun_args, cmd, id, then out and metadata when set.
func ReturnLoad(r Return) body.Map {
	funArgs := r.FunArgs
	if funArgs == nil {
		funArgs = []any{}
	}
	m := make(body.Map, 0, 10)
	m = append(m, body.Item{Key: "success", Value: r.Success}, body.Item{Key: "return", Value: r.Return})
	if r.Retcode != nil {
		m = append(m, body.Item{Key: "retcode", Value: *r.Retcode})
	}
	m = append(m,
		body.Item{Key: "jid", Value: r.JID},
		body.Item{Key: "fun", Value: r.Fun},
		body.Item{Key: "fun_args", Value: funArgs},
		body.Item{Key: "cmd", Value: ReturnCmd},
		body.Item{Key: "id", Value: r.ID},
	)
	if r.Out != "" {
		m = append(m, body.Item{Key: "out", Value: r.Out})
	}
	if r.Metadata != nil {
		m = append(m, body.Item{Key: "metadata", Value: r.Metadata})
	}
	return m
}

// ParseReturn reads a return load received from a minion. Like
// RemoteFuncs._return it needs "return", "jid" and "id"; unlike it, it also
// refuses what the master could not store or would trip over: a jid that
// is neither a jid nor "req", an id that is not a string or could not name
// a directory (ValidID), and optional fields of the wrong type (success
// not a bool, retcode not an integer (a compound command's may be mappings
// of them, by function), out not a string, fun not a string or
// list of strings, fun_args not a list). The error says which field is
// wrong and how.
func ParseReturn(m body.Map) (Return, error) {
	const what = "return"
	var r Return
	if m == nil {
		return r, badLoad(what, "no load")
	}
	for _, k := range [...]string{"return", "jid", "id"} {
		if !m.Has(k) {
			return r, badLoad(what, "no %q", k)
		}
	}
	r.Return, _ = m.Get("return")
	jid, ok := m.String("jid")
	if !ok {
		return r, badLoad(what, "jid is %s, not a string", describe(m, "jid"))
	}
	if jid != ReqJID && !IsJID(jid) {
		return r, badLoad(what, "jid %q is not a jid", jid)
	}
	r.JID = jid
	id, ok := m.String("id")
	if !ok {
		return r, badLoad(what, "id is %s, not a string", describe(m, "id"))
	}
	if err := ValidID(id); err != nil {
		return r, badLoad(what, "%v", err)
	}
	r.ID = id
	if v, ok := m.Get("success"); ok {
		b, isBool := multiSuccess(v)
		if !isBool {
			return r, badLoad(what, "success is %s, not a bool (or a mapping of them)", describe(m, "success"))
		}
		r.Success = b
	}
	if m.Has("retcode") {
		n, ok := multiRetcode(m)
		if !ok {
			return r, badLoad(what, "retcode is %s, not an integer (or a mapping of them)", describe(m, "retcode"))
		}
		r.Retcode = &n
	}
	if m.Has("fun") {
		if err := checkFun(what, m); err != nil {
			return r, err
		}
		r.Fun, _ = m.Get("fun")
	}
	if v, ok := m.Get("fun_args"); ok {
		l, isList := v.([]any)
		if !isList && v != nil {
			return r, badLoad(what, "fun_args is %s, not a list", describe(m, "fun_args"))
		}
		r.FunArgs = l
	}
	if v, ok := m.Get("out"); ok {
		s, isStr := v.(string)
		if !isStr {
			return r, badLoad(what, "out is %s, not a string", describe(m, "out"))
		}
		r.Out = s
	}
	r.Metadata, _ = m.Get("metadata")
	r.Load = m
	return r, nil
}

// checkFun accepts a function name or a non-empty list of them.
func checkFun(what string, m body.Map) error {
	switch f, _ := m.Get("fun"); x := f.(type) {
	case string:
		if x == "" {
			return badLoad(what, "fun is empty")
		}
		return nil
	case []any:
		if len(x) == 0 || !allStrings(x) {
			return badLoad(what, "fun is a list that is empty or holds something other than strings")
		}
		return nil
	case []string:
		if len(x) == 0 {
			return badLoad(what, "fun is an empty list")
		}
		return nil
	}
	return badLoad(what, "fun is %s, not a string or list", describe(m, "fun"))
}

func allStrings(l []any) bool {
	for _, v := range l {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

func isList(v any) bool {
	switch v.(type) {
	case []any, []string:
		return true
	}
	return false
}

// describe names the type of a field the way a Python user would read it.
func describe(m body.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return "missing"
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("a bool (%v)", x)
	case int64, uint64, int:
		return fmt.Sprintf("an int (%v)", x)
	case float64:
		return fmt.Sprintf("a float (%v)", x)
	case string:
		return fmt.Sprintf("a str (%q)", x)
	case []byte:
		return "bytes"
	case []any, []string:
		return "a list"
	case body.Map, map[any]any:
		return "a mapping"
	}
	return fmt.Sprintf("a %T", v)
}
