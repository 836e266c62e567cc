package protocol

import (
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The publish: the salt command sends a publish load (job.PublishLoad) to
// the master's local_cmd share, and the master replies on the command's
// yard (docs/salt-messages.md, "Lane (master host)", steps 2 and 3).

// Error names of a refused publish, in the reply's {"error": {name, message}}.
const (
	ErrNameAuthentication = "AuthenticationError"
	ErrNameInvocation     = "SaltInvocationError"
	// ErrNameMaster is a publish the master could not carry out (the job
	// cache could not be written): not the client's fault.
	ErrNameMaster = "SaltMasterError"
)

// Errors of ParsePublishReply besides *PublishError; test them with errors.Is.
var (
	// ErrNoMinions says the master found no accepted key matching the
	// target, so no job was published and no jid allocated.
	ErrNoMinions = errors.New("no minions matched the target")
	// ErrStaleReply says the reply is for another function: an earlier
	// publish whose sender gave up waiting.
	ErrStaleReply = errors.New("reply for another function")
)

// PublishError is the master refusing a publish: {"error": {"name",
// "message"}} in its reply, e.g. AuthenticationError for a wrong key.
type PublishError struct {
	Name    string // AuthenticationError, AuthorizationError, SaltInvocationError, ...
	Message string
}

func (e *PublishError) Error() string {
	switch {
	case e.Name == "":
		return e.Message
	case e.Message == "":
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// PublishRequest is the salt command's publish, from its client yard:
//
//	{"route": {"dst": [null, "manor", "local_cmd"], "src": [null, <yard>, null]},
//	 "load": <load>}
func PublishRequest(yard string, load body.Map) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareLocalCmd),
		body.Item{Key: "load", Value: load})
}

// Reply is the master's answer to a request from a yard on its lane, share
// "" being null:
//
//	{"route": {"src": [<estate>, "manor", null], "dst": [<estate>, <yard>, <share>]},
//	 "return": <ret>}
func Reply(estate, yard, share string, ret body.Map) body.Map {
	return envelope(route.Addr{Estate: estate, Yard: YardManor},
		route.Addr{Estate: estate, Yard: yard, Share: share},
		body.Item{Key: "return", Value: ret})
}

// ErrorReturn is the return of a refused request: {"error": {name, message}}.
func ErrorReturn(name, message string) body.Map {
	return body.Map{{Key: "error", Value: body.Map{
		{Key: "name", Value: name},
		{Key: "message", Value: message},
	}}}
}

// PublishReply is the worker's answer to a publish that reached minions
// (salt-payloads/publish-worker-reply.json): {ret: {jid, minions}, pub}.
func PublishReply(pub body.Map, minions []string) body.Map {
	jid, _ := pub.Get("jid")
	return body.Map{
		{Key: "ret", Value: body.Map{
			{Key: "jid", Value: jid},
			{Key: "minions", Value: nonNil(minions)},
		}},
		{Key: "pub", Value: pub},
	}
}

// NoMinionsReply is the answer to a publish whose target matched no
// accepted key (salt-payloads/publish-no-minions-reply.json): no jid is
// allocated and nothing is sent.
func NoMinionsReply() body.Map {
	return body.Map{
		{Key: "enc", Value: "clear"},
		{Key: "load", Value: body.Map{
			{Key: "jid", Value: nil},
			{Key: "minions", Value: []string{}},
		}},
	}
}

// ParsePublishReply reads the return of the master's reply to a publish of
// fun: the jid and the minions the job went to. Errors: a *PublishError
// when the master refused the publish, ErrNoMinions when no key matched,
// ErrStaleReply when the reply is for another function, or one saying
// what is malformed.
func ParsePublishReply(ret body.Map, fun any) (string, []string, error) {
	if v, ok := ret.Get("error"); ok {
		return "", nil, publishError(v)
	}
	data, ok := ret.Map("ret")
	if !ok {
		// {"enc": "clear", "load": {"jid": null, "minions": []}}: no match.
		data, ok = ret.Map("load")
		if !ok {
			return "", nil, fmt.Errorf("the master's reply has neither ret, load nor error: %v", ret.Keys())
		}
	} else if pub, ok := ret.Map("pub"); ok {
		if f, ok := pub.Get("fun"); ok && fmt.Sprint(f) != fmt.Sprint(fun) {
			return "", nil, fmt.Errorf("%w: %v, not %v", ErrStaleReply, f, fun)
		}
	}
	jv, _ := data.Get("jid")
	minions, err := Minions(data)
	if err != nil {
		return "", nil, err
	}
	if jv == nil || len(minions) == 0 {
		return "", nil, ErrNoMinions
	}
	jid, ok := jv.(string)
	if !ok || !job.IsJID(jid) {
		return "", nil, fmt.Errorf("the master's reply has a jid that is not one: %v", jv)
	}
	return jid, minions, nil
}

func publishError(v any) *PublishError {
	pe := &PublishError{}
	switch x := v.(type) {
	case body.Map:
		pe.Name, _ = x.String("name")
		pe.Message, _ = x.String("message")
	case string:
		pe.Message = x
	default:
		pe.Message = fmt.Sprint(x)
	}
	return pe
}

// Minions reads data["minions"], the list of minion ids a reply or an
// event names; nil when there is none.
func Minions(data body.Map) ([]string, error) {
	const key = "minions"
	v, _ := data.Get(key)
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			str, ok := s.(string)
			if !ok {
				return nil, fmt.Errorf("the master's reply lists a minion that is not a string: %v", s)
			}
			out = append(out, str)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the master's reply has %s that is not a list: %v", key, v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
