// Package clienttest is a fake salt-master manor yard for testing what talks
// to a master over the lane (the client package, the salt command), the way
// net/http/httptest stands in for a server. It follows the contract of
// docs/salt-messages.md ("Lane (master host)" and "Events the master
// fires"): it takes subscriptions on event_req and publishes on local_cmd,
// answers with pub_ret replies, and fires the job's events — <jid>,
// salt/job/<jid>/new, delivered, undelivered, ret — to its subscribers, for
// scripted minions that return at once, later, never, or never get the job.
package clienttest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Estate is the road estate name the fake master puts in its routes.
const Estate = "saltmaster_master"

// Minion is how one scripted minion answers jobs.
type Minion struct {
	ID     string
	Return any    // what it returns (nil is None)
	Out    string // the outputter its return names, "" for none
	// Retcode is its retcode; success is retcode == 0. NoRetcode leaves
	// retcode out of the return and says success false, as the RAET
	// jobber does when a function raises.
	Retcode   int
	NoRetcode bool
	// Delay makes it return that long after the publish; until then it
	// tells saltutil.find_job that it runs the job.
	Delay time.Duration
	// Withhold makes it never return; asked with saltutil.find_job it
	// answers that it does not run the job (an empty return).
	Withhold bool
	// NoDelivered fires no delivered event for it, for the job nor for
	// saltutil.find_job. Silent makes it never answer saltutil.find_job.
	NoDelivered bool
	Silent      bool
	// Undelivered, when set, is fired as the error of
	// salt/job/<jid>/undelivered/<id> for the job (and find_job), and the
	// minion neither returns nor answers.
	Undelivered string
}

// Manor is a running fake manor yard on lane "master" in Dir.
type Manor struct {
	// Dir is the sock_dir the yard listens in.
	Dir string
	// Key is the access key publishes must carry.
	Key string
	// RetsBeforeReply fires the job's events, returns included, before the
	// reply to the publish goes out.
	RetsBeforeReply bool
	// Noise fires events of another job, with returns from the same
	// minions, and a presence event before each reply.
	Noise bool
	// ReplyAfter holds the replies to the first publishes until that many
	// were received, then sends them, the last first: a client must have
	// had them all on their way at once, and each reply must find its
	// publish. Later publishes are answered at once.
	ReplyAfter int

	stack   *lane.Stack
	cancel  context.CancelFunc
	stopped chan struct{}

	mu      sync.Mutex
	minions []Minion
	subs    []string
	loads   []body.Map
	yards   []string                        // the yards publishes came from, each once
	held    []func()                        // replies ReplyAfter holds
	gated   int                             // publishes ReplyAfter counted
	running map[string]map[string]time.Time // jid → id → when it returns
	jids    job.JIDGen
	jid     string // SetJID's
	timers  []*time.Timer
	wg      sync.WaitGroup
}

// New makes the manor yard in dir (the fake sock_dir) for these minions,
// all of whose keys count as accepted. Set the exported fields, then Start.
func New(dir, key string, minions ...Minion) (*Manor, error) {
	s, err := lane.NewStack(lane.Config{Name: protocol.YardManor, Lane: "master", Dir: dir, PackKind: raet.PackMsgpack})
	if err != nil {
		return nil, err
	}
	return &Manor{Dir: dir, Key: key, stack: s, minions: minions, running: map[string]map[string]time.Time{}, stopped: make(chan struct{})}, nil
}

// Start runs the yard until Close.
func (m *Manor) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() { m.stack.Run(ctx) }()
	go m.serve()
}

// Close stops the yard and removes its socket.
func (m *Manor) Close() {
	m.cancel()
	<-m.stack.Stopped()
	<-m.stopped
	m.mu.Lock()
	for _, t := range m.timers {
		if t.Stop() {
			m.wg.Done() // it will not run
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// SetJID makes jid the jid of the next job published (find_job publishes
// excepted); later ones get fresh jids.
func (m *Manor) SetJID(jid string) {
	m.mu.Lock()
	m.jid = jid
	m.mu.Unlock()
}

// Loads returns the publish loads received, in order.
func (m *Manor) Loads() []body.Map {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.loads)
}

// ClientYards returns the yards publishes came from, in the order each
// first did.
func (m *Manor) ClientYards() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.yards)
}

// Subscribers returns the yards that subscribed to events.
func (m *Manor) Subscribers() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.subs)
}

