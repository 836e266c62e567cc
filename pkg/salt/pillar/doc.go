// Package pillar compiles a minion's pillar on the master, as Salt 3006's
// salt.pillar.Pillar.compile_pillar does without external pillars: the
// top.sls of each environment of pillar_roots (or only pillarenv's) names
// the SLS files each target gets, the target is matched against the
// minion's id and grains (pkg/salt/target, nodegroups expanded here), the
// files are rendered (pkg/salt/render) with their includes, and merged by
// pillar_source_merging_strategy and pillar_merge_lists as
// salt.utils.dictupdate.merge merges them; the minion's pillar override
// goes last. Problems never stop a compile: they are the "_errors" list of
// the pillar, in Salt's words, and logged with their file and line. Pillar
// values are never logged.
//
// Templates see the minion's grains, the master's opts (with the minion's
// id), an empty pillar (as on Salt's master), and salt['grains.get'],
// salt['grains.filter_by'] and salt['pillar.get'] (caller.go); other
// execution functions do not run on the master here.
//
// Where this is not Salt 3006.3 (compared by hand, testdata/README.md):
//
//   - Salt reads the environments' top files in the order of a Python set
//     (it varies with the hash seed) and stops at the first that fails to
//     render; here they are read base first, then by name, and a broken one
//     does not stop the others. Pillar of environments that set the same
//     key therefore merges in a fixed order here and in a varying one in
//     Salt. Targets within a top file keep their written order as in Salt.
//   - A top file's render error ("Rendering Primary Top file failed, render
//     error:\n...") carries yaml.v3's or gonja's words after the newline,
//     not PyYAML's or Jinja2's.
//   - Mappings are map[string]any: the key order of Salt's OrderedDict is
//     not kept, and a non-string key is its str().
//   - grains.filter_by tries a lookup dict's keys in written order when the
//     dict is written in the template, sorted otherwise (Salt: the dict's
//     order, which is written order for a literal too).
//   - pillar_roots "__env__", ext_pillar, pillar_opts, the aggregate
//     (yamlex) strategy and renderers other than jinja, yaml and json are
//     not here; an unknown strategy merges as recurse, as Salt's does.
package pillar
