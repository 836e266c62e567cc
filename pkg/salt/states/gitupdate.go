package states

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// git.latest on an existing checkout: fetch what is missing, then
// fast-forward, or hard-reset with force_reset, as salt/states/git.py.

// gitUpdate is the update side of git.latest.
func gitUpdate(ctx context.Context, test bool, s gitSpec, rr remoteRev, ret state.Ret) state.Ret {
	local, localBranch := localHead(ctx, s.target)
	if rr.sha == "" {
		return gitUpToDate(ret, s.target, nil, test)
	}
	has := hasCommit(ctx, s.target, rr.sha)
	match := revsEqual(local, rr)
	// ff: the local HEAD is an ancestor of the remote rev; unknown
	// (false) until it is fetched.
	ff := !match && has && isAncestor(ctx, s.target, local, rr.sha)
	if has && !match && !ff && !s.forceReset {
		return notFastForward(ret, s, local, localBranch, rr)
	}
	if test {
		if r, done := gitRemoteTest(ctx, s, rr, ret, local, has, match, ff); done {
			return r
		}
		return gitUpdateTest(ctx, s, rr, ret, local, localBranch, has, match, ff)
	}
	var comments []string
	if note, err := gitRemoteSet(ctx, s, &ret); err != nil {
		return gitFail(ret, err.Error(), nil)
	} else if note != "" {
		comments = append(comments, note)
	}
	if !has {
		out, stderr, rc, err := gitRunner(ctx, []string{"git", "-C", s.target, "fetch", s.remote}, []string{"GIT_TERMINAL_PROMPT=0"})
		if err != nil || rc != 0 {
			return gitFail(ret, "Fetch failed. Set 'force_fetch' to True to force the fetch if the failure was due to not being able to fast-forward. Output of the fetch command follows:\n\n"+strings.TrimSpace(out+stderr), comments)
		}
		if strings.Contains(stderr, " -> ") {
			comments = append(comments, s.name+" was fetched, resulting in updated refs")
		}
		if !hasCommit(ctx, s.target, rr.sha) {
			return gitFail(ret, fmt.Sprintf("Fetch did not successfully retrieve rev '%s' from %s", s.rev, s.name), nil)
		}
		if ff = isAncestor(ctx, s.target, local, rr.sha); !ff && !s.forceReset {
			return notFastForward(ret, s, local, localBranch, rr)
		}
	}
	return gitApply(ctx, s, rr, ret, comments, local, localBranch, match, ff)
}

// gitApply makes the checkout what git.latest asks: the branch, then
// the hard reset or fast-forward, and the upstream.
func gitApply(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, comments []string, local, localBranch string, match, ff bool) state.Ret {
	upOpts, upAction := upstreamAction(ctx, s.target, localBranch, rr, false)
	if s.branch != "" && s.branch != localBranch {
		args, note := []string{"checkout", s.branch}, fmt.Sprintf("'%s' was checked out", s.branch)
		if !slices.Contains(localBranches(ctx, s.target), s.branch) {
			from := rr.sha
			if s.rev != "HEAD" {
				from = cmpOr(rr.up, s.rev)
			}
			args = []string{"checkout", "-b", s.branch, from}
			note = fmt.Sprintf("New branch '%s' was checked out, with %s as a starting point", s.branch, rr.loc)
		}
		if _, err := git(ctx, s.target, args...); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		comments = append(comments, note)
	}
	if !match && !ff {
		if _, err := git(ctx, s.target, "reset", "--hard", rr.sha); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		ret.Changes.Set("forced update", true)
		comments = append(comments, "Repository was hard-reset to "+rr.loc)
	}
	if upOpts != nil {
		if _, err := git(ctx, s.target, append([]string{"branch"}, upOpts...)...); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		comments = append(comments, upAction)
	}
	if ff {
		args, note := []string{"merge", "--ff-only", rr.sha}, "Repository was fast-forwarded to "+rr.loc
		if rr.up == "" && s.rev != "HEAD" {
			args, note = []string{"reset", "--hard", s.rev}, fmt.Sprintf("Repository was reset to %s (fast-forward)", s.rev)
		}
		if _, err := git(ctx, s.target, args...); err != nil {
			return gitFail(ret, err.Error(), comments)
		}
		comments = append(comments, note)
	}
	rev, _ := git(ctx, s.target, "rev-parse", "HEAD")
	if !revsEqual(rev, rr) {
		return gitFail(ret, "Failed to update repository", comments)
	}
	if rev == local {
		return gitUpToDate(ret, s.target, pyChars(formatComments(comments)), false)
	}
	ret.Changes.Set("revision", body.Map{{Key: "old", Value: local}, {Key: "new", Value: rev}})
	ret.Comment = formatComments(comments)
	return ret
}

