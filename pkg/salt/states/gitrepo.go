package states

import (
	"context"
	"errors"
	"strings"
)

// The git commands git.latest runs (salt/modules/git.py), with the
// minion's git; tests point gitRunner elsewhere only to count calls.

// gitRunner runs git; tests may replace it.
var gitRunner runner = execRunner

// git runs git in dir (none when ""): stdout trimmed, or an error with
// git's stderr as Salt's CommandExecutionError carries it.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	argv := append([]string{"git"}, args...)
	if dir != "" {
		argv = append([]string{"git", "-C", dir}, args...)
	}
	out, stderr, rc, err := gitRunner(ctx, argv, []string{"GIT_TERMINAL_PROMPT=0"})
	if err != nil {
		return "", err
	}
	if rc != 0 {
		msg := strings.TrimSpace(stderr)
		if msg == "" {
			msg = strings.TrimSpace(out)
		}
		return "", errors.New(msg)
	}
	return strings.TrimRight(out, "\n"), nil
}

// lsRemote is git.ls_remote of the whole remote: ref → sha1.
func lsRemote(ctx context.Context, url string) (map[string]string, error) {
	out, err := git(ctx, "", "ls-remote", url)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if sha, ref, ok := strings.Cut(line, "\t"); ok {
			refs[ref] = sha
		}
	}
	return refs, nil
}

// localHead is _get_local_rev_and_branch: HEAD's sha1 and branch ("" when
// detached).
func localHead(ctx context.Context, dir string) (string, string) {
	rev, _ := git(ctx, dir, "rev-parse", "HEAD")
	branch, _ := git(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD")
	return rev, branch
}

// upstreamOf is `git rev-parse --abbrev-ref branch@{upstream}`, "" when
// the branch tracks nothing.
func upstreamOf(ctx context.Context, dir, branch string) string {
	if branch == "" {
		return ""
	}
	up, err := git(ctx, dir, "rev-parse", "--abbrev-ref", branch+"@{upstream}")
	if err != nil {
		return ""
	}
	return up
}

// localBranches is git.list_branches.
func localBranches(ctx context.Context, dir string) []string {
	out, _ := git(ctx, dir, "for-each-ref", "--format", "%(refname:short)", "refs/heads/")
	return strings.Fields(out)
}

// hasCommit is whether dir has the commit sha1 (no fetch needed).
func hasCommit(ctx context.Context, dir, sha string) bool {
	_, err := git(ctx, dir, "cat-file", "-e", sha+"^{commit}")
	return err == nil
}

// isAncestor is git.merge_base is_ancestor=True.
func isAncestor(ctx context.Context, dir, a, b string) bool {
	_, err := git(ctx, dir, "merge-base", "--is-ancestor", a, b)
	return err == nil
}
