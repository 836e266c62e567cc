package modules

import (
	"os"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// environFuncs is Salt's environ module (salt/modules/environ.py) over the
// environment of the process the job runs in: the minion's, or the job's
// own process where jobs run apart, which is what Salt's job processes
// change too (os.environ of the process that runs the function).
func environFuncs() []Func {
	return []Func{
		{Name: "environ.get", Params: []Param{{Name: "key", Required: true}, {Name: "default", Default: ""}},
			Doc: "Get a single salt process environment variable; default when it is not set.\n\nCLI Example: salt '*' environ.get foo",
			Call: func(c *Call) (any, error) {
				key, ok := c.Arg("key").(string)
				if !ok {
					return false, nil
				}
				if v, ok := os.LookupEnv(key); ok {
					return v, nil
				}
				return c.Arg("default"), nil
			}},
		{Name: "environ.setval", Params: []Param{{Name: "key", Required: true}, {Name: "val", Required: true},
			{Name: "false_unsets", Default: false}, {Name: "permanent", Default: false}},
			Doc:  "Set a single salt process environment variable; returns the value set, False when val is not a string or False, None when false_unsets removed it.\n\nCLI Example: salt '*' environ.setval foo bar",
			Call: environSetval},
		{Name: "environ.has_value", Params: []Param{{Name: "key", Required: true}, {Name: "value", Default: nil}},
			Doc: "Whether the salt process environment has key (with value, when given).\n\nCLI Example: salt '*' environ.has_value foo",
			Call: func(c *Call) (any, error) {
				key, ok := c.Arg("key").(string)
				if !ok {
					return false, nil
				}
				cur, ok := os.LookupEnv(key)
				if !ok {
					return false, nil
				}
				return c.Arg("value") == nil || c.Arg("value") == cur, nil
			}},
		{Name: "environ.item", Params: []Param{{Name: "keys", Required: true}, {Name: "default", Default: ""}},
			Doc:  "Get one or more salt process environment variables as {key: value}.\n\nCLI Example: salt '*' environ.item '[foo, baz]' default=''",
			Call: environItem},
		{Name: "environ.items", Doc: "Return a dict of the entire environment set for the salt process.\n\nCLI Example: salt '*' environ.items",
			Call: func(c *Call) (any, error) {
				env := map[string]any{}
				for _, kv := range os.Environ() {
					if k, v, ok := cutEnv(kv); ok {
						env[k] = v
					}
				}
				m, _ := py.DictItems(env)
				return m, nil
			}},
	}
}

// cutEnv splits KEY=value; a name may start with "=" on no system we run.
func cutEnv(kv string) (string, string, bool) {
	for i := 1; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return "", "", false
}

func environSetval(c *Call) (any, error) {
	key := py.Str(c.Arg("key"))
	val := c.Arg("val")
	if val == false {
		if c.Arg("false_unsets") == true {
			os.Unsetenv(key)
			return nil, nil
		}
		val = ""
	}
	s, ok := val.(string)
	if !ok {
		return false, nil
	}
	if err := os.Setenv(key, s); err != nil {
		return false, nil
	}
	return s, nil
}

func environItem(c *Call) (any, error) {
	var keys []any
	switch k := c.Arg("keys").(type) {
	case string:
		keys = []any{k}
	case []any:
		keys = k
	}
	ret := body.Map{}
	for _, k := range keys {
		key := py.Str(k)
		if v, ok := os.LookupEnv(key); ok {
			ret.Set(key, v)
		} else {
			ret.Set(key, c.Arg("default"))
		}
	}
	return ret, nil
}
