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
package pillar
