package client

import (
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

var errStale = errors.New("reply for another function")

// parseReply reads the master's reply to a publish (salt-messages.md, Lane
// step 3).
func parseReply(ret body.Map, fun any) (string, []string, error) {
	if v, ok := ret.Get("error"); ok {
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
		return "", nil, pe
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
			return "", nil, fmt.Errorf("%w: %v, not %v", errStale, f, fun)
		}
	}
	jv, _ := data.Get("jid")
	minions, err := stringList(data, "minions")
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

func stringList(m body.Map, key string) ([]string, error) {
	v, _ := m.Get(key)
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