// pyChars is a string where Salt passes one to a function that joins a
// list: _uptodate(ret, target, _format_comments(comments)) joins the
// comment's characters, as Python iterates a str.
func pyChars(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// gitUpdateTest is what git.latest says it would do with test=True.
func gitUpdateTest(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, local, localBranch string, has, match, ff bool) state.Ret {
	var actions []string
	if !has {
		actions = append(actions, fmt.Sprintf("Remote '%s' would be fetched", s.remote))
	}
	needBranch := s.branch != "" && s.branch != localBranch
	if !match {
		ret.Changes.Set("revision", body.Map{{Key: "old", Value: local}, {Key: "new", Value: rr.sha}})
	}
	mergeAction := map[bool]string{true: "fast-forwarded", false: "updated"}[ff]
	if s.forceReset && has && !ff {
		mergeAction = "hard-reset"
	}
	switch {
	case needBranch && !slices.Contains(localBranches(ctx, s.target), s.branch):
		actions = append(actions, fmt.Sprintf("New branch '%s' would be checked out, with %s as a starting point", s.branch, rr.loc))
		if rr.up != "" {
			actions = append(actions, "Tracking branch would be set to "+rr.up)
		}
	case needBranch:
		actions = append(actions, fmt.Sprintf("Branch '%s' would be checked out and %s to %s", s.branch, mergeAction, rr.sha[:7]))
	case !match && ff:
		actions = append(actions, fmt.Sprintf("Repository would be fast-forwarded from %s to %s", local[:7], rr.sha[:7]))
	case !match:
		actions = append(actions, fmt.Sprintf("Repository would be %s from %s to %s", mergeAction, local[:7], rr.sha[:7]))
	}
	if _, action := upstreamAction(ctx, s.target, localBranch, rr, true); action != "" {
		actions = append(actions, action)
	}
	if len(ret.Changes) > 0 {
		ret.Result, ret.Comment = nil, formatComments(actions)
		return ret
	}
	return gitUpToDate(ret, s.target, pyChars(formatComments(actions)), true)
}

// gitUpToDate is _uptodate.
func gitUpToDate(ret state.Ret, target string, comments []string, test bool) state.Ret {
	ret.Comment = fmt.Sprintf("Repository %s is up-to-date", target)
	if len(comments) > 0 {
		verb := map[bool]string{true: "that would be ", false: ""}[test]
		ret.Comment += fmt.Sprintf("\n\nChanges %smade: %s", verb, formatComments(comments))
	}
	return ret
}

// notFastForward is _not_fast_forward without local changes.
func notFastForward(ret state.Ret, s gitSpec, local, localBranch string, rr remoteRev) state.Ret {
	hint := ""
	switch {
	case s.branch != "":
	case s.rev != "HEAD" && localBranch != s.rev:
		hint = fmt.Sprintf(" The desired rev (%[1]s) differs from the name of the local branch (%[2]s), if the desired rev is a branch name then a forced update could possibly be avoided by setting the 'branch' argument to '%[1]s' instead.", s.rev, localBranch)
	case s.rev == "HEAD" && rr.defaultBranch != "" && localBranch != rr.defaultBranch:
		hint = fmt.Sprintf(" The default remote branch (%[1]s) differs from the local branch (%[2]s). This could be caused by changing the default remote branch, or if the local branch was manually changed. Rather than forcing an update, it may be advisable to set the 'branch' argument to '%[1]s' instead. To ensure that this state follows the '%[1]s' branch instead of the remote HEAD, set the 'rev' argument to '%[1]s'.", rr.defaultBranch, localBranch)
	}
	after := ""
	if s.branch != "" && s.branch != localBranch {
		after = fmt.Sprintf(" (after checking out local branch '%s')", s.branch)
	}
	return gitFail(ret, fmt.Sprintf("Repository would be updated to %s%s, but this is not a fast-forward merge. Set 'force_reset' to True to force this update.%s", rr.sha[:7], after, hint), nil)
}
