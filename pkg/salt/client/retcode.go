package client

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
)

// makeReturn is the Return of a minion's return event (or of the return
// the job cache kept).
func makeReturn(jid, id string, data body.Map) Return {
	r := Return{ID: id, JID: jid, Data: data}
	r.Ret, _ = data.Get("return")
	r.Out, _ = data.String("out")
	r.Retcode = Retcode(data)
	return r
}

// Retcode is the salt command's retcode of a return event's data
// (SaltCMD._get_retcode over get_iter_returns' entry): the retcode when it
// is not 0, the largest value when it is a mapping (a compound command).
// A return with no retcode counts as 1 when it says success false — the
// RAET jobber leaves retcode out when the function failed, where the
// ZeroMQ minion Salt 3006 users know sets it to 1 — and 0 otherwise.
func Retcode(data body.Map) int {
	v, ok := data.Get("retcode")
	if !ok || v == nil {
		if s, ok := data.Bool("success"); ok && !s {
			return 1
		}
		return 0
	}
	if m, ok := v.(body.Map); ok {
		best := 0
		for _, it := range m {
			if n, ok := (body.Map{it}).Int(it.Key); ok && int(n) > best {
				best = int(n)
			}
		}
		return best
	}
	if n, ok := data.Int("retcode"); ok {
		return int(n)
	}
	return 1 // a retcode that is not a number is not success
}
