package pillar

import (
	"reflect"
	"testing"
)

// mergeFiles is a tree of two SLS files merged in order a, b.
var mergeFiles = map[string]string{
	"base/top.sls": "base:\n  '*':\n    - a\n    - b\n",
	"base/a.sls":   "k: {x: 1, l: [1, 2]}\nonly_a: 1\n",
	"base/b.sls":   "k: {y: 2, l: [2, 3]}\n",
}

type compileCase struct {
	name      string
	files     map[string]string
	opts      func(*Options)
	id        string
	grains    map[string]any
	pillarenv string
	override  map[string]any
	want      map[string]any
}

func strategy(s string, lists bool) func(*Options) {
	return func(o *Options) { o.SourceMergingStrategy, o.MergeLists = s, lists }
}

// The merge results are salt.utils.dictupdate.merge's, run under Python
// with Salt 3006.3 on the same data. Every case from "top order option"
// on was also compiled by hand by Salt 3006.3 (salt-call --local
// pillar.items, the same tree, id m1, grains {os: Linux}, the same
// nodegroups) and gave this pillar.
var compileCases = []compileCase{
	{name: "smart", files: mergeFiles, opts: strategy("", false),
		want: map[string]any{"k": map[string]any{"x": int64(1), "y": int64(2), "l": []any{int64(2), int64(3)}}, "only_a": int64(1)}},
	{name: "recurse with merge lists", files: mergeFiles, opts: strategy("recurse", true),
		want: map[string]any{"k": map[string]any{"x": int64(1), "y": int64(2), "l": []any{int64(1), int64(2), int64(3)}}, "only_a": int64(1)}},
	{name: "overwrite", files: mergeFiles, opts: strategy("overwrite", true),
		want: map[string]any{"k": map[string]any{"y": int64(2), "l": []any{int64(2), int64(3)}}, "only_a": int64(1)}},
	{name: "none ignores merge lists", files: mergeFiles, opts: strategy("none", true),
		want: map[string]any{"k": map[string]any{"x": int64(1), "y": int64(2), "l": []any{int64(2), int64(3)}}, "only_a": int64(1)}},
	{name: "override merged last", files: mergeFiles, override: map[string]any{"k": map[string]any{"x": "o"}},
		want: map[string]any{"k": map[string]any{"x": "o", "y": int64(2), "l": []any{int64(2), int64(3)}}, "only_a": int64(1)}},
	{name: "top order option", files: map[string]string{
		"base/top.sls":  "base:\n  'm*':\n    - order: 2\n    - late\n  '*':\n    - early\n",
		"base/late.sls": "v: late\n", "base/early.sls": "v: early\n"},
		want: map[string]any{"v": "late"}},
	{name: "glob of sls names", files: map[string]string{
		"base/top.sls":      "base:\n  '*':\n    - 'apps.*'\n",
		"base/apps/one.sls": "one: 1\n", "base/apps/two/init.sls": "two: 2\n"},
		want: map[string]any{"one": int64(1), "two": int64(2)}},
	{name: "list and pcre matchers", files: map[string]string{
		"base/top.sls": "base:\n  'a,m1,b':\n    - match: list\n    - l\n  '^m\\d$':\n    - match: pcre\n    - p\n  'x*':\n    - x\n",
		"base/l.sls":   "l: 1\n", "base/p.sls": "p: 1\n", "base/x.sls": "x: 1\n"},
		want: map[string]any{"l": int64(1), "p": int64(1)}},
	{name: "nested and list nodegroups", files: map[string]string{
		"base/top.sls": "base:\n  outer:\n    - match: nodegroup\n    - n\n  'N@ids and G@os:Linux':\n    - c\n",
		"base/n.sls":   "n: 1\n", "base/c.sls": "c: 1\n"},
		opts: func(o *Options) {
			o.Nodegroups = map[string]any{"outer": "N@inner or x*", "inner": "G@os:Linux", "ids": []any{"m1", "m2"}}
		},
		want: map[string]any{"n": int64(1), "c": int64(1)}},
	{name: "grain_pcre", files: map[string]string{
		"base/top.sls": "base:\n  'os:Lin.*':\n    - match: grain_pcre\n    - g\n", "base/g.sls": "g: 1\n"},
		want: map[string]any{"g": int64(1)}},
	{name: "include with key and defaults", files: map[string]string{
		"base/top.sls":  "base:\n  '*':\n    - main\n",
		"base/main.sls": "include:\n  - sub:\n      key: 'a:b'\n      defaults: {colour: red}\nown: 1\n",
		"base/sub.sls":  "colour: {{ colour }}\n"},
		want: map[string]any{"a": map[string]any{"b": map[string]any{"colour": "red"}}, "own": int64(1)}},
	{name: "relative include from init.sls", files: map[string]string{
		"base/top.sls":       "base:\n  '*':\n    - app\n",
		"base/app/init.sls":  "include:\n  - .extra\nv: own\n",
		"base/app/extra.sls": "v: extra\nextra: 1\n"},
		want: map[string]any{"v": "own", "extra": int64(1)}},
	{name: "pillarenv reads one environment", pillarenv: "dev", files: map[string]string{
		"base/top.sls": "base:\n  '*':\n    - b\n", "base/b.sls": "b: 1\n",
		"dev/top.sls": "dev:\n  '*':\n    - d\n", "dev/d.sls": "d: 1\n"},
		want: map[string]any{"d": int64(1)}},
	{name: "a top file may name another environment", files: map[string]string{
		"base/top.sls": "dev:\n  '*':\n    - d\n",
		"dev/d.sls":    "d: 1\n"},
		want: map[string]any{"d": int64(1)}},
	{name: "ignore_missing", files: map[string]string{
		"base/top.sls": "base:\n  '*':\n    - gone\n    - ignore_missing: true\n"},
		want: map[string]any{}},
	{name: "grains.filter_by with base and merge", files: map[string]string{
		"base/top.sls": "base:\n  '*':\n    - f\n",
		"base/f.sls":   "{% set v = salt['grains.filter_by']({'default': {'a': 1, 'b': 1}, 'Lin*': {'b': 2}}, grain='os', base='default', merge={'c': 3}) %}f: {{ v|json }}\n"},
		want: map[string]any{"f": map[string]any{"a": int64(1), "b": int64(2), "c": int64(3)}}},
}

func TestCompileTable(t *testing.T) {
	for _, c := range compileCases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Roots: writeTree(t, c.files)}
			if c.opts != nil {
				c.opts(&o)
			}
			id, grains := c.id, c.grains
			if id == "" {
				id, grains = "m1", map[string]any{"id": "m1", "os": "Linux"}
			}
			got := New(o).Compile(id, grains, "", c.pillarenv, c.override)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("pillar\n %#v\nwant\n %#v", got, c.want)
			}
		})
	}
}
