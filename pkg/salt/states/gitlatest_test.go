package states

import (
	"os/exec"
	"testing"
)

// TestGitLatestSalt3006 runs git.latest against local bare repositories
// the scenarios' setup makes (fixed commit dates, so the sha1s in the
// comments are Salt's), and compares with Salt 3006.3's returns: clones
// (HEAD, branch, tag, depth), updates (fetch, fast-forward, tracking
// branch, new local branch, refused and forced non-fast-forward, a
// remote URL that changed, uncommitted changes with and without
// force_reset).
func TestGitLatestSalt3006(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for _, file := range []string{"salt3006-git-clone.json", "salt3006-git-update.json", "salt3006-git-local.json"} {
		o := loadObserved(t, "testdata/compare/"+file)
		for _, mode := range []string{"run", "test"} {
			t.Run(file+"/"+mode, func(t *testing.T) { runObserved(t, o, mode) })
		}
	}
}
