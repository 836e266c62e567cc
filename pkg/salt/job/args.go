package job

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// KwargKey marks the trailing mapping of an argument list that holds the
// keyword arguments (salt.utils.args.condition_input).
const KwargKey = "__kwarg__"

// ParseInput turns the salt CLI's positional arguments into the publish
// load's arg list, as salt.utils.args.parse_input(args, condition=True,
// no_parse=noParse) does (spec/salt-raet.md §3.1):
//
//   - an argument "key=value" whose key matches ^[^\d\W][\w.-]* and whose
//     '=' is not followed by another '=' is a keyword argument; its value is
//     typed by YAMLArg unless key is in noParse (--no-parse);
//   - every other argument is typed by YAMLArg;
//   - integers that read as jids become strings again (condition_input);
//   - the keyword arguments, if any, go last as ONE mapping
//     {"__kwarg__": true, key: value, ...} in the order first given (a key
//     given twice keeps its first place and its last value, as a Python
//     dict does).
//
// The result is never nil.
func ParseInput(args []string, noParse ...string) []any {
	in := make([]any, len(args))
	for i, a := range args {
		in[i] = a
	}
	return ParseArgs(in, noParse...)
}

// ParseArgs is parse_input over values that are already partly typed, as
// the master and minion apply it to a received arg list: strings are parsed
// as ParseInput does, a mapping whose "__kwarg__" is exactly true is merged
// into the keyword arguments, and anything else is kept as it is. A mapping
// loses its "__kwarg__" key whatever its value was (Salt pops it); the
// caller's values are not changed, copies are.
func ParseArgs(args []any, noParse ...string) []any {
	pos := make([]any, 0, len(args))
	var kw body.Map
	for _, a := range args {
		switch x := a.(type) {
		case string:
			if k, v, ok := ParseKwarg(x); ok {
				var val any = v
				if !slices.Contains(noParse, k) {
					val = YAMLArg(v)
				}
				kw.Set(k, val)
				continue
			}
			pos = append(pos, YAMLArg(x))
		case body.Map:
			pos, kw = mergeKwarg(pos, kw, x)
		case *body.Map:
			if x == nil {
				pos = append(pos, a)
				continue
			}
			pos, kw = mergeKwarg(pos, kw, *x)
		default:
			pos = append(pos, a)
		}
	}
	return conditionInput(pos, kw)
}

func mergeKwarg(pos []any, kw body.Map, m body.Map) ([]any, body.Map) {
	flag, had := m.Get(KwargKey)
	if !had {
		return append(pos, m), kw
	}
	rest := make(body.Map, 0, len(m)-1)
	for _, it := range m {
		if it.Key != KwargKey {
			rest = append(rest, it)
		}
	}
	if b, ok := flag.(bool); ok && b {
		for _, it := range rest {
			kw.Set(it.Key, it.Value)
		}
		return pos, kw
	}
	return append(pos, rest), kw
}

// conditionInput is salt.utils.args.condition_input: an integer whose
// decimal form is a jid goes back to being a string, and the keyword
// arguments are appended as one {"__kwarg__": true, ...} mapping.
func conditionInput(pos []any, kw body.Map) []any {
	for i, a := range pos {
		var s string
		switch n := a.(type) {
		case int64:
			s = strconv.FormatInt(n, 10)
		case uint64:
			s = strconv.FormatUint(n, 10)
		case int:
			s = strconv.Itoa(n)
		default:
			continue
		}
		if pyIntIsJID(s) {
			pos[i] = s
		}
	}
	if len(kw) == 0 {
		return pos
	}
	m := make(body.Map, 0, len(kw)+1)
	m = append(m, body.Item{Key: KwargKey, Value: true})
	m = append(m, kw...)
	return append(pos, m)
}

