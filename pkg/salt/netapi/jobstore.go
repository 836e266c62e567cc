package netapi

import (
	"os"
	"path/filepath"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// storeJob keeps a runner or wheel call in the job cache as Salt's master
// does (runner_returns, salt.utils.job.store_job), so that /jobs and
// jobs.list_jobs show it: its load {id, tgt, jid, return, fun, user}
// under the master's id with no targeted minions, and the master's return
// {"return": data}. A master whose job_cache is off, or whose cache cannot
// be written, keeps nothing; the call's answer does not depend on it.
func (b *SaltBackend) storeJob(jid, fun, user string, data body.Map) {
	if !b.opts.JobCache {
		return
	}
	if v, ok := b.opts.Raw["runner_returns"].(bool); ok && !v {
		return
	}
	if _, err := os.Stat(filepath.Join(b.opts.Cachedir, "jobs")); err != nil {
		return
	}
	cache, err := job.OpenCache(b.opts.Cachedir, b.opts.HashType)
	if err == nil {
		id := b.opts.ID
		load := body.Map{{Key: "id", Value: id}, {Key: "tgt", Value: id}, {Key: "jid", Value: jid},
			{Key: "return", Value: data}, {Key: "fun", Value: fun}, {Key: "user", Value: user}}
		if err = cache.SaveLoad(jid, load, []string{}); err == nil {
			err = cache.SaveReturn(jid, id, body.Map{{Key: "return", Value: data}})
		}
	}
	if err != nil {
		b.log.Errorf("Could not store job cache info. Job details for this run may be unavailable. (%v)", err)
	}
}
