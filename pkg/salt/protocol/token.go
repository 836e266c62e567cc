package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
)

// Tokens: Salt's Resolver asks the master for an eauth token
// ({"cmd": "mk_token", "eauth", "username", "password"}) and for a token's
// data ({"cmd": "get_token", "token"}), ClearFuncs.mk_token and get_token.
// On RAET both go to the master's local_cmd share as a publish does, and
// the master answers the client's yard with the token's data as the
// reply's return: {start, expire, name, eauth, [auth_list], [groups],
// token}. A refusal (wrong credentials, an unknown or expired token) is
// the empty mapping, where Salt answers "" or {}: a reply's return is
// always a mapping.

// Commands of the token requests, on local_cmd.
const (
	CmdMkToken  = "mk_token"
	CmdGetToken = "get_token"
)

// Error names of refused publishes besides ErrNameAuthentication (Salt's
// ClearFuncs.publish and check_authentication).
const (
	ErrNameAuthorization       = "AuthorizationError"
	ErrNameEauthAuthentication = "EauthAuthenticationError"
	ErrNameTokenAuthentication = "TokenAuthenticationError"
	ErrNameUserAuthentication  = "UserAuthenticationError"
)

// MkTokenLoad is Resolver.mk_token's load: the credentials with cmd and
// eauth set. creds holds username and password (and token_expire, when
// the user may choose it).
func MkTokenLoad(eauth string, creds body.Map) body.Map {
	load := body.Map{{Key: "cmd", Value: CmdMkToken}}
	for _, it := range creds {
		if it.Key != "cmd" && it.Key != "eauth" {
			load = append(load, it)
		}
	}
	return append(load, body.Item{Key: "eauth", Value: eauth})
}

// GetTokenLoad is Resolver.get_token's load.
func GetTokenLoad(token string) body.Map {
	return body.Map{{Key: "token", Value: token}, {Key: "cmd", Value: CmdGetToken}}
}

// LocalRequest is a request from a client yard to the master's local_cmd
// share, routed as PublishRequest.
func LocalRequest(yard string, load body.Map) body.Map {
	return envelopeDstFirst(route.Addr{Yard: yard}, manor(ShareLocalCmd),
		body.Item{Key: "load", Value: load})
}

// TokenReply is the return of the master's answer to mk_token or
// get_token: the token's data, or the empty mapping.
func TokenReply(tok body.Map) body.Map {
	if tok == nil {
		return body.Map{}
	}
	return tok
}
