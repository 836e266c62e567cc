package auth

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// regexps caches the compiled patterns of the ACLs, which come from the
// master's configuration (a bounded set), never from a client.
var regexps sync.Map // string → *regexp.Regexp (nil when invalid)

func compiled(pattern string) *regexp.Regexp {
	if v, ok := regexps.Load(pattern); ok {
		return v.(*regexp.Regexp)
	}
	re, err := py.CompileRegexp(pattern)
	if err != nil {
		re = nil
	}
	regexps.Store(pattern, re)
	return re
}

// matchCheck is CkMinions.match_check for one function: Python's
// re.match, anchored at the start only ("test" allows "test.ping"). A
// pattern that is not a string or not a valid expression matches nothing.
func matchCheck(pattern any, fun string) bool {
	p, ok := pattern.(string)
	if !ok {
		return false
	}
	re := compiled(p)
	return re != nil && re.MatchString(fun)
}

// ExprMatch is salt.utils.stringutils.expr_match(line, expr): expr as a
// glob, then as a whole-string regular expression.
func ExprMatch(line, expr string) bool {
	if py.Fnmatch(line, expr) {
		return true
	}
	re := compiled(`(?:` + expr + `)\Z`)
	return re != nil && re.MatchString(line)
}

// isPlainName reports whether a publisher_acl key is a user name rather
// than a pattern (masterapi.access_keys makes keys for names).
func isPlainName(s string) bool {
	return s != "" && !strings.ContainsAny(s, `*?[]{}()|\^$+.`)
}

// list is a value read as a list; a lone string is a list of itself (Salt
// would extend with its characters, each then a pattern).
func list(v any) []any {
	if s, ok := v.(string); ok {
		return []any{s}
	}
	l, _ := py.ListItems(v)
	return l
}

// FillAuthList is CkMinions.fill_auth_list: the entries of one eauth's
// configuration for the user name, the "<group>%" entries of the user's
// groups, and "*" for a user without an entry of their own (and for every
// user when permissive). The user's entry is the key equal to the name:
// see the package doc for Salt's reversed expr_match.
func FillAuthList(provider body.Map, name string, groups []string, permissive bool) []any {
	authList := []any{}
	matched := false
	for _, it := range provider {
		switch {
		case it.Key == "*" && !permissive:
			continue
		case strings.HasSuffix(it.Key, "%"):
			if slices.Contains(groups, strings.TrimRight(it.Key, "%")) {
				authList = append(authList, list(it.Value)...)
			}
		case it.Key == name:
			matched = true
			authList = append(authList, list(it.Value)...)
		}
	}
	if !permissive && !matched {
		if v, ok := provider.Get("*"); ok {
			authList = append(authList, list(v)...)
		}
	}
	return authList
}

// ValuesOfMatchingKeys is salt.utils.master.get_values_of_matching_keys:
// the entries of every publisher_acl key (a glob or regular expression)
// that matches the user.
func ValuesOfMatchingKeys(patterns body.Map, user string) []any {
	out := []any{}
	for _, it := range patterns {
		if ExprMatch(user, it.Key) {
			out = append(out, list(it.Value)...)
		}
	}
	return out
}

// single is a one-key dict entry of an ACL: its key and value.
func single(v any) (string, any, bool) {
	m, ok := py.DictItems(v)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	return m[0].Key, m[0].Value, true
}

// AuthCheck is CkMinions.auth_check for a publish: fun a function name or
// a list of them (a compound command, arg then a list of argument lists),
// against the auth list's entries: a pattern allows the function on every
// minion; {target: [funs or {fun: {args, kwargs}}]} allows it when every
// targeted minion (minions; else a.Minions's expansion of tgt) is matched
// by the compound expression target. Every function of a compound
// command must be allowed (Salt allows the lot when one is).
func (a *LoadAuth) AuthCheck(authList []any, fun, arg any, tgt any, tgtType string, minions []string) bool {
	funs, args := []any{fun}, []any{arg}
	if fl, ok := fun.([]any); ok {
		funs = fl
		al, ok := arg.([]any)
		if !ok || len(al) < len(funs) {
			return false
		}
		args = al
	}
	if len(funs) == 0 {
		return false
	}
	for num, f := range funs {
		s, ok := f.(string)
		if !ok || !a.funAllowed(authList, s, args[num], tgt, tgtType, minions) {
			return false
		}
	}
	return true
}

