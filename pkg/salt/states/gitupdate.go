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

// checkout is what git.latest finds in the target.
type checkout struct {
	local, branch string // HEAD's sha1 and branch
	has           bool   // the remote rev is here, its ref up to date
	match         bool   // HEAD is the remote rev
	dirty         bool   // git diff HEAD shows uncommitted changes
	ff            int    // ffNone (unknown), ffNo, ffYes
}

const (
	ffNone = iota - 1
	ffNo
	ffYes
)

// mergeAction is how HEAD would move: merge_action.
func (co checkout) mergeAction() string {
	return map[int]string{ffNone: "updated", ffNo: "hard-reset", ffYes: "fast-forwarded"}[co.ff]
}

// refused is git.latest's "not a fast-forward" condition.
func (co checkout) refused(s gitSpec) bool {
	forced := s.forceReset || s.resetRemote
	return !forced && (co.ff == ffNo || co.ff == ffYes && co.dirty)
}

// gitUpdate is the update side of git.latest.
func gitUpdate(ctx context.Context, test bool, s gitSpec, rr remoteRev, ret state.Ret) state.Ret {
	var co checkout
	co.local, co.branch = localHead(ctx, s.target)
	if rr.sha == "" {
		return gitUpToDate(ret, s.target, nil, test)
	}
	co.match = revsEqual(co.local, rr)
	diff, _ := git(ctx, s.target, "diff", "HEAD")
	co.dirty = diff != ""
	if co.dirty && co.match {
		if !s.forceReset {
			ret = gitUpToDate(ret, s.target, nil, test)
			ret.Comment += ", but with uncommitted changes. Set 'force_reset' to True to purge uncommitted changes."
			return ret
		}
		if test {
			ret.Changes.Set("forced update", true)
			ret.Result = nil
			ret.Comment = s.target + " is up-to-date, but with uncommitted changes. Since 'force_reset' is set to True, these local changes would be reset. To only reset when there are changes in the remote repository, set 'force_reset' to 'remote-changes'."
			return ret
		}
	}
	var msg string
	if co.has, msg = hasRemoteRev(ctx, s, rr, co.local); msg != "" {
		return gitFail(ret, msg, nil)
	}
	co.ff = ffNone
	if co.dirty && !s.resetRemote {
		co.ff = ffNo
	}
	if co.has {
		co.ff = fastForward(ctx, s, rr, co)
	}
	if co.refused(s) {
		return notFastForward(ret, s, co, rr)
	}
	if test {
		if r, done := gitRemoteTest(ctx, s, rr, ret, co); done {
			return r
		}
		return gitUpdateTest(ctx, s, rr, ret, co)
	}
	return gitFetchApply(ctx, s, rr, ret, co)
}

// fastForward is whether HEAD would fast-forward to the remote rev
// (already ffNo with uncommitted changes).
func fastForward(ctx context.Context, s gitSpec, rr remoteRev, co checkout) int {
	if co.ff == ffNo {
		return ffNo
	}
	if isAncestor(ctx, s.target, co.local, rr.sha) {
		return ffYes
	}
	return ffNo
}

// hasRemoteRev is whether the remote rev needs no fetch: its commit is
// here and, for a branch or a tag, the local ref is at it. A local tag
// elsewhere is refused unless force_reset.
func hasRemoteRev(ctx context.Context, s gitSpec, rr remoteRev, local string) (bool, string) {
	if rr.kind == "sha1" && strings.HasPrefix(local, rr.sha) {
		return true, ""
	}
	if !hasCommit(ctx, s.target, rr.sha) {
		return false, ""
	}
	switch rr.kind {
	case "branch":
		sha, err := git(ctx, s.target, "rev-parse", rr.up)
		return err == nil && sha == rr.sha, ""
	case "tag":
		sha, err := git(ctx, s.target, "rev-parse", "--verify", "--quiet", "refs/tags/"+s.rev+"^{commit}")
		if err != nil {
			return false, ""
		}
		if sha != rr.sha && !s.forceReset && !s.resetRemote {
			return false, fmt.Sprintf("'%s' is a tag, but the remote SHA1 for this tag (%s) doesn't match the local SHA1 (%s). Set 'force_reset' to True to force this update.", s.rev, rr.sha[:7], sha[:7])
		}
		return sha == rr.sha, ""
	}
	return true, ""
}

// gitFetchApply repoints the remote, fetches what is missing, and
// applies.
func gitFetchApply(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, co checkout) state.Ret {
	var comments []string
	if note, err := gitRemoteSet(ctx, s, &ret); err != nil {
		return gitFail(ret, err.Error(), nil)
	} else if note != "" {
		comments = append(comments, note)
	}
	if !co.has {
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
		// Fetched, Salt asks merge-base again, uncommitted changes
		// or not.
		co.ff = ffNo
		if isAncestor(ctx, s.target, co.local, rr.sha) {
			co.ff = ffYes
		}
		if co.refused(s) {
			return notFastForward(ret, s, co, rr)
		}
	}
	return gitApply(ctx, s, rr, ret, comments, co)
}

