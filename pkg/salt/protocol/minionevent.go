package protocol

import (
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// A minion's event for its master's event bus (event.send,
// event.fire_master) goes as a request on a track (Request) with the load
// Salt 3006's Minion._fire_master sends; the master answers true when it
// fired it, false when it refused it.
const CmdMinionEvent = "_minion_event"

// MinionEventLoad is the load of a _minion_event request for one event,
// as Minion._fire_master builds it (without Salt's tok: the road's
// signature proves the sender). An empty data goes as {}:
//
//	{"id": <id>, "cmd": "_minion_event", "pretag": null, "data": <data>, "tag": <tag>}
func MinionEventLoad(id, tag string, data any) body.Map {
	if data == nil {
		data = body.Map{}
	}
	return body.Map{
		{Key: "id", Value: id},
		{Key: "cmd", Value: CmdMinionEvent},
		{Key: "pretag", Value: nil},
		{Key: "data", Value: data},
		{Key: "tag", Value: tag},
	}
}

// MinionEvent is one event a _minion_event load asks the master to fire:
// its tag and its data, a mapping.
type MinionEvent struct {
	Tag  string
	Data body.Map
}

// MinionEvents reads what a _minion_event load asks the master to fire, as
// RemoteFuncs._minion_event reads it: with an "events" list, each event's
// "data" (or the event itself when it has none) under its "tag", and again
// under <pretag>/<tag> when the load has a pretag; otherwise the whole load
// under its "tag". ok is false for a load Salt answers False to (neither
// events nor both tag and data). An event whose tag is empty or whose data
// is no mapping is left out, as Salt's fire_event raises on it.
func MinionEvents(load body.Map) (evs []MinionEvent, ok bool) {
	events, hasEvents := load.Get("events")
	tag, hasTag := load.Get("tag")
	_, hasData := load.Get("data")
	if !hasEvents && (!hasTag || !hasData) {
		return nil, false
	}
	if !hasEvents {
		if s, ok := tag.(string); ok && s != "" {
			evs = append(evs, MinionEvent{Tag: s, Data: load})
		}
		return evs, true
	}
	list, _ := events.([]any)
	pretag, _ := load.String("pretag")
	for _, e := range list {
		ev, ok := e.(body.Map)
		if !ok {
			continue
		}
		tag, _ := ev.String("tag")
		data := ev
		if d, has := ev.Get("data"); has {
			data, _ = d.(body.Map)
		}
		if tag == "" || data == nil {
			continue
		}
		evs = append(evs, MinionEvent{Tag: tag, Data: data})
		if pretag != "" {
			evs = append(evs, MinionEvent{Tag: pretag + "/" + tag, Data: data})
		}
	}
	return evs, true
}

// StampedEvent is the data an event is fired with on Salt 3006's event bus:
// a copy of data with "_stamp", the time it was fired in UTC as Python's
// datetime.isoformat() writes it, added (or replaced) at its end.
func StampedEvent(data body.Map, now time.Time) body.Map {
	out := make(body.Map, 0, len(data)+1)
	for _, it := range data {
		if it.Key != "_stamp" {
			out = append(out, it)
		}
	}
	return append(out, body.Item{Key: "_stamp", Value: IsoStamp(now)})
}

// IsoStamp is datetime.utcnow().isoformat(): microseconds, no zone, and no
// fraction at all when the microseconds are zero.
// Every event the master fires is stamped (three per job), so the digits
// are written here rather than by time.Format, which parses its layout at
// each call.
func IsoStamp(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return isoStampFormat(t)
	}
	hour, minute, sec := t.Clock()
	micro := t.Nanosecond() / 1000
	var b [26]byte
	digits(b[0:4], year)
	b[4] = '-'
	digits(b[5:7], int(month))
	b[7] = '-'
	digits(b[8:10], day)
	b[10] = 'T'
	digits(b[11:13], hour)
	b[13] = ':'
	digits(b[14:16], minute)
	b[16] = ':'
	digits(b[17:19], sec)
	if micro == 0 {
		return string(b[:19])
	}
	b[19] = '.'
	digits(b[20:26], micro)
	return string(b[:])
}

// isoStampFormat is IsoStamp by time.Format, for years outside 1–9999.
func isoStampFormat(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}

// digits writes n in decimal into all of b, zero-padded on the left.
func digits(b []byte, n int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
}

// ReservedEventTag reports whether the minion id may not fire tag, one of
// the master's own: a job's (salt/job/..., a bare jid, new_job) or the
// presence, stats and runner answers. The salt command trusts those to
// come from the master, so a minion firing them could forge another
// minion's return. A job's progress events of the minion itself
// (salt/job/<jid>/prog/<id>/..., state_events) are its own to fire.
func ReservedEventTag(tag, id string) bool {
	if ev, ok := ParseJobTag(tag); ok && ev.Kind == "prog" && (ev.ID == id || strings.HasPrefix(ev.ID, id+"/")) {
		return false
	}
	for _, p := range []string{"salt/job/", "salt/presence/", "salt/stats/", "salt/run/"} {
		if strings.HasPrefix(tag, p) {
			return true
		}
	}
	if tag == TagNewJob || tag == "salt/job" {
		return true
	}
	return tag != "" && strings.Trim(tag, "0123456789") == ""
}
