// Package py is the one home of what Salt's Go code does the way Python
// does it, because Salt does it with Python's built-ins and operators see
// the result: how a value is written, how text is split, how a glob or a
// regular expression matches. Each used to be written where it was first
// needed, and copies drifted apart in the corners (fnmatch's sets, repr of
// unprintable characters); here each is written once, against Python's
// actual answers:
//
//   - repr.go: str(), repr(), reprlib-bounded nesting, and the dict and
//     list views of Go values (DictItems, ListItems).
//   - value.go: bool(), int(), float() and type().__name__, with the
//     exceptions Python raises (Exception).
//   - str.go: str.isspace, \w and \d of str patterns, str.splitlines.
//   - shlex.go: shlex.split.
//   - fnmatch.go: fnmatch.fnmatch on POSIX, for targeting, salt-key and
//     autosign alike.
//   - re.go: Python's re syntax translated to RE2, with re.match's anchoring.
//   - json.go: json.dumps's indent=None and ensure_ascii=False layouts, on
//     top of the JSON the RAET body codec writes.
//   - resub.go: re.compile with flags, re.subn with Python's templates.
//   - difflib.go: difflib.unified_diff, as Salt's file diffs make it.
//   - hashlib.go: the hashlib names of hash_type.
//
// Salt's own rules built on these (is_true, expr_match, subdict_match,
// yamlify_arg) stay with the Salt code that owns them.
//
// The values are Python values written in Go, as they arrive decoded from
// msgpack or are built by Go code: nil (None), bool, string, []byte (bytes),
// the integer and float kinds, body.Map (a dict, in insertion order),
// map[string]any, map[string]string and map[string][]string (dicts, keys
// taken in sorted order, a Go map having none), and slices (lists).
package py
