package netapi

import (
	"context"
	"errors"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Backend is what the API serves: Salt's NetapiClient and LoadAuth over a
// master (the salt-api process's SaltBackend, or another for tests).
type Backend interface {
	// MkToken is LoadAuth.mk_token: the token data of credentials
	// {username, password, eauth[, token_expire]}, nil when they do not
	// authenticate.
	MkToken(creds body.Map) (body.Map, error)
	// GetToken is the data of a Salt token still valid, nil otherwise.
	GetToken(tok string) body.Map
	// RmToken removes a Salt token.
	RmToken(tok string)
	// Perms is what /login shows of a token's rights (sum_permissions).
	Perms(tok body.Map) []any
	// Run is NetapiClient.run: low names its client and carries a token
	// or eauth credentials. Its errors are *SaltError for Salt's
	// exceptions, anything else an unexpected error (500).
	Run(ctx context.Context, low body.Map) (any, error)
	// Fire fires an event on the master's bus.
	Fire(tag string, data body.Map) error
	// Events opens a stream of every event of the master's bus.
	Events() (EventStream, error)
	// MasterRunning says whether the master's manor yard is there.
	MasterRunning() bool
}

// Iterated is a return that Salt's client yields as an iterator
// (cmd_batch): exec_lowstate lists each item as a return of its own.
type Iterated []any

// EventStream is a stream of the master's events.
type EventStream interface {
	Next(ctx context.Context) (tag string, data any, err error)
	Close()
}

// SaltError is one of Salt's exceptions, by its class name, as
// hypermedia_handler turns it into a status.
type SaltError struct {
	Name    string // AuthenticationError, SaltInvocationError, ...
	Message string
}

func (e *SaltError) Error() string { return e.Name + ": " + e.Message }

// The exception names the handler knows.
const (
	AuthenticationError      = "AuthenticationError"
	AuthorizationError       = "AuthorizationError"
	EauthAuthenticationError = "EauthAuthenticationError"
	TokenAuthenticationError = "TokenAuthenticationError"
	SaltInvocationError      = "SaltInvocationError"
	SaltDaemonNotRunning     = "SaltDaemonNotRunning"
	SaltReqTimeoutError      = "SaltReqTimeoutError"
	SaltClientTimeout        = "SaltClientTimeout"
)

// statusOf is hypermedia_handler's except clauses: the status a Salt
// exception is answered with; 0 for an unexpected error.
func statusOf(err error) (int, string) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status, he.Message
	}
	var se *SaltError
	if !errors.As(err, &se) {
		return 0, ""
	}
	switch se.Name {
	case AuthenticationError, AuthorizationError, EauthAuthenticationError, TokenAuthenticationError:
		return 401, se.Message
	case SaltInvocationError:
		return 400, se.Message
	case SaltDaemonNotRunning, SaltReqTimeoutError:
		return 503, se.Message
	case SaltClientTimeout:
		return 504, ""
	}
	return 0, ""
}
