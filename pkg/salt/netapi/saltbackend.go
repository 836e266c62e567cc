package netapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/salt/auth"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
	"github.com/saltraet/saltraet/pkg/salt/wheel"
)

// SaltBackend is the Backend of salt-api-raet: Salt's NetapiClient over a
// master on RAET. Publishes go to the master over its lane carrying the
// caller's token or eauth credentials, which the master checks; runners
// and wheel functions run in this process, as salt-run-raet runs them,
// after the runner or wheel ACL check.
type SaltBackend struct {
	opts  *config.Master
	auth  *auth.LoadAuth
	log   logrus.FieldLogger
	jids  *job.JIDGen
	wheel *wheel.Wheel

	mu     sync.Mutex
	client *client.LocalClient // the lane client, connected on first use
}

// NewSaltBackend makes the backend of the master configured by opts.
func NewSaltBackend(opts *config.Master, log logrus.FieldLogger) (*SaltBackend, error) {
	la, err := auth.New(opts)
	if err != nil {
		return nil, err
	}
	store, err := pki.Open(opts.PKIDir, pki.Options{})
	if err != nil {
		return nil, err
	}
	b := &SaltBackend{opts: opts, auth: la, log: log, jids: &job.JIDGen{}}
	b.wheel = wheel.New(opts, store, func(tag string, d body.Map) {
		if err := b.Fire(tag, d); err != nil {
			log.Debugf("The event %s was not fired: %v", tag, err)
		}
	}, log)
	return b, nil
}

// Close closes the lane client.
func (b *SaltBackend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client != nil {
		return b.client.Close()
	}
	return nil
}

// Client is the lane client, connected on first use and again after the
// master was found gone. Its access key is the master's own user's: it is
// what runners publish with, as runners run in Salt's master; a caller's
// publish carries the caller's token in its kwargs, which the master
// checks first.
func (b *SaltBackend) Client() (*client.LocalClient, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client != nil {
		return b.client, nil
	}
	keyUser := b.opts.User
	if keyUser == "" {
		keyUser = "root"
	}
	keyPath := filepath.Join(b.opts.Cachedir, "."+keyUser+"_key")
	key, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, &SaltError{Name: SaltDaemonNotRunning, Message: fmt.Sprintf("Salt Master is not available. (%v)", err)}
	}
	var cache *job.Cache
	if _, err := os.Stat(filepath.Join(b.opts.Cachedir, "jobs")); err == nil {
		cache, _ = job.OpenCache(b.opts.Cachedir, b.opts.HashType)
	}
	c, err := client.New(client.Config{
		SockDir: b.opts.SockDir, Key: string(key), KeyFile: keyPath, JobCache: cache, User: keyUser,
		GatherJobTimeout: time.Duration(b.opts.GatherJobTimeout) * time.Second,
		ReplyTimeout:     max(time.Duration(b.opts.Timeout)*time.Second, 5*time.Second),
		Log:              b.log,
	})
	if err != nil {
		if errors.Is(err, client.ErrNoMaster) {
			return nil, &SaltError{Name: SaltDaemonNotRunning, Message: "Salt Master is not available."}
		}
		return nil, err
	}
	b.client = c
	return c, nil
}

// MasterRunning is _is_master_running: the master's manor yard is there.
func (b *SaltBackend) MasterRunning() bool {
	_, err := os.Stat(lane.HA(b.opts.SockDir, "master", protocol.YardManor))
	return err == nil
}

// MkToken is LoadAuth.mk_token; credentials refused are no token.
func (b *SaltBackend) MkToken(creds body.Map) (body.Map, error) {
	tok, err := b.auth.MkToken(creds)
	if errors.Is(err, auth.ErrNotAuthenticated) {
		return nil, nil
	}
	return tok, err
}

// GetToken is the data of a valid Salt token.
func (b *SaltBackend) GetToken(tok string) body.Map {
	t, err := b.auth.GetTok(tok)
	if err != nil || len(t) == 0 {
		return nil
	}
	return t
}

// RmToken removes a Salt token.
func (b *SaltBackend) RmToken(tok string) { _ = b.auth.RmToken(tok) }

// Perms is what /login shows.
func (b *SaltBackend) Perms(tok body.Map) []any { return b.auth.Perms(tok) }

// Fire fires an event on the master's bus.
func (b *SaltBackend) Fire(tag string, data body.Map) error {
	c, err := b.Client()
	if err != nil {
		return err
	}
	return c.FireEvent(tag, data)
}

// Events opens a stream of the master's events.
func (b *SaltBackend) Events() (EventStream, error) {
	c, err := b.Client()
	if err != nil {
		return nil, err
	}
	return busStream{c.Stream()}, nil
}

type busStream struct{ s *client.EventStream }

func (s busStream) Next(ctx context.Context) (string, any, error) {
	ev, err := s.s.Next(ctx)
	return ev.Tag, ev.Data, err
}

func (s busStream) Close() { s.s.Close() }

// Run is NetapiClient.run.
func (b *SaltBackend) Run(ctx context.Context, low body.Map) (any, error) {
	if !b.MasterRunning() {
		return nil, &SaltError{Name: SaltDaemonNotRunning, Message: "Salt Master is not available."}
	}
	cl, _ := low.Get("client")
	name, _ := cl.(string)
	if !slices.Contains(Clients, name) {
		return nil, &SaltError{Name: SaltInvocationError, Message: fmt.Sprintf("Invalid client specified: '%s'", pyStr(cl))}
	}
	if !slices.Contains(b.enabledClients(), name) {
		return nil, &SaltError{Name: SaltInvocationError, Message: fmt.Sprintf(
			"Client disabled: '%s'. Add to 'netapi_enable_clients' master config option to enable.", name)}
	}
	if !low.Has("token") && !low.Has("eauth") {
		return nil, &SaltError{Name: EauthAuthenticationError, Message: "No authentication credentials given"}
	}
	if rs, _ := low.Get("raw_shell"); py.Truthy(rs) {
		if v, _ := b.opts.Raw["netapi_allow_raw_shell"].(bool); !v {
			return nil, &SaltError{Name: EauthAuthenticationError, Message: "Raw shell option not allowed."}
		}
	}
	switch name {
	case "local", "local_async", "local_batch":
		return b.local(ctx, name, low)
	case "runner", "runner_async":
		return b.runner(ctx, name == "runner_async", low)
	default:
		return b.wheelCall(name == "wheel_async", low)
	}
}

// enabledClients is netapi_enable_clients (none by default, as in Salt
// 3006: every client must be enabled).
func (b *SaltBackend) enabledClients() []string {
	list, _ := b.opts.Raw["netapi_enable_clients"].([]any)
	out := make([]string, 0, len(list))
	for _, c := range list {
		if s, ok := c.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// pyStr is str() of a lowstate value as Salt's messages format it.
func pyStr(v any) string {
	if v == nil {
		return "None"
	}
	return fmt.Sprint(v)
}

// checkClearFunc is ClearFuncs.runner's and .wheel's checks (form
// "runner" or "wheel"): the user the call runs as, or Salt's error.
func (b *SaltBackend) checkClearFunc(low body.Map, form string) (string, error) {
	user, aerr := b.auth.CheckClearFunc(low, form, nil)
	if aerr != nil {
		return "", &SaltError{Name: aerr.Name, Message: aerr.Message}
	}
	return user, nil
}
