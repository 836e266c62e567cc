package client

import (
	"context"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// MkToken asks the master for an eauth token, as Salt's Resolver.mk_token:
// creds hold username and password. The answer is the token's data
// ({start, expire, name, eauth, token, ...}), or nil when the master
// refused the credentials.
func (c *LocalClient) MkToken(ctx context.Context, eauth string, creds body.Map) (body.Map, error) {
	return c.tokenRequest(ctx, protocol.MkTokenLoad(eauth, creds))
}

// GetToken asks the master for a token's data (Resolver.get_token): nil
// for a token it does not have, or that expired.
func (c *LocalClient) GetToken(ctx context.Context, token string) (body.Map, error) {
	return c.tokenRequest(ctx, protocol.GetTokenLoad(token))
}

// tokenRequest sends a token request from a client yard it holds and
// waits for the master's answer.
func (c *LocalClient) tokenRequest(ctx context.Context, load body.Map) (body.Map, error) {
	y, err := c.takeYard(ctx)
	if err != nil {
		return nil, err
	}
	defer c.giveYard(y)
	drainReplies(y)
	if err := y.Transmit(protocol.LocalRequest(y.Name(), load), protocol.YardManor).Err(); err != nil {
		return nil, sendError(err, c.manorPath())
	}
	var answer body.Map
	err = c.awaitManor(ctx, y, "", func(r lane.Received) (bool, error) {
		ret, ok := protocol.Return(r.Body)
		if !ok {
			return false, nil
		}
		if v, ok := ret.Get("error"); ok {
			e, _ := v.(body.Map)
			name, _ := e.String("name")
			msg, _ := e.String("message")
			return true, &PublishError{Name: name, Message: msg}
		}
		if len(ret) > 0 {
			answer = ret
		}
		return true, nil
	})
	return answer, err
}

// SetAuth gives every publish from now on, the find_job publishes of the
// wait for returns included, these kwargs besides its own: an eauth's
// username, password and eauth, or a token, as Salt's LocalClient passes
// them through to each publish of a command.
func (c *LocalClient) SetAuth(kw body.Map) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.authKw = slices.Clone(kw)
}

// withAuth is kw with the SetAuth kwargs added (a copy when there are any).
func (c *LocalClient) withAuth(kw body.Map) body.Map {
	c.mu.Lock()
	auth := c.authKw
	c.mu.Unlock()
	if len(auth) == 0 {
		return kw
	}
	out := slices.Clone(kw)
	for _, it := range auth {
		out.Set(it.Key, it.Value)
	}
	return out
}
