package minion

import (
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/modules"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// The calls a job process makes to its minion, by method: each is one of
// the jobHooks the process's modules.Options stand on (jobproc_child.go).
const (
	callRequest       = "request"        // the master: a load, its reply
	callPillarRequest = "pillar_request" // the pillar's request channel
	callRunning       = "running"        // the proc records of the running jobs
	callRefreshPillar = "refresh_pillar" // the minion's pillar fetched again, and given back
	callRefreshGrains = "refresh_grains" // the minion's grains reloaded, and given back
	callFallbackFuncs = "fallback_functions"
	callFallbackCall  = "fallback_call"
	callStateEnter    = "state_enter" // the minion's queue of state runs
	callStateLeave    = "state_leave"
	callStateRunning  = "state_running"
)

// answer answers one call of the process with the minion's own hooks.
func (p *jobProcess) answer(frame body.Map) {
	method, _ := frame.String("method")
	args, _ := frame.Map("args")
	ret, err := p.m.answerCall(p, method, args)
	if err := p.conn.reply(frame, ret, err); err != nil {
		p.m.log.Debugf("Job %s: the reply to %s: %v", p.jid, method, err)
	}
}

// answerCall does what method asks for p.
func (m *Minion) answerCall(p *jobProcess, method string, args body.Map) (any, error) {
	ctx := p.ctx
	switch method {
	case callRequest, callPillarRequest:
		load, _ := args.Map("load")
		req := m.hooks.req
		if method == callPillarRequest {
			req = m.hooks.pillarReq
		}
		return req.Request(ctx, load)
	case callRunning:
		recs := m.jobs.Running()
		out := make([]any, len(recs))
		for i, r := range recs {
			out[i] = r
		}
		return out, nil
	case callRefreshPillar:
		err := m.refreshPillar(ctx)
		return m.pillar.get(), err
	case callRefreshGrains:
		if m.hooks.refreshGrains == nil {
			return nil, fmt.Errorf("the minion cannot refresh its grains")
		}
		err := m.hooks.refreshGrains(ctx)
		return m.Grains(), err
	case callFallbackFuncs, callFallbackCall:
		return m.answerFallback(p, method, args)
	case callStateEnter, callStateLeave, callStateRunning:
		return m.answerStateRuns(p, method, args)
	}
	return nil, fmt.Errorf("the minion has no call %q", method)
}

// answerFallback runs a function of the minion's Python fallback.
func (m *Minion) answerFallback(p *jobProcess, method string, args body.Map) (any, error) {
	fb := m.hooks.fallback
	if fb == nil {
		return nil, errNoFallback
	}
	if method == callFallbackFuncs {
		return fb.Functions(p.ctx), nil // a list on the wire
	}
	fun, _ := args.String("fun")
	a, _ := args.Get("args")
	argList, _ := a.([]any)
	pubLoad, _ := args.Map("pub")
	res, ok := fb.Call(p.ctx, fun, argList, protocol.ParsePub(pubLoad))
	if !ok {
		return nil, nil
	}
	return resultFrame(res), nil
}

// answerStateRuns is the minion's queue of state runs for a process; the
// runs it enters are remembered until it leaves them or ends.
func (m *Minion) answerStateRuns(p *jobProcess, method string, args body.Map) (any, error) {
	q := m.modules.StateRuns()
	key, _ := args.String("key")
	switch method {
	case callStateLeave:
		q.Leave(key)
		p.mu.Lock()
		delete(p.states, key)
		p.mu.Unlock()
		return nil, nil
	case callStateRunning:
		return q.Running(key), nil
	}
	run := modules.StateRun{Key: key}
	run.Fun, _ = args.String("fun")
	run.Jid, _ = args.String("jid")
	pid, _ := args.Int("pid")
	run.Pid = int(pid)
	queue, _ := args.Get("queue")
	concurrent, _ := args.Bool("concurrent")
	refused, err := q.Enter(p.ctx, run, queue, concurrent)
	if err != nil || refused != nil {
		return body.Map{{Key: "refused", Value: refused != nil}, {Key: "runs", Value: refused}}, err
	}
	p.mu.Lock()
	if p.states != nil {
		p.states[key] = true
	} else { // the process has ended meanwhile
		defer q.Leave(key)
	}
	p.mu.Unlock()
	return body.Map{{Key: "refused", Value: false}}, nil
}

// logFromJob logs a line a job process logged, at its level.
func (m *Minion) logFromJob(jid string, frame body.Map) {
	lvl, _ := frame.String("level")
	msg, _ := frame.String("msg")
	level, err := logrus.ParseLevel(lvl)
	if err != nil {
		level = logrus.InfoLevel
	}
	if l, ok := m.log.(interface {
		Log(logrus.Level, ...any)
	}); ok {
		l.Log(level, msg)
		return
	}
	m.log.Info(msg)
}

// logLevel is the level of the minion's logger, which its job processes
// log at.
func logLevel(l logrus.FieldLogger) string {
	switch x := l.(type) {
	case *logrus.Logger:
		return x.GetLevel().String()
	case *logrus.Entry:
		return x.Logger.GetLevel().String()
	}
	return logrus.InfoLevel.String()
}

// pubToLoad is a publish as the load ParsePub reads.
func pubToLoad(p modules.Pub) body.Map {
	var m body.Map
	add := func(k string, v any, ok bool) {
		if ok {
			m = append(m, body.Item{Key: k, Value: v})
		}
	}
	add("fun", p.Fun, p.Fun != "")
	add("arg", p.Arg, p.Arg != nil)
	add("tgt", p.Tgt, p.Tgt != nil)
	add("jid", p.Jid, p.Jid != "")
	add("ret", p.Ret, p.Ret != "")
	add("tgt_type", p.TgtType, p.TgtType != "")
	add("user", p.User, p.User != "")
	return append(m, p.Extra...)
}

// anyStrings is a decoded list of strings.
func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, py.Str(x))
	}
	return out
}
