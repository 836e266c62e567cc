package modules

import (
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/saltdata"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// grainsWriteFuncs are the grains functions that set grains (kept in the
// grains file, modgrains_write.go) and the lookups Salt's module adds to
// get: has_value, fetch, equals, filter_by.
func grainsWriteFuncs() []Func {
	delim := Param{Name: "delimiter", Default: target.DefaultDelimiter}
	return []Func{
		{
			Name:   "grains.setvals",
			Params: []Param{{Name: "grains", Required: true}, {Name: "destructive", Default: false}, {Name: "refresh_pillar", Default: true}},
			Doc:    "Set new grains values in the grains config file\n\ndestructive\n    If an operation results in a key being removed, delete the key, too.\n    Defaults to False.\n\nrefresh_pillar\n    Whether pillar will be refreshed.\n    Defaults to True.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.setvals \"{'key1': 'val1', 'key2': 'val2'}\"",
			Call: func(c *Call) (any, error) {
				return setvals(c, c.Arg("grains"), isTrue(c.Arg("destructive")), py.Truthy(c.Arg("refresh_pillar")))
			},
		},
		{
			Name:   "grains.setval",
			Params: []Param{{Name: "key", Required: true}, {Name: "val", Required: true}, {Name: "destructive", Default: false}, {Name: "refresh_pillar", Default: true}},
			Doc:    "Set a grains value in the grains config file\n\nkey\n    The grain key to be set.\n\nval\n    The value to set the grain key to.\n\ndestructive\n    If an operation results in a key being removed, delete the key, too.\n    Defaults to False.\n\nrefresh_pillar\n    Whether pillar will be refreshed.\n    Defaults to True.\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.setval key val\n    salt '*' grains.setval key \"{'sub-key': 'val', 'sub-key2': 'val2'}\"",
			Call: func(c *Call) (any, error) {
				return setval(c, py.Str(c.Arg("key")), c.Arg("val"), isTrue(c.Arg("destructive")), py.Truthy(c.Arg("refresh_pillar")))
			},
		},
		{
			Name:   "grains.append",
			Params: []Param{{Name: "key", Required: true}, {Name: "val", Required: true}, {Name: "convert", Default: false}, delim},
			Doc:    ".. versionadded:: 0.17.0\n\nAppend a value to a list in the grains config file. If the grain doesn't\nexist, the grain key is added and the value is appended to the new grain\nas a list item.\n\nkey\n    The grain key to be appended to\n\nval\n    The value to append to the grain key\n\nconvert\n    If convert is True, convert non-list contents into a list.\n    If convert is False and the grain contains non-list contents, an error\n    is given. Defaults to False.\n\ndelimiter\n    The key can be a nested dict key. Use this parameter to\n    specify the delimiter you use, instead of the default ``:``.\n    You can now append values to a list in nested dictionary grains. If the\n    list doesn't exist at this level, it will be created.\n\n    .. versionadded:: 2014.7.6\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.append key val",
			Call:   grainsAppend,
		},
		{
			Name:   "grains.remove",
			Params: []Param{{Name: "key", Required: true}, {Name: "val", Required: true}, delim},
			Doc:    ".. versionadded:: 0.17.0\n\nRemove a value from a list in the grains config file\n\nkey\n    The grain key to remove.\n\nval\n    The value to remove.\n\ndelimiter\n    The key can be a nested dict key. Use this parameter to\n    specify the delimiter you use, instead of the default ``:``.\n    You can now append values to a list in nested dictionary grains. If the\n    list doesn't exist at this level, it will be created.\n\n    .. versionadded:: 2015.8.2\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.remove key val",
			Call:   grainsRemove,
		},
		{
			Name:   "grains.delkey",
			Params: []Param{{Name: "key", Required: true}, {Name: "force", Default: false}},
			Doc:    ".. versionadded:: 2017.7.0\n\nRemove a grain completely from the grain system, this will remove the\ngrain key and value\n\nkey\n    The grain key from which to delete the value.\n\nforce\n    Force remove the grain even when it is a mapped value.\n    Defaults to False\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.delkey key",
			Call: func(c *Call) (any, error) {
				return grainsSet(c, py.Str(c.Arg("key")), nil, isTrue(c.Arg("force")), true, target.DefaultDelimiter)
			},
		},
		{
			Name:   "grains.delval",
			Params: []Param{{Name: "key", Required: true}, {Name: "destructive", Default: false}, {Name: "force", Default: false}},
			Doc:    ".. versionadded:: 0.17.0\n\nDelete a grain value from the grains config file. This will just set the\ngrain value to ``None``. To completely remove the grain, run ``grains.delkey``\nor pass ``destructive=True`` to ``grains.delval``.\n\nkey\n    The grain key from which to delete the value.\n\ndestructive\n    Delete the key, too. Defaults to False.\n\nforce\n    Force remove the grain even when it is a mapped value.\n    Defaults to False\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.delval key",
			Call: func(c *Call) (any, error) {
				return grainsSet(c, py.Str(c.Arg("key")), nil, isTrue(c.Arg("force")), isTrue(c.Arg("destructive")), target.DefaultDelimiter)
			},
		},
		{
			Name:   "grains.set",
			PyName: "set_",
			Params: []Param{{Name: "key", Required: true}, {Name: "val", Default: ""}, {Name: "force", Default: false}, {Name: "destructive", Default: false}, delim},
			Doc:    "Set a key to an arbitrary value. It is used like setval but works\nwith nested keys.\n\nThis function is conservative. It will only overwrite an entry if\nits value and the given one are not a list or a dict. The ``force``\nparameter is used to allow overwriting in all cases.\n\n.. versionadded:: 2015.8.0\n\n:param force: Force writing over existing entry if given or existing\n              values are list or dict. Defaults to False.\n:param destructive: If an operation results in a key being removed,\n              delete the key, too. Defaults to False.\n:param delimiter:\n    Specify an alternate delimiter to use when traversing a nested dict,\n    the default being ``:``\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.set 'apps:myApp:port' 2209\n    salt '*' grains.set 'apps:myApp' '{port: 2209}'",
			Call: func(c *Call) (any, error) {
				return grainsSet(c, py.Str(c.Arg("key")), c.Arg("val"), isTrue(c.Arg("force")), isTrue(c.Arg("destructive")), py.Str(c.Arg("delimiter")))
			},
		},
	}
}

// grainsLookupFuncs are grains.has_value, fetch, equals and filter_by.
func grainsLookupFuncs() []Func {
	return []Func{
		{
			Name:   "grains.has_value",
			Params: []Param{{Name: "key", Required: true}},
			Doc:    "Determine whether a key exists in the grains dictionary.\n\nGiven a grains dictionary that contains the following structure::\n\n    {'pkg': {'apache': 'httpd'}}\n\nOne would determine if the apache key in the pkg dict exists by::\n\n    pkg:apache\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.has_value pkg:apache",
			Call: func(c *Call) (any, error) {
				_, missing := traverseGrains(c, py.Str(c.Arg("key")), missingGrain{}, target.DefaultDelimiter).(missingGrain)
				return !missing, nil
			},
		},
		{
			Name: "grains.fetch",
			Params: []Param{{Name: "key", Required: true}, {Name: "default", Default: ""},
				{Name: "delimiter", Default: target.DefaultDelimiter}, {Name: "ordered", Default: true}},
			PyName: "get",
			Doc:    "Attempt to retrieve the named value from grains, if the named value is not\navailable return the passed default. The default return is an empty string.\n\nThe value can also represent a value in a nested dict using a \":\" delimiter\nfor the dict. This means that if a dict in grains looks like this::\n\n    {'pkg': {'apache': 'httpd'}}\n\nTo retrieve the value associated with the apache key in the pkg dict this\nkey can be passed::\n\n    pkg:apache\n\n\n:param delimiter:\n    Specify an alternate delimiter to use when traversing a nested dict.\n    This is useful for when the desired key contains a colon. See CLI\n    example below for usage.\n\n    .. versionadded:: 2014.7.0\n\n:param ordered:\n    Outputs an ordered dict if applicable (default: True)\n\n    .. versionadded:: 2016.11.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.get pkg:apache\n    salt '*' grains.get abc::def|ghi delimiter='|'",
			Call: func(c *Call) (any, error) {
				return traverseGrains(c, py.Str(c.Arg("key")), c.Arg("default"), py.Str(c.Arg("delimiter"))), nil
			},
		},
		{
			Name:   "grains.equals",
			Params: []Param{{Name: "key", Required: true}, {Name: "value", Required: true}},
			Doc:    "Used to make sure the minion's grain key/value matches.\n\nReturns ``True`` if matches otherwise ``False``.\n\n.. versionadded:: 2017.7.0\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' grains.equals fqdn <expected_fqdn>\n    salt '*' grains.equals systemd:version 219",
			Call: func(c *Call) (any, error) {
				return py.Str(c.Arg("value")) == py.Str(traverseGrains(c, py.Str(c.Arg("key")), "", target.DefaultDelimiter)), nil
			},
		},
		{
			Name: "grains.filter_by",
			Params: []Param{{Name: "lookup_dict", Required: true}, {Name: "grain", Default: "os_family"},
				{Name: "merge"}, {Name: "default", Default: "default"}, {Name: "base"}},
			Doc: "Look up the given grain in a given dictionary for the current OS and return\nthe result\n\n" +
				"The keys of lookup_dict are matched (as globs) against the grain's value,\nor each item of it when it is a list; the first match wins, else the\nvalue of the default key. base names a key whose value the match is\nmerged over; merge is a dictionary merged over the result.\n\n" +
				"CLI Example:\n\n    salt '*' grains.filter_by '{Debian: Debheads rule, RedHat: I love my hat}'\n" +
				"    # this one will render {D: {E: I, G: H}, J: K}\n    salt '*' grains.filter_by '{A: B, C: {D: {E: F, G: H}}}' 'xxx' '{D: {E: I}, J: K}' 'C'",
			Call: func(c *Call) (any, error) {
				ret, err := saltdata.FilterBy(saltdata.FilterByArgs{LookupDict: c.Arg("lookup_dict"), Lookup: py.Str(c.Arg("grain")),
					Traverse: c.Grains(), Merge: c.Arg("merge"), Default: py.Str(c.Arg("default")), Base: c.Arg("base")})
				if err != nil {
					return nil, &Exception{Type: "salt.exceptions.SaltException", Msg: err.Error()}
				}
				return ret, nil
			},
		},
	}
}
