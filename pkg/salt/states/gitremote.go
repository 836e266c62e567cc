package states

import (
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// git.latest when the checkout's remote does not point at name: Salt
// repoints it (git remote set-url, or adds it) before updating.

// remoteURL is the remote's fetch URL in dir, "" when there is no such
// remote (Salt's None).
func remoteURL(ctx context.Context, dir, remote string) string {
	url, err := git(ctx, dir, "remote", "get-url", remote)
	if err != nil {
		return ""
	}
	return url
}

// gitRemoteTest is git.latest's test=True answer when the remote would
// be repointed; ok is false when it points at name already.
func gitRemoteTest(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, co checkout) (state.Ret, bool) {
	url := remoteURL(ctx, s.target, s.remote)
	if url == s.name {
		return ret, false
	}
	actions := []string{fmt.Sprintf("Remote '%s' would be changed from %s to %s", s.remote, cmpOr(url, "None"), s.name)}
	if !co.has {
		actions = append(actions, "Remote would be fetched")
	}
	if !co.match {
		ret.Changes.Set("revision", body.Map{{Key: "old", Value: co.local}, {Key: "new", Value: rr.sha}})
		if co.ff == ffNo {
			ret.Changes.Set("forced update", true)
		}
		actions = append(actions, fmt.Sprintf("Repository would be %s to %s", co.mergeAction(), rr.sha[:7]))
	}
	if len(ret.Changes) > 0 {
		ret.Result, ret.Comment = nil, formatComments(actions)
		return ret, true
	}
	return gitUpToDate(ret, s.target, pyChars(formatComments(actions)), true), true
}

// gitRemoteSet repoints (or adds) the remote and says so.
func gitRemoteSet(ctx context.Context, s gitSpec, ret *state.Ret) (string, error) {
	url := remoteURL(ctx, s.target, s.remote)
	switch {
	case url == s.name:
		return "", nil
	case url == "":
		if _, err := git(ctx, s.target, "remote", "add", s.remote, s.name); err != nil {
			return "", err
		}
		ret.Changes.Set("new", s.name+" => "+s.remote)
		return fmt.Sprintf("Remote '%s' set to %s", s.remote, s.name), nil
	}
	if _, err := git(ctx, s.target, "remote", "set-url", s.remote, s.name); err != nil {
		return "", err
	}
	return fmt.Sprintf("Remote '%s' changed from %s to %s", s.remote, url, s.name), nil
}
