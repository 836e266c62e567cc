package modules

import (
	"context"
	"reflect"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// FetchPillar asks the master for a fresh pillar of this minion, compiled
// from pillarenv ("" for the minion's own setting) with override merged
// over it (nil for none), as salt.pillar.get_pillar(...).compile_pillar()
// does for pillar.items.
type FetchPillar func(ctx context.Context, pillarenv string, override map[string]any) (map[string]any, error)

// pillarFuncs is Salt's pillar module (salt/modules/pillar.py) without its
// external-pillar and encryption parts: items, ls and data ask the master
// for a fresh pillar; get, item and raw read the pillar in memory, unless
// get or item is given an environment. It is loaded only for a minion that
// has a pillar (Options.Pillar).
func pillarFuncs(opts Options) []Func {
	if opts.Pillar == nil {
		return nil
	}
	items := Func{
		Name: "pillar.items", VarArgs: true, VarKwargs: true,
		Doc:  "Call the master for a fresh pillar and return it; pillar= is data that overrides the pillar, pillarenv= picks one environment. With arguments, pillar.item.\n\nCLI Example: salt '*' pillar.items",
		Call: pillarItems,
	}
	data := items
	data.Name = "pillar.data"
	return []Func{
		{
			Name: "pillar.get",
			Params: []Param{{Name: "key", Required: true}, {Name: "default", Default: notSet{}},
				{Name: "merge", Default: false}, {Name: "merge_nested_lists", Default: nil},
				{Name: "delimiter", Default: target.DefaultDelimiter}, {Name: "pillarenv", Default: nil},
				{Name: "saltenv", Default: nil}},
			Doc:  "Return the value of a pillar key, walking nested mappings and lists along key split on ':'; default (\"\") when it is missing; merge=True merges a dict or list default with the value.\n\nCLI Example: salt '*' pillar.get pkg:apache",
			Call: pillarGet,
		},
		items,
		data,
		{
			Name: "pillar.item", VarArgs: true, VarKwargs: true,
			Doc:  "Return the named pillar keys as {key: value} from the pillar in memory; a key may be a nested path, and default= is used for missing ones.\n\nCLI Example: salt '*' pillar.item foo bar:baz",
			Call: func(c *Call) (any, error) { return pillarItem(c, c.Args, c.Kwargs) },
		},
		{
			Name: "pillar.raw", Params: []Param{{Name: "key", Default: nil}},
			Doc:  "Return the raw pillar data that is currently loaded into the minion.\n\nContrast with :py:func:`items` which calls the master to fetch the most\nup-to-date Pillar.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' pillar.raw\n\nWith the optional key argument, you can select a subtree of the\npillar raw data.::\n\n    salt '*' pillar.raw key='roles'",
			Call: pillarRaw,
		},
		{
			Name: "pillar.ls", PyName: "ls", VarArgs: true,
			Doc:  ".. versionadded:: 2015.8.0\n\nCalls the master for a fresh pillar, generates the pillar data on the\nfly (same as :py:func:`items`), but only shows the available main keys.\n\nCLI Examples:\n\n.. code-block:: bash\n\n    salt '*' pillar.ls",
			Call: pillarLs,
		},
	}
}

// notSet is pillar.get's NOT_SET default: "" unless the caller gave one.
type notSet struct{}

// Pillar returns the minion's pillar in memory through the Executor's
// provider.
func (c *Call) Pillar() map[string]any {
	if c.exec.opts.Pillar == nil {
		return map[string]any{}
	}
	if p := c.exec.opts.Pillar(); p != nil {
		return p
	}
	return map[string]any{}
}

// freshPillar is items(pillarenv=..., pillar=...): a pillar compiled by
// the master now, or the one in memory when the minion has no master to
// ask (salt-call --local reads its own pillar_roots instead).
func (c *Call) freshPillar(pillarenv any, override any) (map[string]any, error) {
	fetch := c.exec.opts.FetchPillar
	if fetch == nil {
		return c.Pillar(), nil
	}
	env := ""
	if pillarenv != nil {
		env = py.Str(pillarenv)
	}
	var o map[string]any
	if d, ok := py.DictItems(override); ok { // RemotePillar drops one that is not a dict
		o = make(map[string]any, len(d))
		for _, it := range d {
			o[it.Key] = it.Value
		}
	}
	p, err := fetch(c.Ctx, env, o)
	if err != nil {
		if c.Ctx.Err() != nil {
			return nil, err
		}
		return nil, &Exception{Type: "SaltClientError", Msg: err.Error()}
	}
	if p == nil {
		p = map[string]any{}
	}
	return p, nil
}

func pillarItems(c *Call) (any, error) {
	if len(c.Args) > 0 {
		return pillarItem(c, c.Args, nil) // items(*args) is item(*args), without the kwargs
	}
	pillarenv, _ := c.Kwargs.Get("pillarenv")
	override, _ := c.Kwargs.Get("pillar")
	if enc, _ := c.Kwargs.Get("pillar_enc"); py.Truthy(override) && py.Truthy(enc) {
		return nil, cmdErr("Failed to decrypt pillar override: pillar_enc is not supported by this minion")
	}
	p, err := c.freshPillar(pillarenv, override)
	if err != nil {
		return nil, err
	}
	out, _ := py.DictItems(p)
	return out, nil
}

// pillarDict is the pillar get and item read: the one in memory, or a
// fresh one when an environment is named.
func pillarDict(c *Call, saltenv, pillarenv any) (map[string]any, error) {
	if saltenv == nil && pillarenv == nil {
		return c.Pillar(), nil
	}
	return c.freshPillar(pillarenv, nil)
}

func pillarItem(c *Call, args []any, kwargs body.Map) (any, error) {
	def, ok := kwargs.Get("default")
	if !ok {
		def = ""
	}
	delim := target.DefaultDelimiter
	if d, ok := kwargs.Get("delimiter"); ok {
		delim = py.Str(d)
	}
	saltenv, _ := kwargs.Get("saltenv")
	pillarenv, _ := kwargs.Get("pillarenv")
	p, err := pillarDict(c, saltenv, pillarenv)
	if err != nil {
		return nil, err
	}
	out := body.Map{}
	for _, a := range args {
		key := py.Str(a)
		out.Set(key, target.Traverse(p, key, delim, def))
	}
	return out, nil
}

func pillarGet(c *Call) (any, error) {
	def := c.Arg("default")
	if _, ok := def.(notSet); ok {
		def = "" // pillar_raise_on_missing is off
	}
	key, delim := py.Str(c.Arg("key")), py.Str(c.Arg("delimiter"))
	p, err := pillarDict(c, c.Arg("saltenv"), c.Arg("pillarenv"))
	if err != nil {
		return nil, err
	}
	if isTrue(c.Arg("merge")) {
		if v, ok := mergeDefault(p, key, delim, def, py.Truthy(c.Arg("merge_nested_lists"))); ok {
			return v, nil
		}
	}
	return target.Traverse(p, key, delim, def), nil
}

// mergeDefault is pillar.get's merge=True: a dict default updated
// (recursively) with a dict value, a list default extended with the
// members of a list value it lacks. Any other pairing is skipped, as Salt
// logs and skips it.
func mergeDefault(p map[string]any, key, delim string, def any, mergeLists bool) (any, bool) {
	if d, ok := py.DictItems(def); ok {
		if v, ok := py.DictItems(target.Traverse(p, key, delim, body.Map{})); ok {
			return dictUpdate(deepCopy(d).(body.Map), v, mergeLists), true
		}
		return nil, false
	}
	if l, ok := def.([]any); ok {
		if v, ok := target.Traverse(p, key, delim, []any{}).([]any); ok {
			return extendUnique(deepCopy(l).([]any), v), true
		}
	}
	return nil, false
}

// dictUpdate is salt.utils.dictupdate.update(dest, upd, merge_lists):
// nested mappings are merged, lists replaced (or extended when
// mergeLists), anything else replaced. When the two share no key, upd's
// items are simply added.
func dictUpdate(dest, upd body.Map, mergeLists bool) body.Map {
	for _, it := range upd {
		old, _ := dest.Get(it.Key)
		od, oIsMap := py.DictItems(old)
		nd, nIsMap := py.DictItems(it.Value)
		ol, oIsList := old.([]any)
		nl, nIsList := it.Value.([]any)
		switch {
		case oIsMap && nIsMap:
			dest.Set(it.Key, dictUpdate(append(body.Map(nil), od...), nd, mergeLists))
		case oIsList && nIsList && mergeLists:
			dest.Set(it.Key, extendUnique(append([]any(nil), ol...), nl))
		default:
			dest.Set(it.Key, it.Value)
		}
	}
	return dest
}

func extendUnique(dst, add []any) []any {
	for _, x := range add {
		found := false
		for _, y := range dst {
			if reflect.DeepEqual(x, y) {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, x)
		}
	}
	return dst
}

// deepCopy copies mappings (as body.Map) and lists, so that a merge does
// not write into the caller's default.
func deepCopy(v any) any {
	if d, ok := py.DictItems(v); ok {
		out := make(body.Map, len(d))
		for i, it := range d {
			out[i] = body.Item{Key: it.Key, Value: deepCopy(it.Value)}
		}
		return out
	}
	if l, ok := v.([]any); ok {
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

func pillarRaw(c *Call) (any, error) {
	p := c.Pillar()
	if key := c.Arg("key"); py.Truthy(key) {
		if v, ok := p[py.Str(key)]; ok {
			return v, nil
		}
		return body.Map{}, nil
	}
	out, _ := py.DictItems(p)
	return out, nil
}

func pillarLs(c *Call) (any, error) {
	if len(c.Args) > 0 {
		out := []any{}
		seen := map[string]bool{}
		for _, a := range c.Args {
			if k := py.Str(a); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		return out, nil
	}
	p, err := c.freshPillar(nil, nil)
	if err != nil {
		return nil, err
	}
	out, _ := py.DictItems(p)
	return toAnyList(out.Keys()), nil
}

// refreshPillarFunc is saltutil.refresh_pillar (and its alias
// pillar_refresh): the minion fetches its pillar again. Without wait it
// returns at once; with wait it waits up to timeout seconds, and, as Salt,
// answers True either way (a refresh that did not finish is only logged by
// Salt). A minion that cannot refresh answers False, as Salt without an
// event system.
func refreshPillarFunc(name string) Func {
	return Func{
		Name: name,
		Params: []Param{{Name: "wait", Default: false}, {Name: "timeout", Default: int64(30)},
			{Name: "clean_cache", Default: true}},
		Doc: "Signal the minion to refresh the pillar data in memory; wait=True waits up to timeout seconds for it.\n\nCLI Example: salt '*' saltutil.refresh_pillar",
		Call: func(c *Call) (any, error) {
			refresh := c.exec.opts.RefreshPillar
			if refresh == nil {
				return false, nil
			}
			secs, err := py.Float(c.Arg("timeout"))
			if err != nil {
				return nil, pyErr(err)
			}
			timeout := time.Duration(secs * float64(time.Second))
			if !isTrue(c.Arg("wait")) {
				c.exec.background(func() {
					ctx, cancel := context.WithTimeout(context.Background(), timeout)
					defer cancel()
					refresh(ctx) //nolint:errcheck // fire and forget, as the pillar_refresh event
				})
				return true, nil
			}
			ctx, cancel := context.WithTimeout(c.Ctx, timeout)
			defer cancel()
			refresh(ctx) //nolint:errcheck // Salt logs a refresh that did not complete, and returns True
			return true, nil
		},
	}
}
