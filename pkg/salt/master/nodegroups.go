package master

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// resolveNodegroups resolves a nodegroup target, and the N@ words of a
// compound one, with the nodegroups of the master's config, as Salt's
// LocalClient._prep_pub does before it publishes (the salt command does
// it too; this covers any other client). The load is rewritten to the
// compound expression, so the minions, which do not know the master's
// nodegroups, are published what they can match, as in Salt. Other
// targets are left as they are. A group the config does not define is
// Salt's "Node group <name> unavailable in <config>"; a nested group that
// cannot be expanded is logged with Salt's error and left out.
func (m *Master) resolveNodegroups(load *body.Map, tgtType string, tgt any) (string, any, error) {
	if tgtType != "nodegroup" && !(tgtType == "compound" && target.HasNodegroupWord(tgt)) {
		return tgtType, tgt, nil
	}
	groups := m.cfg.FileOptions().Nodegroups
	newType, newTgt, err := target.ResolveNodegroups(tgtType, tgt, groups, m.cfg.ConfFile, m.log.Errorf)
	if err != nil {
		return "", nil, err
	}
	load.Set("tgt_type", newType)
	load.Set("tgt", newTgt)
	load.Delete("expr_form")
	return newType, newTgt, nil
}