// pyIntIsJID is is_jid(str(n)) for an integer n: Salt reads the 20
// characters with int(), so a sign is allowed.
func pyIntIsJID(s string) bool {
	if len(s) != jidLen {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	return allDigits(s)
}

// ParseKwarg splits "key=value" as salt.utils.args.parse_kwarg does with
// the pattern ^([^\d\W][\w.-]*)=(?!=)(.*)$ (Unicode \w): the key starts with
// a letter or '_', goes on with letters, digits, '_', '.' or '-', and the
// '=' after it is not doubled. As in Python, '.' does not match a newline
// and '$' also matches before a final one, so a value with a line break
// inside is no keyword argument, and a single trailing newline is dropped.
func ParseKwarg(s string) (key, value string, ok bool) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return "", "", false
	}
	key = s[:eq]
	for i, r := range key {
		switch {
		case r == utf8.RuneError:
			return "", "", false
		case i == 0 && (py.IsDigit(r) || !py.IsWord(r)):
			return "", "", false
		case i > 0 && !py.IsWord(r) && r != '.' && r != '-':
			return "", "", false
		}
	}
	value = s[eq+1:]
	if strings.HasPrefix(value, "=") {
		return "", "", false
	}
	if nl := strings.IndexByte(value, '\n'); nl >= 0 {
		if nl != len(value)-1 {
			return "", "", false
		}
		value = value[:nl]
	}
	return key, value, true
}

// Errors of SplitCompound, worded as the salt CLI words them (it exits 42).
var (
	ErrCompoundMissingArgs = errors.New("Cannot execute compound command without defining all arguments.")
	ErrCompoundExtraArgs   = errors.New("Cannot execute compound command with more arguments than commands.")
)

// IsCompound reports whether fun names several functions ("a.b,c.d"), which
// the salt CLI sends as a compound command.
func IsCompound(fun string) bool { return strings.Contains(fun, ",") }

// SplitCompound splits a compound command as the salt CLI does
// (SaltCMDOptionParser._mixin_after_parsed): fun is split on ',' and the
// arguments are shared out with sep, the --args-separator (default ",").
// When the arguments hold exactly one standalone sep per extra function,
// each sep starts the next function's arguments ("new style"). Otherwise
// ("old style") sep may also sit inside an argument: "a,b" ends the current
// function's arguments after "a" and starts the next with "b", and empty
// pieces are dropped. Old style needs exactly one argument list per
// function. Each list is then parsed with ParseInput and noParse.
func SplitCompound(fun string, args []string, sep string, noParse ...string) (funs []string, argLists [][]any, err error) {
	if sep == "" {
		sep = ","
	}
	funs = strings.Split(fun, ",")
	raw := [][]string{{}}
	cur := 0
	standalone := 0
	for _, a := range args {
		if a == sep {
			standalone++
		}
	}
	if standalone == len(funs)-1 {
		for _, a := range args {
			if a == sep {
				cur++
				raw = append(raw, []string{})
				continue
			}
			raw[cur] = append(raw[cur], a)
		}
	} else {
		for _, a := range args {
			if !strings.Contains(a, sep) {
				raw[cur] = append(raw[cur], a)
				continue
			}
			subs := strings.Split(a, sep)
			for i, sub := range subs {
				if sub != "" {
					raw[cur] = append(raw[cur], sub)
				}
				if i != len(subs)-1 {
					cur++
					raw = append(raw, []string{})
				}
			}
		}
		switch {
		case len(funs) > len(raw):
			return nil, nil, ErrCompoundMissingArgs
		case len(funs) < len(raw):
			return nil, nil, ErrCompoundExtraArgs
		}
	}
	argLists = make([][]any, len(raw))
	for i, r := range raw {
		argLists[i] = ParseInput(r, noParse...)
	}
	return funs, argLists, nil
}

// SplitListTarget is how the salt CLI turns a -L target into a list: with a
// comma, spaces are removed and the string split on commas; without one, it
// is split on whitespace.
func SplitListTarget(tgt string) []string {
	if strings.Contains(tgt, ",") {
		return strings.Split(strings.ReplaceAll(tgt, " ", ""), ",")
	}
	return strings.Fields(tgt)
}
