package config

import (
	"testing"
)

func TestFileOptionsDefaults(t *testing.T) {
	common := FileOptions{
		PillarRoots:                 map[string][]string{"base": {"/srv/pillar", "/srv/spm/pillar"}},
		FileserverBackend:           []string{"roots"},
		FileIgnoreRegex:             []string{},
		FileIgnoreGlob:              []string{},
		TopFileMergingStrategy:      "merge",
		FileRecvMaxSize:             100,
		PillarSourceMergingStrategy: "smart",
		Renderer:                    "jinja|yaml",
		Nodegroups:                  map[string]any{},
	}
	master, minion := common, common
	master.FileBufferSize, master.FileClient = 1048576, "local"
	minion.FileBufferSize, minion.FileClient = 262144, "remote"
	eq(t, "master", *loadMaster(t, t.TempDir()).FileOptions(), master)
	eq(t, "minion", *loadMinion(t, t.TempDir()).FileOptions(), minion)
}

func TestFileOptionsSet(t *testing.T) {
	m := masterConf(t, `pillar_roots:
  base: [/p/base]
  prod: /p/prod
fileserver_backend: [roots, git]
file_buffer_size: 65536
file_ignore_regex: '/\.svn($|/)'
file_ignore_glob: ['*.pyc', '\*/somefolder/\*.bak']
top_file_merging_strategy: same
file_recv: True
file_recv_max_size: 5
pillar_source_merging_strategy: recurse
pillar_merge_lists: yes
renderer: yaml
nodegroups:
  web: 'L@web1,web2'
  both: [web, db]
pillarenv: dev
`)
	o := m.FileOptions()
	eq(t, "pillar_roots", o.PillarRoots, map[string][]string{"base": {"/p/base"}, "prod": {"/p/prod"}})
	eq(t, "fileserver_backend", o.FileserverBackend, []string{"roots", "gitfs"})
	eq(t, "file_buffer_size", o.FileBufferSize, 65536)
	eq(t, "file_ignore_regex", o.FileIgnoreRegex, []string{`/\.svn($|/)`})
	eq(t, "file_ignore_glob", o.FileIgnoreGlob, []string{"*.pyc", `\*/somefolder/\*.bak`})
	eq(t, "top_file_merging_strategy", o.TopFileMergingStrategy, "same")
	eq(t, "file_recv", o.FileRecv, true)
	eq(t, "file_recv_max_size", o.FileRecvMaxSize, 5)
	eq(t, "pillar_source_merging_strategy", o.PillarSourceMergingStrategy, "recurse")
	eq(t, "pillar_merge_lists", o.PillarMergeLists, true)
	eq(t, "renderer", o.Renderer, "yaml")
	eq(t, "nodegroups", o.Nodegroups, map[string]any{"web": "L@web1,web2", "both": []any{"web", "db"}})
	eq(t, "pillarenv", o.Pillarenv, "dev")

	mn := minionConf(t, "saltenv: prod\nfile_client: local\nnodegroups:\n  - a: G@os:Debian\n  - b: [a]\n")
	eq(t, "saltenv", mn.FileOptions().Saltenv, "prod")
	eq(t, "file_client", mn.FileOptions().FileClient, "local")
	eq(t, "repacked nodegroups", mn.FileOptions().Nodegroups, map[string]any{"a": "G@os:Debian", "b": []any{"a"}})
	// An empty option keeps its default, as Salt's None does for nodegroups.
	eq(t, "nodegroups: ~", masterConf(t, "nodegroups:\n").FileOptions().Nodegroups, map[string]any{})
}

func TestFileOptionsErrors(t *testing.T) {
	for _, c := range []struct{ conf, want string }{
		{"a: 1\nfile_buffer_size: 0\n", `DIR/master:2: file_buffer_size: want at least 1, got 0`},
		{"file_buffer_size: big\n", `DIR/master:1: file_buffer_size: want a whole number, got "big"`},
		{"file_recv: maybe\n", `DIR/master:1: file_recv: want true or false, got "maybe"`},
		{"file_recv_max_size: -1\n", `DIR/master:1: file_recv_max_size: -1 is negative`},
		{"top_file_merging_strategy: union\n", `DIR/master:1: top_file_merging_strategy: "union" is not one of merge, same, merge_all`},
		{"pillar_source_merging_strategy: deep\n", `DIR/master:1: pillar_source_merging_strategy: "deep" is not one of smart, recurse, aggregate, overwrite, none`},
		{"pillar_roots: /srv/pillar\n", `DIR/master:1: pillar_roots: want a mapping of saltenv: [directories], got "/srv/pillar"`},
		{"file_ignore_regex:\n  - ok\n  - '(unclosed'\n", `DIR/master:3: file_ignore_regex: invalid regular expression`},
		{"file_ignore_regex: '(?<=a)b'\n", `DIR/master:1: file_ignore_regex: regular expression "(?<=a)b"`},
		{"fileserver_backend: {roots: 1}\n", `DIR/master:1: fileserver_backend: want a list of strings, got a mapping`},
		{"nodegroups: web1\n", `DIR/master:1: nodegroups: want a mapping of nodegroup: target, got "web1"`},
		{"nodegroups:\n  g: {a: 1}\n", `DIR/master:2: nodegroups.g: want a list of strings, got a mapping`},
		{"file_client: nfs\n", `DIR/master:1: file_client: "nfs" is not one of remote, local`},
		{"renderer: [jinja]\n", `DIR/master:1: renderer: want a string, got a list`},
	} {
		got, err := masterError(t, c.conf)
		asError(t, err)
		if len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("error for %q:\n got %s\nwant %s...", c.conf, got, c.want)
		}
	}
}
