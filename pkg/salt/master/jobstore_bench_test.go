package master

import (
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// BenchmarkJobStoreReturn is the memory side of a return, per return, in
// jobs to many minions (job_cache: False, so no file is written): the
// check that the job targeted the minion, and the note that it returned.
// It should not grow with the job's minions.
func BenchmarkJobStoreReturn(b *testing.B) {
	for _, fanOut := range []int{100, 5000} {
		b.Run(fmt.Sprintf("minions=%d", fanOut), func(b *testing.B) {
			ids := make([]string, fanOut)
			for i := range ids {
				ids[i] = fmt.Sprintf("minion-%05d", i)
			}
			s := newJobStore(nil, nil, false, &job.JIDGen{})
			load := body.Map{{Key: "return", Value: true}}
			var jid string
			b.ReportAllocs()
			for i := range b.N {
				if i%fanOut == 0 {
					jid = fmt.Sprintf("2026120716%08d", i/fanOut)
					s.remember(jid, ids, false)
				}
				id := ids[i%fanOut]
				if ok, err := s.targeted(jid, id); !ok || err != nil {
					b.Fatalf("%s not targeted: %v", id, err)
				}
				if err := s.saveReturn(jid, id, load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