func (a *LoadAuth) funAllowed(authList []any, fun string, arg, tgt any, tgtType string, minions []string) bool {
	for _, ind := range authList {
		if s, ok := ind.(string); ok {
			if matchCheck(s, fun) {
				return true
			}
			continue
		}
		valid, funs, ok := single(ind)
		if !ok || !a.validateTgt(valid, tgt, tgtType, minions) {
			continue
		}
		funArgs, _ := py.ListItems(arg)
		var funKwargs body.Map
		if n := len(funArgs); n > 0 {
			if kw, ok := py.DictItems(funArgs[n-1]); ok && kw.Has("__kwarg__") {
				funKwargs = kw
				funArgs = funArgs[:n-1]
			}
		}
		if funCheck(funs, fun, funArgs, funKwargs, funKwargs != nil) {
			return true
		}
	}
	return false
}

// validateTgt is CkMinions.validate_tgt: every targeted minion is one the
// entry's compound expression matches.
func (a *LoadAuth) validateTgt(valid string, tgt any, tgtType string, minions []string) bool {
	if minions == nil {
		if a.Minions == nil {
			return false
		}
		var err error
		if minions, err = a.Minions(tgt, tgtType); err != nil {
			return false
		}
	}
	match := a.TargetMatch
	if match == nil {
		match = func(expr, id string) (bool, error) { return target.Match("compound", expr, id, nil) }
	}
	for _, id := range minions {
		if ok, err := match(valid, id); err != nil || !ok {
			return false
		}
	}
	return true
}

// funCheck is CkMinions.__fun_check: a function pattern, or {pattern:
// argument specs}, in valid (a list or one).
func funCheck(valid any, fun string, args []any, kwargs body.Map, hasKwargs bool) bool {
	conds := list(valid)
	if conds == nil {
		conds = []any{valid}
	}
	for _, cond := range conds {
		if s, ok := cond.(string); ok {
			if matchCheck(s, fun) {
				return true
			}
			continue
		}
		fname, spec, ok := single(cond)
		if ok && matchCheck(fname, fun) && argsCheck(spec, args, kwargs, hasKwargs) {
			return true
		}
	}
	return false
}

// argsCheck is CkMinions.__args_check: {args: [patterns], kwargs:
// {name: pattern}} (a list of them, any one enough); a None pattern takes
// any value, and every named argument must be given.
func argsCheck(valid any, args []any, kwargs body.Map, hasKwargs bool) bool {
	conds := list(valid)
	if conds == nil {
		conds = []any{valid}
	}
	for _, c := range conds {
		cond, ok := py.DictItems(c)
		if !ok {
			continue
		}
		if condArgsMatch(cond, args) && condKwargsMatch(cond, kwargs, hasKwargs) {
			return true
		}
	}
	return false
}

func condArgsMatch(cond body.Map, args []any) bool {
	v, _ := cond.Get("args")
	for i, want := range list(v) {
		if i >= len(args) {
			return false
		}
		if want != nil && !matchCheck(want, py.Str(args[i])) {
			return false
		}
	}
	return true
}

func condKwargsMatch(cond body.Map, kwargs body.Map, hasKwargs bool) bool {
	v, _ := cond.Get("kwargs")
	want, _ := py.DictItems(v)
	for _, it := range want {
		got, ok := kwargs.Get(it.Key)
		if !hasKwargs || !ok {
			return false
		}
		if it.Value != nil && !matchCheck(it.Value, py.Str(got)) {
			return false
		}
	}
	return true
}

