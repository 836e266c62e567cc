package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// FileOptions are the options of the master's file server, of pillar and
// of the minion's file client (issue 12), with Salt 3006's defaults. They
// live beside Common's typed fields rather than among them, reached with
// FileOptions(), so the tables of defaults the daemons' transport options
// are checked against stay what they were.
type FileOptions struct {
	PillarRoots       map[string][]string // pillar_roots: base: [/srv/pillar, /srv/spm/pillar]
	FileserverBackend []string            // fileserver_backend: [roots]; git, hg, svn, minion get "fs" as Salt adds it
	// FileBufferSize is the chunk of _serve_file and cp.push, in bytes:
	// 1048576 on the master and 262144 on the minion, as Salt 3006 has them.
	FileBufferSize         int
	FileIgnoreRegex        []string // file_ignore_regex: [] (a string is a list of one)
	FileIgnoreGlob         []string // file_ignore_glob: [] (likewise)
	TopFileMergingStrategy string   // top_file_merging_strategy: merge (merge, same, merge_all)
	FileRecv               bool     // file_recv: false; cp.push is refused unless the master sets it
	FileRecvMaxSize        int      // file_recv_max_size: 100 (MB)

	PillarSourceMergingStrategy string         // pillar_source_merging_strategy: smart
	PillarMergeLists            bool           // pillar_merge_lists: false
	Renderer                    string         // renderer: jinja|yaml
	Nodegroups                  map[string]any // nodegroups: {} (master); a list of one-key mappings is repacked
	Pillarenv                   string         // pillarenv: unset ("")
	Saltenv                     string         // saltenv: unset ("")
	FileClient                  string         // file_client: remote on the minion, local on the master
}

// FileOptions is the file server's, pillar's and the file client's
// options.
func (c *Common) FileOptions() *FileOptions { return &c.files }

func defaultFileOptions(role string) FileOptions {
	o := FileOptions{
		PillarRoots:                 map[string][]string{"base": {"/srv/pillar", "/srv/spm/pillar"}},
		FileserverBackend:           []string{"roots"},
		FileBufferSize:              262144,
		FileIgnoreRegex:             []string{},
		FileIgnoreGlob:              []string{},
		TopFileMergingStrategy:      "merge",
		FileRecvMaxSize:             100,
		PillarSourceMergingStrategy: "smart",
		Renderer:                    "jinja|yaml",
		Nodegroups:                  map[string]any{},
		FileClient:                  "remote",
	}
	if role == "master" {
		o.FileBufferSize = 1048576
		o.FileClient = "local"
	}
	return o
}

// The values Salt's code acts on; anything else Salt falls back from with a
// log line an operator rarely sees, so it is refused here.
var (
	topFileMergingStrategies = []string{"merge", "same", "merge_all"}
	pillarMergingStrategies  = []string{"smart", "recurse", "aggregate", "overwrite", "none"}
	fileClients              = []string{"remote", "local"}
)

func decodeFileOptions(d *decoder, o *FileOptions) {
	d.roots("pillar_roots", &o.PillarRoots)
	d.strList("fileserver_backend", &o.FileserverBackend)
	for i, b := range o.FileserverBackend {
		switch b {
		case "git", "hg", "svn", "minion":
			o.FileserverBackend[i] = b + "fs"
		}
	}
	d.integer("file_buffer_size", &o.FileBufferSize, checkAtLeastOne)
	d.strList("file_ignore_regex", &o.FileIgnoreRegex)
	d.checkRegexps("file_ignore_regex", o.FileIgnoreRegex)
	d.strList("file_ignore_glob", &o.FileIgnoreGlob)
	d.str("top_file_merging_strategy", &o.TopFileMergingStrategy)
	d.oneOf("top_file_merging_strategy", o.TopFileMergingStrategy, topFileMergingStrategies)
	d.boolean("file_recv", &o.FileRecv)
	d.integer("file_recv_max_size", &o.FileRecvMaxSize, checkNonNegative)
	d.str("pillar_source_merging_strategy", &o.PillarSourceMergingStrategy)
	d.oneOf("pillar_source_merging_strategy", o.PillarSourceMergingStrategy, pillarMergingStrategies)
	d.boolean("pillar_merge_lists", &o.PillarMergeLists)
	d.str("renderer", &o.Renderer)
	d.nodegroups("nodegroups", &o.Nodegroups)
	d.str("pillarenv", &o.Pillarenv)
	d.str("saltenv", &o.Saltenv)
	d.str("file_client", &o.FileClient)
	d.oneOf("file_client", o.FileClient, fileClients)
}

// oneOf refuses a string option the files set to none of allowed.
func (d *decoder) oneOf(key, got string, allowed []string) {
	if f := d.lookup(key); f != nil && f.val.kind != kindMap && f.val.kind != kindSeq {
		for _, a := range allowed {
			if got == a {
				return
			}
		}
		d.fail(f, f.val, "%q is not one of %s", got, strings.Join(allowed, ", "))
	}
}

// checkRegexps refuses the Python regular expressions of a list option
// that do not compile, or that RE2 cannot express: Salt would skip such a
// pattern with a warning and serve the files it was written to hide.
func (d *decoder) checkRegexps(key string, patterns []string) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	for i, p := range patterns {
		tr, err := py.TranslateRegexp(p)
		if err == nil {
			if _, cerr := regexp.Compile(tr); cerr != nil {
				err = fmt.Errorf("invalid regular expression %q: %v", p, cerr)
			}
		}
		if err != nil {
			v := f.val
			if v.kind == kindSeq && i < len(v.items) {
				v = v.items[i]
			}
			d.fail(f, v, "%v", err)
		}
	}
}

// nodegroups reads the master's nodegroups: name → a compound target (a
// string) or a list of them. A list of one-key mappings is repacked into
// one mapping, as salt.utils.data.repack_dictlist does.
func (d *decoder) nodegroups(key string, dst *map[string]any) {
	f := d.lookup(key)
	if f == nil {
		return
	}
	var fields []*field
	switch f.val.kind {
	case kindMap:
		fields = f.val.fields
	case kindSeq:
		for _, it := range f.val.items {
			if it.kind != kindMap || len(it.fields) != 1 {
				d.fail(f, it, "want a mapping of one nodegroup, got %s", it.describe())
				return
			}
			fields = append(fields, it.fields[0])
		}
	default:
		d.fail(f, f.val, "want a mapping of nodegroup: target, got %s", f.val.describe())
		return
	}
	out := make(map[string]any, len(fields))
	for _, g := range fields {
		sub := &field{key: key + "." + g.key, file: g.file, line: g.line, val: g.val}
		if s, ok := scalarText(g.val); ok {
			out[g.key] = s
			continue
		}
		items, ok := d.strings(sub, g.val)
		if !ok {
			return
		}
		l := make([]any, len(items))
		for i, s := range items {
			l[i] = s
		}
		out[g.key] = l
	}
	*dst = out
}
