package master

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// jobWatch follows each job from its publish to its returns, for the
// metrics: how long each minion took to return (a histogram on the
// master's clock), and which minions never did. It exists only with
// metrics_port set; its methods do nothing on a nil jobWatch.
//
// A minion counts as no_response as the salt command would report it: the
// publish was delivered, and no return came within timeout +
// gather_job_timeout of the publish, the wait starting again whenever the
// minion answers a saltutil.find_job saying the job still runs. A publish
// never delivered is not_delivered instead, once the master gives up on
// it. A later return still counts as a return. The salt command's own
// find_job publishes are not followed: they are not jobs of their own.
type jobWatch struct {
	mu         sync.Mutex
	jobs       map[string]*watchedJob // by jid
	pairs      int                    // minions waited for, all jobs
	noResponse uint64
	unwatched  uint64 // jobs not followed: the bound was reached
	wait       time.Duration
	durations  prometheus.Histogram
}

type watchedJob struct {
	at  time.Time           // published
	out map[string]*awaited // minions not returned yet
}

type awaited struct {
	late      time.Time // when its return is late
	delivered bool      // its road acknowledged the publish
}

// maxWatched bounds the minions waited for across jobs (about 100 bytes
// each): a master publishing to 10,000 minions follows its last 50 jobs.
const maxWatched = 500_000

// jobBuckets are the job duration buckets, in seconds: from a test.ping
// on loopback (a few ms) to a long state run.
var jobBuckets = []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}

func newJobWatch(wait time.Duration) *jobWatch {
	return &jobWatch{jobs: map[string]*watchedJob{}, wait: wait,
		durations: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "salt_master_job_duration_seconds",
			Help:    "From a job's publish to each minion's return, on the master.",
			Buckets: jobBuckets})}
}

// published starts following a job to its minions.
func (w *jobWatch) published(jid string, fun any, minions []string, now time.Time) {
	if w == nil || len(minions) == 0 || fun == "saltutil.find_job" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pairs+len(minions) > maxWatched {
		w.sweepLocked(now)
	}
	if w.pairs+len(minions) > maxWatched || w.jobs[jid] != nil {
		w.unwatched++
		return
	}
	j := &watchedJob{at: now, out: make(map[string]*awaited, len(minions))}
	for _, id := range minions {
		j.out[id] = &awaited{late: now.Add(w.wait)}
	}
	w.jobs[jid] = j
	w.pairs += len(j.out)
}

// returned observes a minion's return of a job; a find_job answer that the
// job it asks after still runs gives that job's minion the wait again.
func (w *jobWatch) returned(jid, id string, fun, ret any, now time.Time) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if j := w.jobs[jid]; j != nil {
		if _, ok := j.out[id]; ok {
			w.durations.Observe(now.Sub(j.at).Seconds())
			w.forgetLocked(jid, j, id)
		}
	}
	if fun != "saltutil.find_job" {
		return
	}
	var running string
	switch proc := ret.(type) {
	case body.Map: // as a return load decodes
		running, _ = proc.String("jid")
	case map[string]any:
		running, _ = proc["jid"].(string)
	}
	if j := w.jobs[running]; j != nil {
		if a := j.out[id]; a != nil {
			a.late = now.Add(w.wait)
		}
	}
}

// delivered notes that the publish of a job reached a minion.
func (w *jobWatch) delivered(jid, id string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if j := w.jobs[jid]; j != nil {
		if a := j.out[id]; a != nil {
			a.delivered = true
		}
	}
}

// undelivered stops waiting for a minion the publish never reached: it is
// counted as not delivered, not as no response.
func (w *jobWatch) undelivered(jid, id string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if j := w.jobs[jid]; j != nil {
		if _, ok := j.out[id]; ok {
			w.forgetLocked(jid, j, id)
		}
	}
}

func (w *jobWatch) forgetLocked(jid string, j *watchedJob, id string) {
	delete(j.out, id)
	w.pairs--
	if len(j.out) == 0 {
		delete(w.jobs, jid)
	}
}

// sweep counts the minions late with their return as no response, and
// says how many jobs are still followed.
func (w *jobWatch) sweep(now time.Time) (open int, noResponse, unwatched uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sweepLocked(now)
	return len(w.jobs), w.noResponse, w.unwatched
}

func (w *jobWatch) sweepLocked(now time.Time) {
	for jid, j := range w.jobs {
		for id, a := range j.out {
			if a.delivered && !now.Before(a.late) {
				w.noResponse++
				w.forgetLocked(jid, j, id)
			}
		}
	}
}