// RunnerCheck is CkMinions.runner_check; args is the request's kwarg dict
// (its "arg" and "kwarg" are what argument specs look at).
func RunnerCheck(authList []any, fun string, args body.Map) (bool, *Error) {
	return SpecCheck(authList, fun, args, "runner")
}

// WheelCheck is CkMinions.wheel_check.
func WheelCheck(authList []any, fun string, args body.Map) (bool, *Error) {
	return SpecCheck(authList, fun, args, "wheel")
}

// SpecCheck is CkMinions.spec_check: "@<form>", "@<form>s" and
// "@<module>" (such as "@jobs") allow the function; {"@<module>": [funs]}
// checks the function's name, {"@<form>": [funs]} its whole
// module.function. A function that is not module.function is Salt's
// SaltInvocationError.
func SpecCheck(authList []any, fun string, args body.Map, form string) (bool, *Error) {
	if len(authList) == 0 {
		return false, nil
	}
	modName, funName := fun, fun
	if form != "cloud" {
		comps := strings.Split(fun, ".")
		if len(comps) != 2 {
			return false, &Error{ErrNameSaltInvocation, "A command invocation error occurred: Check syntax."}
		}
		modName, funName = comps[0], comps[1]
	}
	isForm := func(s string) bool { return s[1:] == form || s == "@"+form+"s" }
	argv, _ := args.Get("arg")
	argList, _ := py.ListItems(argv)
	kwv, hasKw := args.Get("kwarg")
	kw, isDict := py.DictItems(kwv)
	hasKw = hasKw && isDict
	for _, ind := range authList {
		if s, ok := ind.(string); ok {
			if strings.HasPrefix(s, "@") && (s[1:] == modName || isForm(s)) {
				return true, nil
			}
			continue
		}
		valid, funs, ok := single(ind)
		if !ok || !strings.HasPrefix(valid, "@") {
			continue
		}
		if valid[1:] == modName && funCheck(funs, funName, argList, kw, hasKw) {
			return true, nil
		}
		if isForm(valid) && funCheck(funs, fun, argList, kw, hasKw) {
			return true, nil
		}
	}
	return false, nil
}

// Perms are the permissions rest_cherrypy's /login shows for a token
// (salt.netapi.sum_permissions, then sorted_permissions): the user's
// entry, "*", and the entries of the user's groups, in the eauth's
// configuration; strings first, sorted, then the rest sorted by their
// repr, each once. Empty is shown as {} by /login.
func (a *LoadAuth) Perms(tok Token) []any {
	eauth, _ := tok.String("eauth")
	cfg, _ := a.opts.eauthConfig(eauth)
	nameV, _ := tok.Get("name")
	name := py.Str(nameV)
	var perms []any
	if v, ok := cfg.Get(name); ok {
		perms = append(perms, list(v)...)
	}
	if v, ok := cfg.Get("*"); ok {
		perms = append(perms, list(v)...)
	}
	gv, _ := tok.Get("groups")
	groups, _ := py.ListItems(gv)
	seen := map[string]bool{}
	for _, g := range groups {
		gs := py.Str(g)
		if v, ok := cfg.Get(gs + "%"); ok && !seen[gs] {
			seen[gs] = true
			perms = append(perms, list(v)...)
		}
	}
	return SortedPermissions(perms)
}

// SortedPermissions is salt.netapi.sorted_permissions.
func SortedPermissions(perms []any) []any {
	var strs []string
	var others []any
	reprs := map[string]bool{}
	for _, p := range perms {
		if s, ok := p.(string); ok {
			if !slices.Contains(strs, s) {
				strs = append(strs, s)
			}
			continue
		}
		if r := py.ReprSorted(p); !reprs[r] {
			reprs[r] = true
			others = append(others, p)
		}
	}
	sort.Strings(strs)
	sort.SliceStable(others, func(i, j int) bool { return py.Repr(others[i]) < py.Repr(others[j]) })
	out := make([]any, 0, len(strs)+len(others))
	for _, s := range strs {
		out = append(out, s)
	}
	return append(out, others...)
}
