package modules

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// loadArgsAndKwargs is salt.minion.load_args_and_kwargs: keyword dicts
// (marked __kwarg__) and leftover "key=value" strings become keyword
// arguments, which a function without **kwargs accepts only for its named
// parameters; a function with **kwargs also receives every publish field
// as __pub_<field>.
func loadArgsAndKwargs(f *Func, args []any, pub Pub) ([]any, body.Map, error) {
	named := map[string]bool{}
	for _, p := range f.Params {
		named[p.Name] = true
	}
	var (
		pos     []any
		kwargs  body.Map
		invalid []string
	)
	for _, a := range args {
		if d, ok := kwargDict(a); ok {
			for _, it := range d {
				if f.VarKwargs || named[it.Key] {
					kwargs.Set(it.Key, it.Value)
				} else {
					invalid = append(invalid, it.Key+"="+py.Str(it.Value))
				}
			}
			continue
		}
		if s, ok := a.(string); ok {
			if key, raw, ok := job.ParseKwarg(s); ok {
				v := job.YAMLArg(raw)
				if f.VarKwargs || named[key] {
					kwargs.Set(key, v)
				} else {
					invalid = append(invalid, key+"="+py.Str(v))
				}
				continue
			}
		}
		pos = append(pos, a)
	}
	if len(invalid) > 0 {
		return nil, nil, invocationErr("The following keyword arguments are not valid: %s", strings.Join(invalid, ", "))
	}
	if f.VarKwargs && published(pub) {
		for _, it := range pubFields(pub) {
			kwargs.Set("__pub_"+it.Key, it.Value)
		}
	}
	return pos, kwargs, nil
}

// bind calls the function the way Python binds f(*args, **kwargs), with
// Python's TypeError messages for arguments that do not fit.
func bind(f *Func, c *Call, pos []any, kwargs body.Map) error {
	c.named = make(map[string]any, len(f.Params))
	given := map[string]bool{}
	for i, a := range pos {
		if i < len(f.Params) {
			c.named[f.Params[i].Name] = a
			given[f.Params[i].Name] = true
			continue
		}
		if !f.VarArgs {
			return typeErr("%s", tooManyPositional(f, len(pos)))
		}
		c.Args = append(c.Args, a)
	}
	if c.Args == nil {
		c.Args = []any{}
	}
	c.Kwargs = body.Map{}
	for _, it := range kwargs {
		isParam := false
		for _, p := range f.Params {
			if p.Name == it.Key {
				isParam = true
				break
			}
		}
		switch {
		case isParam && given[it.Key]:
			return typeErr("%s() got multiple values for argument '%s'", f.PyName, it.Key)
		case isParam:
			c.named[it.Key] = it.Value
			given[it.Key] = true
		case f.VarKwargs:
			c.Kwargs = append(c.Kwargs, it)
		default:
			return typeErr("%s() got an unexpected keyword argument '%s'", f.PyName, it.Key)
		}
	}
	var missing []string
	for _, p := range f.Params {
		if given[p.Name] {
			continue
		}
		if p.Required {
			missing = append(missing, "'"+p.Name+"'")
			continue
		}
		c.named[p.Name] = p.Default
	}
	if len(missing) > 0 {
		noun := "argument"
		if len(missing) > 1 {
			noun = "arguments"
		}
		return typeErr("%s() missing %d required positional %s: %s", f.PyName, len(missing), noun, pyJoin(missing))
	}
	return nil
}

// pyJoin lists names as Python's argument errors do: 'a', 'a' and 'b',
// 'a', 'b', and 'c'.
func pyJoin(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + ", and " + names[len(names)-1]
}

func tooManyPositional(f *Func, given int) string {
	required := 0
	for _, p := range f.Params {
		if p.Required {
			required++
		}
	}
	total := len(f.Params)
	takes := fmt.Sprintf("%d positional argument", total)
	if required != total {
		takes = fmt.Sprintf("from %d to %d positional argument", required, total)
	}
	if total != 1 || required != total {
		takes += "s"
	}
	was := "were"
	if given == 1 {
		was = "was"
	}
	return fmt.Sprintf("%s() takes %s but %d %s given", f.PyName, takes, given, was)
}
