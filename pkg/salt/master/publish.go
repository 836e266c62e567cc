package master

import (
	"fmt"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/auth"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// Error names of refused publishes (docs/salt-messages.md, lane step 3),
// defined by the contract.
const (
	ErrNameAuthentication = protocol.ErrNameAuthentication
	ErrNameInvocation     = protocol.ErrNameInvocation
	ErrNameMaster         = protocol.ErrNameMaster
)

// onLocalCmd takes a request from a local client. Only the lane may send
// one (policy.go); the work is done by a worker.
func (m *Master) onLocalCmd(msg route.Message) {
	yard := msg.Route.Src.Yard
	m.enqueue(func() { m.localCmd(msg.Body, yard) })
}

// localCmd carries out a client's request and answers the client's yard.
func (m *Master) localCmd(b body.Map, yard string) {
	load, cmd, ok := protocol.Load(b)
	if !ok {
		m.refuse("bad_load", "Refused a local_cmd from yard %s: it has no load mapping", yard)
		m.replyError(yard, ErrNameInvocation, "the message has no load")
		return
	}
	switch cmd {
	case protocol.CmdPublish:
		m.publish(load, yard)
	case protocol.CmdMkToken, protocol.CmdGetToken:
		m.tokenCmd(cmd, load, yard)
	default:
		m.refuse("unknown_cmd", "Refused a local_cmd from yard %s: cmd %s is not supported (only publish, mk_token and get_token)", yard, quoteCmd(load))
		m.replyError(yard, ErrNameInvocation, fmt.Sprintf("cmd %s is not supported by salt-master-raet: only publish, mk_token and get_token", quoteCmd(load)))
	}
}

func quoteCmd(load body.Map) string {
	v, ok := load.Get("cmd")
	if !ok {
		return "(missing)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", clip(s))
	}
	return fmt.Sprintf("%T", v)
}

// clip shortens a string a peer chose before it goes into a log line.
func clip(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + fmt.Sprintf("...(%d bytes)", len(s))
}

// publish is LocalFuncs.publish (spec/salt-raet.md 3.2) for one load:
// checked, authenticated (publishauth.go), then sent.
func (m *Master) publish(load body.Map, yard string) {
	if !m.admitPublish(load, yard) {
		return
	}
	m.authenticatePublish(load, yard, func(authType string, r auth.Result) {
		if r.Error != nil {
			m.authRefused(yard, authType, load, r)
			return
		}
		m.publishAuthenticated(load, yard, authType, r)
	})
}

// publishAuthenticated is the rest of ClearFuncs.publish, once the
// publisher is known: the targets, the ACL, the job.
func (m *Master) publishAuthenticated(load body.Map, yard, authType string, r auth.Result) {
	load = slices.Clone(load)
	load.Delete("key") // never stored, never fired
	tgtType, _ := load.String("tgt_type")
	if !load.Has("tgt_type") {
		if old, ok := load.String("expr_form"); ok { // the pre-2019.2 name
			tgtType = old
		}
	}
	tgt, _ := load.Get("tgt")
	kwargs, _ := load.Map("kwargs")
	delim, _ := kwargs.String("delimiter")
	tgtType, tgt, err := m.resolveNodegroups(&load, tgtType, tgt)
	if err != nil {
		m.refuse("bad_target", "Refused a publish from yard %s: %v", yard, err)
		m.replyError(yard, ErrNameInvocation, err.Error())
		return
	}
	minions, err := m.targets(tgtType, tgt, delim)
	if err != nil {
		m.refuse("bad_target", "Refused a publish from yard %s: %v", yard, err)
		m.replyError(yard, ErrNameInvocation, err.Error())
		return
	}
	if !m.authorizePublish(&load, yard, authType, r, minions) {
		return
	}
	load = withoutSecrets(load)
	if len(minions) == 0 {
		m.stats.Add("publish_no_minions")
		m.log.Infof("Publish of %v to %v (%s): no accepted minion matched", fun(load), tgt, tgtTypeOr(tgtType))
		m.reply(yard, "", protocol.NoMinionsReply())
		return
	}
	jid, _ := load.String("jid")
	prepared := jid == ""
	nocache, _ := kwargs.Bool("nocache")
	if prepared {
		if jid, err = m.jobs.prep(); err != nil {
			m.stats.Add("cache_error")
			m.log.Errorf("Publish from yard %s: %v", yard, err)
			m.replyError(yard, ErrNameMaster, err.Error())
			return
		}
	}
	load.Set("jid", jid)
	// Salt 3006's _prep_pub: {minions} under the bare jid, then
	// salt/job/<jid>/new (3006 no longer fires the old "new_job" tag).
	m.ev.fire(jid, job.MinionsEvent(minions))
	m.ev.fire(job.NewJobTag(jid), job.NewJobEvent(load, minions, missingIDs(tgtType, tgt, minions)))
	m.jobUsers.note(jid, load)
	pub := protocol.PubLoad(load, jid) // read only from here, by both goroutines
	m.stats.Add("publish")
	m.watch.published(jid, fun(load), minions, m.now())
	m.log.Infof("Job %s: %v to %d minion(s) %v", jid, fun(load), len(minions), minions)
	// The job's files are written behind the workers, and the salt command
	// is answered once they are there, so that its jid is always found in
	// the job cache (salt --async, then jobs.lookup_jid); the publish goes
	// out meanwhile. A load that cannot be stored is logged and the job
	// still runs, as Salt's _prep_pub does when save_load fails. The files
	// become durable at the next group commit: the road says done to a
	// minion's return on receipt, before the return itself is synced, so
	// the window a crash of the machine can hit is the same either way.
	m.jobs.saveLoad(jid, load, minions, prepared, nocache, func(err error) {
		if err != nil {
			m.stats.Add("cache_error")
			m.log.Errorf("Publish %s: %v", jid, err)
		}
		m.reply(yard, protocol.SharePubRet, protocol.PublishReply(pub, minions))
	})
	m.sendPub(jid, minions, m.keepFunArgs(jid, pub, len(minions)))
}

