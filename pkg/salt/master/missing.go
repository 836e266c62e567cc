package master

import (
	"slices"
	"strings"
)

// missingIDs is the missing list of CkMinions.check_minions for a list
// target: the ids it names that matched no accepted key, in the order
// named, which the master fires with the job (salt/job/<jid>/new) so that
// the salt command reports each as not returned. Other target types have
// none here; Salt 3006 adds those of a compound expression's L@ words.
func missingIDs(tgtType string, tgt any, minions []string) []string {
	if tgtType != "list" {
		return []string{}
	}
	var named []string
	switch x := tgt.(type) {
	case string:
		named = strings.Split(x, ",")
	case []string:
		named = x
	case []any:
		for _, v := range x {
			if s, ok := v.(string); ok {
				named = append(named, s)
			}
		}
	}
	missing := []string{}
	for _, id := range named {
		if id != "" && !slices.Contains(minions, id) && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	return missing
}
