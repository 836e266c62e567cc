package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// git.latest (salt/states/git.py) for a non-bare checkout: clone, or
// fetch and fast-forward (or hard-reset with force_reset) to rev, with the
// local branch and its upstream as Salt sets them.

func registerGit(r state.Registry) { r["git.latest"] = gitLatest }

// gitOrder is git.latest's ret as Salt builds it.
var gitOrder = []string{"name", "result", "comment", "changes"}

type gitSpec struct {
	name, target, rev, branch, remote string
	depth                             string // "" for none
	forceReset                        bool   // force_reset: True
	resetRemote                       bool   // force_reset: remote-changes
}

// remoteRev is what rev names on the remote: its sha1, its kind (branch,
// tag, sha1), where it is for comments, and the upstream the local
// branch should track: up "" with upKeep (rev HEAD: leave it), "" alone
// (unset it, Salt's False) or "origin/<branch>".
type remoteRev struct {
	sha, kind, loc, up string
	upKeep             bool
	defaultBranch      string // the remote branch HEAD points at
}

func gitLatest(ctx context.Context, c *state.Call) state.Ret {
	a := argsOf(c)
	s := gitSpec{name: c.Low.Name, target: a.str("target", ""), rev: a.str("rev", "HEAD"), branch: a.str("branch", ""),
		remote: a.str("remote", "origin"), forceReset: a.isTrue("force_reset"),
		resetRemote: a.str("force_reset", "") == "remote-changes"}
	if a.has("depth") {
		s.depth = a.str("depth", "")
	}
	ret := newRet(s.name, &yes)
	ret.Order = gitOrder
	if s.target == "" {
		return gitFail(ret, "'target' argument is required", nil)
	}
	s.target = filepath.Clean(s.target)
	refs, err := lsRemote(ctx, s.name)
	if err != nil {
		return gitFail(ret, "Failed to check remote refs: "+err.Error(), nil)
	}
	rr := resolveRev(&s, refs)
	rr.defaultBranch = defaultBranch(refs)
	if s.depth != "" && rr.kind != "branch" && rr.kind != "tag" {
		return gitFail(ret, "When 'depth' is used, 'rev' must be set to the name of a branch or tag on the remote repository", nil)
	}
	if rr.sha == "" && s.rev != "HEAD" {
		return gitFail(ret, fmt.Sprintf("No revision matching '%s' exists in the remote repository", s.rev), nil)
	}
	if _, err := os.Stat(filepath.Join(s.target, ".git")); err == nil {
		return gitUpdate(ctx, c.Test, s, rr, ret)
	}
	if entries, err := os.ReadDir(s.target); err == nil && len(entries) > 0 {
		return gitFail(ret, fmt.Sprintf("Target '%s' exists, is non-empty and is not a git repository. Set the 'force_clone' option to True to remove this directory's contents and proceed with cloning the remote repository", s.target), nil)
	}
	return gitClone(ctx, c.Test, s, rr, ret)
}

// resolveRev is git.latest's reading of `git ls-remote`.
func resolveRev(s *gitSpec, refs map[string]string) remoteRev {
	var rr remoteRev
	switch {
	case s.rev == "HEAD":
		if rr.sha = refs["HEAD"]; rr.sha != "" {
			rr.kind, rr.upKeep, rr.loc = "sha1", true, "remote HEAD ("+rr.sha[:7]+")"
		}
		return rr
	case refs["refs/heads/"+s.rev] != "":
		rr.sha, rr.kind, rr.up = refs["refs/heads/"+s.rev], "branch", s.remote+"/"+s.rev
		rr.loc = fmt.Sprintf("%s (%s)", rr.up, rr.sha[:7])
		return rr
	case refs["refs/tags/"+s.rev+"^{}"] != "":
		rr.sha, rr.kind = refs["refs/tags/"+s.rev+"^{}"], "tag"
	case refs["refs/tags/"+s.rev] != "":
		rr.sha, rr.kind = refs["refs/tags/"+s.rev], "tag"
	case len(s.rev) <= 40 && strings.Trim(strings.ToLower(s.rev), "0123456789abcdef") == "":
		s.rev = strings.ToLower(s.rev)
		rr.sha, rr.kind, rr.loc = s.rev, "sha1", s.rev[:min(7, len(s.rev))]
		return rr
	default:
		return rr
	}
	rr.loc = fmt.Sprintf("%s (%s)", s.rev, rr.sha[:7])
	return rr
}

