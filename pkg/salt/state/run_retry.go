package state

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// retrySpec is a state's retry argument checked as Salt's
// verify_retry_data does: a value of the wrong type is the default.
type retrySpec struct {
	until                     bool
	attempts, interval, splay int64
}

func verifyRetry(v any) retrySpec {
	spec := retrySpec{until: true, attempts: 2, interval: 30, splay: 0}
	m, ok := py.DictItems(v)
	if !ok {
		return spec
	}
	if u, ok := m.Get("until"); ok {
		if b, ok := u.(bool); ok {
			spec.until = b
		}
	}
	for _, f := range []struct {
		key string
		dst *int64
	}{{"attempts", &spec.attempts}, {"interval", &spec.interval}, {"splay", &spec.splay}} {
		if n, ok := m.Int(f.key); ok {
			*f.dst = n
		}
	}
	return spec
}

// wouldRetry is the comment test=True adds for a state with retry.
func (s retrySpec) wouldRetry() string {
	return fmt.Sprintf("The state would be retried every %d seconds (with a splay of up to %d seconds) "+
		"a maximum of %d times or until a result of %s is returned",
		s.interval, s.splay, s.attempts, py.Repr(s.until))
}

// pause is the interval before the next attempt, splay added.
func (s retrySpec) pause() int64 {
	if s.splay > 0 {
		return s.interval + rand.Int64N(s.splay+1)
	}
	return s.interval
}

// retry is the end of Salt's State.call: while the result is not the
// one retry waits for and attempts are left, sleep the interval and call
// again; each earlier attempt is recorded in the comment.
func (r *runner) retry(ctx context.Context, c *chunk, running *results, retries int, ret *body.Map) *body.Map {
	spec := verifyRetry(retryGet(c.low.Args, "retry"))
	if r.o.Test {
		ret.Set("comment", joinComment("  ", retryGet(*ret, "comment"), spec.wouldRetry()))
		return ret
	}
	if res, _ := ret.Get("result"); res == spec.until || spec.attempts <= int64(retries) {
		return ret
	}
	interval := spec.pause()
	r.sleep(ctx, time.Duration(interval)*time.Second)
	orig := ret
	ret = r.call(ctx, c, running, retries+1)
	ret.Set("comment", attemptComment(retries, *orig)+"\n"+commentOrEmpty(retryGet(*ret, "comment")))
	ret.Set("duration", floatOf(retryGet(*ret, "duration"))+floatOf(retryGet(*orig, "duration"))+float64(interval*1000))
	if retries == 1 {
		ret.Set("start_time", retryGet(*orig, "start_time"))
	}
	return ret
}

// attemptComment records one failed attempt.
func attemptComment(n int, ret body.Map) string {
	return fmt.Sprintf(`Attempt %d: Returned a result of "%s", with the following comment: "%s"`,
		n, py.Str(retryGet(ret, "result")), py.Str(retryGet(ret, "comment")))
}

// sleep waits on the run's clock, or until ctx ends.
func (r *runner) sleep(ctx context.Context, d time.Duration) {
	t := r.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
	case <-ctx.Done():
	}
}

// joinComment is sep.join([comment or "", more]).
func joinComment(sep string, comment any, more string) string {
	return commentOrEmpty(comment) + sep + more
}

// commentOrEmpty is `"" if not comment else str(comment)`.
func commentOrEmpty(comment any) string {
	if !py.Truthy(comment) {
		return ""
	}
	return py.Str(comment)
}

func retryGet(m body.Map, key string) any {
	v, _ := m.Get(key)
	return v
}

func floatOf(v any) float64 {
	if f, ok := v.(float64); ok {
		return f
	}
	if n, ok := body.AsInt64(v); ok {
		return float64(n)
	}
	return 0
}
