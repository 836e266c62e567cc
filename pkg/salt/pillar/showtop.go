package pillar

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Top is Pillar.get_top for one minion, what the pillar.show_top runner
// prints: the merged top data, {saltenv: {target: [match options...,
// sls...]}} with the targets of each environment sorted by their order,
// and the errors met rendering the top files (nil when none).
func (c *Compiler) Top(id string, grains map[string]any, saltenv, pillarenv string) (body.Map, []string) {
	run := c.newRun(id, grains, saltenv, pillarenv)
	tops, errs := run.top()
	out := body.Map{}
	for _, et := range tops {
		targets := body.Map{}
		for _, t := range et.targets {
			comps := make([]any, 0, len(t.options)+len(t.sls))
			for _, o := range t.options {
				comps = append(comps, o)
			}
			for _, s := range t.sls {
				comps = append(comps, s)
			}
			targets = append(targets, body.Item{Key: t.tgt, Value: comps})
		}
		out = append(out, body.Item{Key: et.env, Value: targets})
	}
	return out, errs
}