func (m *Manor) serve() {
	defer close(m.stopped)
	for {
		select {
		case r := <-m.stack.Receive():
			m.take(r)
		case <-m.stack.Stopped():
			return
		}
	}
}

func (m *Manor) take(r lane.Received) {
	rt, err := route.ParseRoute(r.Body)
	if err != nil {
		return
	}
	from := rt.Src.Yard
	if from == "" {
		from = r.From
	}
	switch rt.Dst.Share {
	case protocol.ShareEventReq:
		m.mu.Lock()
		m.subs = append(m.subs, from)
		m.mu.Unlock()
	case protocol.ShareLocalCmd:
		load, _, _ := protocol.Load(r.Body)
		m.mu.Lock()
		m.loads = append(m.loads, load)
		if !slices.Contains(m.yards, from) {
			m.yards = append(m.yards, from)
		}
		m.mu.Unlock()
		m.publish(from, load)
	}
}

func (m *Manor) reply(yard, share string, ret body.Map) {
	send := func() { m.stack.Transmit(protocol.Reply(Estate, yard, share, ret), yard) }
	m.mu.Lock()
	if m.gated >= m.ReplyAfter {
		m.mu.Unlock()
		send()
		return
	}
	m.gated++
	m.held = append(m.held, send)
	var due []func()
	if m.gated == m.ReplyAfter {
		due, m.held = m.held, nil
	}
	m.mu.Unlock()
	for i := len(due) - 1; i >= 0; i-- {
		due[i]()
	}
}

// Fire sends an event to every subscriber, as the master does.
func (m *Manor) Fire(tag string, data body.Map) {
	m.mu.Lock()
	subs := slices.Clone(m.subs)
	m.mu.Unlock()
	for _, sub := range subs {
		msg := protocol.Event(Estate, protocol.YardManor, sub, tag, data)
		if err := m.stack.Transmit(msg, sub).Err(); errors.Is(err, lane.ErrGone) {
			m.mu.Lock()
			m.subs = slices.DeleteFunc(m.subs, func(s string) bool { return s == sub })
			m.mu.Unlock()
		}
	}
}

func (m *Manor) publish(yard string, load body.Map) {
	if key, _ := load.String("key"); key != m.Key {
		m.reply(yard, protocol.SharePubRet, protocol.ErrorReturn(protocol.ErrNameAuthentication, "Authentication error occurred."))
		return
	}
	if err := job.CheckPublish(load); err != nil {
		m.reply(yard, protocol.SharePubRet, protocol.ErrorReturn(protocol.ErrNameInvocation, err.Error()))
		return
	}
	tgt, _ := load.Get("tgt")
	tgtType, _ := load.String("tgt_type")
	targets := m.match(tgt, tgtType)
	if len(targets) == 0 {
		m.reply(yard, "", protocol.NoMinionsReply())
		return
	}
	fun, _ := load.Get("fun")
	findJob := fun == protocol.FunFindJob
	m.mu.Lock()
	jid := m.jids.Next()
	if m.jid != "" && !findJob {
		jid, m.jid = m.jid, ""
	}
	m.mu.Unlock()
	withJID := slices.Clone(load)
	withJID.Set("jid", jid)
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	if m.Noise {
		m.Fire(protocol.TagPresencePresent, protocol.PresentData([]string{"noise_minion"}))
		other := "20000101000000000001"
		for _, t := range targets {
			m.Fire(job.RetTag(other, t.ID), job.ReturnLoad(job.Return{Success: true, Return: "not this job", JID: other, Fun: fun, ID: t.ID}))
		}
	}
	m.Fire(jid, job.MinionsEvent(ids))
	m.Fire(job.NewJobTag(jid), job.NewJobEvent(withJID, ids, missing(tgt, tgtType, ids)))
	rep := protocol.PublishReply(protocol.PubLoad(load, jid), ids)
	if !m.RetsBeforeReply {
		m.reply(yard, "pub_ret", rep)
	}
	if findJob {
		m.answerFindJob(load, jid, targets)
	} else {
		m.run(load, jid, targets)
	}
	if m.RetsBeforeReply {
		m.reply(yard, "pub_ret", rep)
	}
}

// missing is the master's missing list: the ids a list target names that
// are none of the manor's minions.
func missing(tgt any, tgtType string, ids []string) []string {
	out := []string{}
	if tgtType != "list" {
		return out
	}
	var named []string
	switch l := tgt.(type) {
	case []any:
		for _, x := range l {
			s, _ := x.(string)
			named = append(named, s)
		}
	case string:
		named = strings.Split(l, ",")
	}
	for _, id := range named {
		if id != "" && !slices.Contains(ids, id) {
			out = append(out, id)
		}
	}
	return out
}

