package keep

import (
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
)

// judgeRole is the table in EvaluateRole's comment, cell by cell, with
// keys that match the stored ones and keys that do not.
func TestJudgeRoleTable(t *testing.T) {
	ac, pe, re := raet.Accepted, raet.Pending, raet.Rejected
	priors := []*raet.Acceptance{nil, &ac, &pe, &re}
	want := map[raet.AutoMode][2][4]raet.Acceptance{
		// same keys: no prior, accepted, pending, rejected; then other keys
		raet.AutoAlways: {{ac, ac, ac, ac}, {ac, ac, ac, ac}},
		raet.AutoOnce:   {{ac, ac, ac, re}, {ac, re, re, re}},
		raet.AutoNever:  {{pe, ac, pe, re}, {pe, re, re, re}},
	}
	for auto, rows := range want {
		for k, same := range []bool{true, false} {
			for i, prior := range priors {
				got, reason, err := judgeRole(auto, prior, same)
				if err != nil || got != rows[k][i] || (got == raet.Rejected) != (reason != "") {
					t.Errorf("auto %d, prior %d, same keys %v: %s %q %v, want %s",
						auto, i, same, got, reason, err, rows[k][i])
				}
			}
		}
	}
	if got, _, err := judgeRole(raet.AutoMode(9), nil, true); err == nil || got != raet.Rejected {
		t.Errorf("an unknown auto mode gives %s, %v", got, err)
	}
}
