package config

import "time"

// defaultKeepJobsSeconds is keep_jobs_seconds' default: a day.
const (
	defaultKeepJobsSeconds = 86400
	defaultKeepJobsHours   = 24
)

// KeepJobsDuration is how long the master's job cache keeps a job
// (salt.utils.job.get_keep_jobs_seconds of Salt 3006): keep_jobs_seconds,
// unless it is left at its default and the deprecated keep_jobs (hours)
// is set to something other than 24, which is then used. Zero keeps every
// job. legacy says keep_jobs was the one used, which Salt warns about.
func (m *Master) KeepJobsDuration() (keep time.Duration, legacy bool) {
	if m.KeepJobsSeconds == defaultKeepJobsSeconds && m.KeepJobs != defaultKeepJobsHours {
		return time.Duration(m.KeepJobs) * time.Hour, true
	}
	return time.Duration(m.KeepJobsSeconds) * time.Second, false
}
