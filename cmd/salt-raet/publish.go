package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/client"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// connect reads the master's access key and opens the client to the
// master's manor yard. done means the command ends here, with code.
func (s *saltCmd) connect(ctx context.Context) (c *client.LocalClient, code int, done bool) {
	cfg := s.cfg
	loadUser, keyUser := cli.Users(cfg.User)
	keyPath := filepath.Join(cfg.Cachedir, "."+keyUser+"_key")
	s.keyUser, s.keyPath = keyUser, keyPath
	key, err := os.ReadFile(keyPath)
	keyRead := err == nil
	switch {
	case keyRead:
		s.log.Debugf("Using the access key in %s, publishing as %s", keyPath, loadUser)
	case s.o.eauth.eauth != "" || s.savedToken() != "":
		// As Salt's LocalClient with skip_perm_errors: the key is empty,
		// the credentials or the token authenticate.
		s.log.Debugf("No access key in %s (%v): authenticating with eauth or a token", keyPath, err)
	default:
		s.errorf("cannot read the master's access key for user %s: %v", keyUser, err)
		fmt.Fprintf(s.stderr, "salt-master-raet writes %s for the user it runs as and for each user named in publisher_acl (cachedir is set in %s); run %s as one of them, or authenticate with -a.\n", keyPath, cfg.ConfFile, prog)
		return nil, exitNoReturn, true
	}

	// The job cache is where returns are found that came while the master
	// was being restarted under this command (the client reads it then).
	cache, err := masterJobCache(cfg)
	if err != nil {
		s.log.Warnf("Returns the master stores while it restarts cannot be read: %v", err)
	}
	c, err = client.New(client.Config{
		SockDir:          cfg.SockDir,
		Key:              string(key),
		KeyFile:          keyPath,
		JobCache:         cache,
		User:             loadUser,
		GatherJobTimeout: time.Duration(cfg.GatherJobTimeout) * time.Second,
		ReplyTimeout:     max(s.timeout, 5*time.Second),
		Log:              s.log,
	})
	if err != nil {
		s.errorf("%v", err)
		return nil, exitNoReturn, true
	}
	cr, code, done := s.eauthCredentials(ctx, c, keyRead)
	if done {
		c.Close()
		return nil, code, true
	}
	c.SetAuth(cr.kwargs(body.Map{}))
	return c, 0, false
}

// masterJobCache opens the master's job cache, which the master made:
// nil, and no directory created, when it is not there.
func masterJobCache(cfg *config.Master) (*job.Cache, error) {
	if _, err := os.Stat(filepath.Join(cfg.Cachedir, "jobs")); errors.Is(err, os.ErrNotExist) {
		return nil, nil // a master with no job cache yet (or elsewhere): nothing to read
	} else if err != nil {
		return nil, err
	}
	return job.OpenCache(cfg.Cachedir, cfg.HashType)
}

// publish sends the job and says what was sent: the jid with --async
// (which ends the command), -v or --show-jid. A target that matched no
// minion, an interrupt and a refused publish end the command. done means
// the command ends here, with code.
func (s *saltCmd) publish(ctx context.Context, c *client.LocalClient, j jobSpec) (jid string, minions []string, code int, done bool) {
	o := s.o
	kwargs := job.CLIKwargs(!o.hideTimeout, o.showJID, o.delimiter, !o.async)
	if o.async {
		kwargs.Set("listen", false)
	}
	kwargs = o.addReturnKwargs(kwargs)
	jid, minions, err := c.PublishJob(ctx, job.Publish{Tgt: j.tgt, TgtType: s.tgtType, Fun: j.fun, Arg: j.arg, Kwargs: kwargs, Ret: o.returner})
	switch {
	case errors.Is(err, client.ErrNoMinions):
		fmt.Fprintln(s.stdout, noMatchNotice)
		if o.async {
			return "", nil, exitNoReturn, true
		}
		s.display(body.Map{}, "", 0)
		s.errorf("No return received")
		return "", nil, exitNoReturn, true
	case ctx.Err() != nil:
		fmt.Fprintln(s.stderr, "\nExiting gracefully on Ctrl-c")
		return "", nil, exitGeneric, true
	case err != nil:
		if pe := (*client.PublishError)(nil); errors.As(err, &pe) && refusedBySalt(pe) {
			// SaltCMD.run prints the message of an authentication or
			// authorization refusal as the job's output, and exits 0.
			s.displayAny(pe.Message)
			return "", nil, exitOK, true
		}
		s.publishFailed(err)
		return "", nil, exitNoReturn, true
	}
	if o.async {
		fmt.Fprintf(s.stdout, "Executed command with job ID: %s\n", jid)
		return "", nil, exitOK, true
	}
	if !o.static {
		if o.verbose {
			msg := "Executing job with jid " + jid
			fmt.Fprintf(s.stdout, "%s\n%s\n\n", msg, strings.Repeat("-", len(msg)))
		} else if o.showJID {
			fmt.Fprintf(s.stdout, "jid: %s\n", jid)
		}
	}
	return jid, minions, 0, false
}

// publishFailed says why a publish failed, and which key the master did
// not take when that is why.
func (s *saltCmd) publishFailed(err error) {
	var pe *client.PublishError
	if !errors.As(err, &pe) {
		s.errorf("%v", err)
		return
	}
	if refusedBySalt(pe) {
		return
	}
	s.errorf("the master refused the publish: %v", pe)
	if pe.Name == "AuthenticationError" {
		fmt.Fprintf(s.stderr, "The access key in %s is not the one the master holds for %s.\n", s.keyPath, s.keyUser)
	}
}

// refusedBySalt reports a refusal Salt's LocalClient raises as an
// exception the salt command prints (AuthenticationError,
// AuthorizationError, EauthAuthenticationError, SaltInvocationError).
func refusedBySalt(pe *client.PublishError) bool {
	switch pe.Name {
	case "AuthenticationError", "AuthorizationError", "EauthAuthenticationError":
		return pe.Message != ""
	}
	return false
}