// revsEqual is _revs_equal: a sha1 rev may be short.
func revsEqual(local string, rr remoteRev) bool {
	if rr.kind == "sha1" {
		return local != "" && strings.HasPrefix(local, rr.sha)
	}
	return local == rr.sha
}

// formatComments is _format_comments.
func formatComments(comments []string) string {
	out := strings.Join(comments, ". ")
	if len(comments) > 1 {
		out += "."
	}
	return out
}

// gitFail is _fail: what was already done follows the message.
func gitFail(ret state.Ret, msg string, comments []string) state.Ret {
	if len(comments) > 0 {
		msg += "\n\nChanges already made: " + formatComments(comments)
	}
	ret.Result, ret.Comment = &no, msg
	return ret
}

func gitClone(ctx context.Context, test bool, s gitSpec, rr remoteRev, ret state.Ret) state.Ret {
	ret.Changes.Set("new", s.name+" => "+s.target)
	if test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Repository %s would be cloned to %s", s.name, s.target)
		return ret
	}
	args := []string{"clone"}
	if s.remote != "origin" {
		args = append(args, "--origin", s.remote)
	}
	if s.depth != "" {
		args = append(args, "--depth", s.depth, "--branch", s.rev)
	}
	if _, err := git(ctx, "", append(args, s.name, s.target)...); err != nil {
		ret.Changes = body.Map{}
		return gitFail(ret, "Clone failed: "+err.Error(), nil)
	}
	comments := []string{fmt.Sprintf("%s cloned to %s", s.name, s.target)}
	if rr.sha == "" { // an empty remote
		ret.Comment = formatComments(comments)
		return ret
	}
	if s.branch != "" && !slices.Contains(localBranches(ctx, s.target), s.branch) {
		from := rr.sha
		if s.rev != "HEAD" {
			from = cmpOr(rr.up, s.rev)
		}
		if _, err := git(ctx, s.target, "checkout", "-b", s.branch, from); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		comments = append(comments, fmt.Sprintf("Branch '%s' checked out, with %s as a starting point", s.branch, rr.loc))
	}
	local, localBranch := localHead(ctx, s.target)
	if !revsEqual(local, rr) {
		if _, err := git(ctx, s.target, "reset", "--hard", rr.sha); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		comments = append(comments, "Repository was reset to "+rr.loc)
	}
	comments, err := setUpstream(ctx, s.target, localBranch, rr, comments, false)
	if err != nil {
		return gitFail(ret, err.Error(), comments)
	}
	ret.Comment = formatComments(comments)
	if rev, err := git(ctx, s.target, "rev-parse", "HEAD"); err == nil {
		ret.Changes.Set("revision", body.Map{{Key: "old", Value: nil}, {Key: "new", Value: rev}})
	}
	return ret
}

// upstreamAction is what git.latest does to the local branch's upstream:
// the `git branch` options and the comment, or nil.
func upstreamAction(ctx context.Context, dir, localBranch string, rr remoteRev, test bool) ([]string, string) {
	if rr.upKeep || localBranch == "" {
		return nil, ""
	}
	verb := map[bool]string{true: "would be", false: "was"}[test]
	up := upstreamOf(ctx, dir, localBranch)
	switch {
	case up == "" && rr.up != "":
		return []string{"--set-upstream-to", rr.up}, fmt.Sprintf("Tracking branch %s set to %s", verb, rr.up)
	case up != "" && rr.up == "":
		return []string{"--unset-upstream"}, fmt.Sprintf("Tracking branch %s unset", verb)
	case rr.up != "" && up != rr.up:
		return []string{"--set-upstream-to", rr.up}, fmt.Sprintf("Tracking branch %s updated to %s", verb, rr.up)
	}
	return nil, ""
}

// setUpstream runs upstreamAction's git branch and notes it.
func setUpstream(ctx context.Context, dir, localBranch string, rr remoteRev, comments []string, test bool) ([]string, error) {
	opts, action := upstreamAction(ctx, dir, localBranch, rr, test)
	if opts == nil {
		return comments, nil
	}
	if _, err := git(ctx, dir, append([]string{"branch"}, opts...)...); err != nil {
		return comments, err
	}
	return append(comments, action), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// defaultBranch is the first remote branch (ls-remote sorts them) at
// the remote HEAD's commit.
func defaultBranch(refs map[string]string) string {
	head := refs["HEAD"]
	names := make([]string, 0, len(refs))
	for ref := range refs {
		names = append(names, ref)
	}
	slices.Sort(names)
	for _, ref := range names {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok && head != "" && refs[ref] == head {
			return b
		}
	}
	return ""
}
