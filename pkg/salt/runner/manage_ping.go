package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// noMinionsNotice is what LocalClient._check_pub_data prints when the
// target matched no minion.
const noMinionsNotice = "No minions matched the target. No command was sent, no jid was assigned."

func pyTrue(v any) bool { return py.Truthy(v) }

// out is where a runner prints as it goes.
func (e *Env) out() io.Writer {
	if e.Out == nil {
		return io.Discard
	}
	return e.Out
}

// seconds reads a timeout argument: def when it is None, 0 or empty
// (Salt's "if not timeout"), an error naming it when it is no number.
func seconds(name string, v any, def int) (time.Duration, error) {
	if !pyTrue(v) {
		return time.Duration(def) * time.Second, nil
	}
	f, err := py.Float(v)
	if err != nil {
		return 0, &modules.SaltInvocationError{Msg: fmt.Sprintf("%s must be a number of seconds, not %s", name, py.Repr(v))}
	}
	return time.Duration(f * float64(time.Second)), nil
}

// ping is manage._ping: test.ping published to the target with the
// master's timeout, the minions that returned and those that did not,
// each sorted. A target that matches no minion is two empty lists, after
// Salt's notice.
func (e *Env) ping(c *modules.Call) (up, down []string, err error) {
	timeout, err := seconds("timeout", c.Arg("timeout"), e.Opts.Timeout)
	if err != nil {
		return nil, nil, err
	}
	gather, err := seconds("gather_job_timeout", c.Arg("gather_job_timeout"), e.Opts.GatherJobTimeout)
	if err != nil {
		return nil, nil, err
	}
	tgtType := str(c.Arg("tgt_type"))
	if tgtType == "" {
		tgtType = "glob"
	}
	returns, minions, err := e.run(c.Ctx, c.Arg("tgt"), tgtType, "test.ping", timeout, gather)
	if err != nil {
		return nil, nil, err
	}
	// as _ping: up is who returned, down the minions published to less them
	returned := map[string]bool{}
	up, down = []string{}, []string{}
	for _, r := range returns {
		if r.Missing == "" && !returned[r.ID] {
			returned[r.ID] = true
			up = append(up, r.ID)
		}
	}
	for _, id := range minions {
		if !returned[id] {
			down = append(down, id)
		}
	}
	slices.Sort(up)
	slices.Sort(down)
	return up, down, nil
}

// run publishes fun without arguments, as LocalClient.run_job with
// listen, and gathers every minion's Return (missing ones included), each
// saltutil.find_job round waiting gather (0: the client's); nil after
// Salt's notice when no minion matched; and the minions published to.
func (e *Env) run(ctx context.Context, tgt any, tgtType, fun string, timeout, gather time.Duration) ([]client.Return, []string, error) {
	cl, err := e.Client()
	if err != nil {
		return nil, nil, err
	}
	jid, minions, err := cl.Publish(ctx, tgt, tgtType, fun, []any{}, body.Map{{Key: "listen", Value: true}})
	if errors.Is(err, client.ErrNoMinions) {
		fmt.Fprintln(e.out(), noMinionsNotice)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var out []client.Return
	for r := range cl.ReturnsGather(ctx, jid, minions, timeout, gather) {
		out = append(out, r)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return out, minions, nil
}

// statusMap is manage.status's {"up": [...], "down": [...]}.
func statusMap(up, down []string) body.Map {
	return body.Map{{Key: "up", Value: up}, {Key: "down", Value: down}}
}

type clientReturn = client.Return

func secondsOf(n int) time.Duration { return time.Duration(n) * time.Second }