// gitApply makes the checkout what git.latest asks: the branch, then
// the hard reset or fast-forward, and the upstream.
func gitApply(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, comments []string, co checkout) state.Ret {
	upOpts, upAction := upstreamAction(ctx, s.target, co.branch, rr, false)
	if s.branch != "" && s.branch != co.branch {
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
	var err error
	if comments, err = gitMove(ctx, s, rr, &ret, comments, co, upOpts, upAction); err != nil {
		return gitFail(ret, err.Error(), comments)
	}
	rev, _ := git(ctx, s.target, "rev-parse", "HEAD")
	if !revsEqual(rev, rr) {
		return gitFail(ret, "Failed to update repository", comments)
	}
	if rev == co.local {
		return gitUpToDate(ret, s.target, pyChars(formatComments(comments)), false)
	}
	ret.Changes.Set("revision", body.Map{{Key: "old", Value: co.local}, {Key: "new", Value: rev}})
	ret.Comment = formatComments(comments)
	return ret
}

// gitMove moves HEAD: hard reset (discarding uncommitted changes), or
// the upstream then a fast-forward.
func gitMove(ctx context.Context, s gitSpec, rr remoteRev, ret *state.Ret, comments []string, co checkout, upOpts []string, upAction string) ([]string, error) {
	switch {
	case co.ff == ffNo:
		if _, err := git(ctx, s.target, "reset", "--hard", rr.sha); err != nil {
			return comments, err
		}
		ret.Changes.Set("forced update", true)
		if co.dirty {
			comments = append(comments, "Uncommitted changes were discarded")
		}
		comments = append(comments, "Repository was hard-reset to "+rr.loc)
	case co.ff == ffYes && co.dirty:
		if _, err := git(ctx, s.target, "checkout", "--", "."); err != nil {
			return comments, err
		}
		comments = append(comments, "Uncommitted changes were discarded")
	}
	if upOpts != nil {
		if _, err := git(ctx, s.target, append([]string{"branch"}, upOpts...)...); err != nil {
			return comments, err
		}
		comments = append(comments, upAction)
	}
	if co.ff == ffYes && !co.match {
		args, note := []string{"merge", "--ff-only", rr.sha}, "Repository was fast-forwarded to "+rr.loc
		if rr.up == "" && s.rev != "HEAD" {
			args, note = []string{"reset", "--hard", s.rev}, fmt.Sprintf("Repository was reset to %s (fast-forward)", s.rev)
		}
		if _, err := git(ctx, s.target, args...); err != nil {
			return comments, err
		}
		comments = append(comments, note)
	}
	return comments, nil
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
func gitUpdateTest(ctx context.Context, s gitSpec, rr remoteRev, ret state.Ret, co checkout) state.Ret {
	var actions []string
	if !co.has {
		actions = append(actions, fmt.Sprintf("Remote '%s' would be fetched", s.remote))
	}
	needBranch := s.branch != "" && s.branch != co.branch
	if !co.match {
		ret.Changes.Set("revision", body.Map{{Key: "old", Value: co.local}, {Key: "new", Value: rr.sha}})
	}
	switch {
	case needBranch && !slices.Contains(localBranches(ctx, s.target), s.branch):
		actions = append(actions, fmt.Sprintf("New branch '%s' would be checked out, with %s as a starting point", s.branch, rr.loc))
		if rr.up != "" {
			actions = append(actions, "Tracking branch would be set to "+rr.up)
		}
	case needBranch:
		actions = append(actions, fmt.Sprintf("Branch '%s' would be checked out and %s to %s", s.branch, co.mergeAction(), rr.sha[:7]))
	case !co.match && co.ff == ffYes:
		actions = append(actions, fmt.Sprintf("Repository would be fast-forwarded from %s to %s", co.local[:7], rr.sha[:7]))
	case !co.match:
		action := "updated"
		if (s.forceReset || s.resetRemote) && co.has {
			action = "hard-reset"
		}
		actions = append(actions, fmt.Sprintf("Repository would be %s from %s to %s", action, co.local[:7], rr.sha[:7]))
	}
	if _, action := upstreamAction(ctx, s.target, co.branch, rr, true); action != "" {
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

// notFastForward is _not_fast_forward.
func notFastForward(ret state.Ret, s gitSpec, co checkout, rr remoteRev) state.Ret {
	hint := ""
	switch {
	case s.branch != "":
	case s.rev != "HEAD" && co.branch != s.rev:
		hint = fmt.Sprintf(" The desired rev (%[1]s) differs from the name of the local branch (%[2]s), if the desired rev is a branch name then a forced update could possibly be avoided by setting the 'branch' argument to '%[1]s' instead.", s.rev, co.branch)
	case s.rev == "HEAD" && rr.defaultBranch != "" && co.branch != rr.defaultBranch:
		hint = fmt.Sprintf(" The default remote branch (%[1]s) differs from the local branch (%[2]s). This could be caused by changing the default remote branch, or if the local branch was manually changed. Rather than forcing an update, it may be advisable to set the 'branch' argument to '%[1]s' instead. To ensure that this state follows the '%[1]s' branch instead of the remote HEAD, set the 'rev' argument to '%[1]s'.", rr.defaultBranch, co.branch)
	}
	to := "to " + rr.sha[:7]
	if co.dirty && co.local[:7] != rr.sha[:7] {
		to = fmt.Sprintf("from %s to %s", co.local[:7], rr.sha[:7])
	}
	if s.branch != "" && s.branch != co.branch {
		to += fmt.Sprintf(" (after checking out local branch '%s')", s.branch)
	}
	why, or, discard := "this is not a fast-forward merge", "", ""
	if co.dirty {
		why, or, discard = "there are uncommitted changes", " (or 'remote-changes')", " and discard these changes"
	}
	return gitFail(ret, fmt.Sprintf("Repository would be updated %s, but %s. Set 'force_reset' to True%s to force this update%s.%s", to, why, or, discard, hint), nil)
}