func fun(load body.Map) any { v, _ := load.Get("fun"); return v }

func tgtTypeOr(t string) string {
	if t == "" {
		return "glob"
	}
	return t
}

// reply answers a client yard (protocol.Reply).
func (m *Master) reply(yard, share string, ret body.Map) {
	if yard == "" {
		m.stats.Add("reply_no_yard")
		return
	}
	m.router.Send(protocol.Reply(m.estate, yard, share, ret))
}

// replyError answers a refused request: {"return": {"error": {name, message}}}.
func (m *Master) replyError(yard, name, message string) {
	m.reply(yard, "", protocol.ErrorReturn(name, message))
}

// sendPub sends the publish to each targeted minion's allowed estates, and
// only to them, reporting each delivery as an event; a delivery that fails
// is tried again when the minion is allowed again (resend.go). A minion
// whose accepted key file broke behind its session is not sent the job,
// whose return would be refused: it is reported undelivered, naming the
// file.
func (m *Master) sendPub(jid string, minions []string, pub body.Map) {
	estates := m.estates()
	for _, id := range minions {
		if err := m.judge.brokenKey(id); err != nil {
			m.undelivered(jid, id, "", err.Error())
			continue
		}
		m.newPubDelivery(jid, id, pub).start(estates)
	}
}

func (m *Master) undelivered(jid, id, estate, why string) {
	m.stats.Add("publish_undelivered")
	m.watch.undelivered(jid, id)
	if estate != "" {
		m.log.Warnf("Job %s was not delivered to %s (estate %s): %s", jid, id, estate, why)
	} else {
		m.log.Warnf("Job %s was not delivered to %s: %s", jid, id, why)
	}
	m.ev.fire(UndeliveredTag(jid, id), protocol.UndeliveredData(jid, id, why))
}

// accepted lists the ids of the accepted keys (shared: read only).
func (m *Master) accepted() ([]string, error) {
	return m.keyc.acceptedIDs()
}

// admitPublish checks a publish before anything of it is used: the load's
// size and its fields (its publisher is authenticated next). A refusal is
// counted, logged and answered to the yard.
func (m *Master) admitPublish(load body.Map, yard string) bool {
	// Packed only when its bound is over the limit: a large load is not
	// packed once more just to be measured.
	if bound, ok := body.PackedSizeAtMost(load); m.opts.maxLoadSize > 0 && (!ok || bound > m.opts.maxLoadSize) {
		packed, err := body.AppendMsgpack(nil, load)
		if err != nil {
			m.refuse("bad_load", "Refused a publish from yard %s: %v", yard, err)
			m.replyError(yard, ErrNameInvocation, err.Error())
			return false
		}
		if len(packed) > m.opts.maxLoadSize {
			m.refuse("oversize_load", "Refused a publish from yard %s: its load is %d bytes, more than the master's limit of %d", yard, len(packed), m.opts.maxLoadSize)
			m.replyError(yard, ErrNameInvocation, fmt.Sprintf("the publish load is %d bytes, more than the master's limit of %d", len(packed), m.opts.maxLoadSize))
			return false
		}
	}
	if err := job.CheckPublish(load); err != nil {
		m.refuse("bad_load", "Refused a publish from yard %s: %v", yard, err)
		m.replyError(yard, ErrNameInvocation, err.Error())
		return false
	}
	return true
}