func (m *Manor) match(tgt any, tgtType string) []Minion {
	var out []Minion
	for _, mn := range m.minions {
		ok := false
		switch tgtType {
		case "", "glob":
			s, _ := tgt.(string)
			ok, _ = path.Match(s, mn.ID)
		case "list":
			switch l := tgt.(type) {
			case []any:
				ok = slices.Contains(l, any(mn.ID))
			case string:
				ok = slices.Contains(strings.Split(l, ","), mn.ID)
			}
		default:
			ok = true
		}
		if ok {
			out = append(out, mn)
		}
	}
	return out
}

func (m *Manor) returnEvent(load body.Map, jid string, mn Minion) {
	fun, _ := load.Get("fun")
	args, _ := load.Get("arg")
	funArgs, _ := args.([]any)
	r := job.Return{Success: mn.Retcode == 0 && !mn.NoRetcode, Return: mn.Return, JID: jid, Fun: fun, FunArgs: funArgs, ID: mn.ID, Out: mn.Out}
	if !mn.NoRetcode {
		rc := int64(mn.Retcode)
		r.Retcode = &rc
	}
	m.Fire(job.RetTag(jid, mn.ID), job.ReturnLoad(r))
}

// run plays the job for each targeted minion: delivered (or undelivered),
// then the returns that come at once, in the minions' order, then the late
// ones when their time comes.
func (m *Manor) run(load body.Map, jid string, targets []Minion) {
	m.mu.Lock()
	m.running[jid] = map[string]time.Time{}
	m.mu.Unlock()
	for _, mn := range targets {
		m.deliver(jid, mn)
	}
	var late []Minion
	for _, mn := range targets {
		switch {
		case mn.Undelivered != "" || mn.Withhold:
		case mn.Delay > 0:
			late = append(late, mn)
		default:
			m.returnEvent(load, jid, mn)
		}
	}
	m.returnLate(load, jid, late)
}

// returnLate fires each late return when its time comes, and after the
// ones due before it: each fires on a goroutine of its own, which a loaded
// machine may run out of order, and the outputs compared with Salt's are
// in return order.
func (m *Manor) returnLate(load body.Map, jid string, late []Minion) {
	slices.SortStableFunc(late, func(a, b Minion) int { return cmp.Compare(a.Delay, b.Delay) })
	before := make(chan struct{})
	close(before)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mn := range late {
		m.running[jid][mn.ID] = time.Now().Add(mn.Delay)
		m.wg.Add(1)
		prev, done := before, make(chan struct{})
		before = done
		m.timers = append(m.timers, time.AfterFunc(mn.Delay, func() {
			defer m.wg.Done()
			select {
			case <-prev:
			case <-m.stopped:
				return
			}
			defer close(done)
			m.mu.Lock()
			delete(m.running[jid], mn.ID)
			m.mu.Unlock()
			m.returnEvent(load, jid, mn)
		}))
	}
}

func (m *Manor) deliver(jid string, mn Minion) {
	switch {
	case mn.Undelivered != "":
		m.Fire(protocol.UndeliveredTag(jid, mn.ID), protocol.UndeliveredData(jid, mn.ID, mn.Undelivered))
	case !mn.NoDelivered:
		m.Fire(protocol.DeliveredTag(jid, mn.ID), protocol.DeliveredData(jid, mn.ID))
	}
}

// answerFindJob answers saltutil.find_job [<jid>] for each minion asked:
// the job's data while it still runs it, an empty mapping otherwise.
func (m *Manor) answerFindJob(load body.Map, jid string, targets []Minion) {
	asked := protocol.FindJobJID(load)
	for _, mn := range targets {
		m.deliver(jid, mn)
		if mn.Silent || mn.Undelivered != "" {
			continue
		}
		m.mu.Lock()
		_, runs := m.running[asked][mn.ID]
		m.mu.Unlock()
		var ret any = body.Map{}
		if runs {
			ret = body.Map{{Key: "jid", Value: asked}, {Key: "fun", Value: "test.sleep"}, {Key: "pid", Value: int64(4242)}}
		}
		m.returnEvent(load, jid, Minion{ID: mn.ID, Return: ret})
	}
}

// String describes the manor for test messages.
func (m *Manor) String() string { return fmt.Sprintf("fake manor in %s", m.Dir) }
