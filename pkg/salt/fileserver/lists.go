package fileserver

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// lists are what roots._file_lists gathers for an environment: the files,
// directories, empty directories and symlinks of all its roots, by path
// relative to the root.
type lists struct {
	files, dirs, emptyDirs map[string]bool
	links                  map[string]string // link → its target as written
}

// FileList is the files of saltenv whose relative paths start with
// prefix, sorted (_file_list).
func (s *Server) FileList(saltenv, prefix string) []string {
	return filtered(s.lists(saltenv).files, prefix)
}

// DirList is the directories of saltenv whose paths start with prefix,
// sorted (_dir_list).
func (s *Server) DirList(saltenv, prefix string) []string {
	return filtered(s.lists(saltenv).dirs, prefix)
}

// EmptyDirs is the empty directories of saltenv whose paths start with
// prefix, sorted (_file_list_emptydirs).
func (s *Server) EmptyDirs(saltenv, prefix string) []string {
	return filtered(s.lists(saltenv).emptyDirs, prefix)
}

// SymlinkList is the symlinks of saltenv whose paths start with prefix,
// each with its target as written (_symlink_list). Links whose target
// leaves the root are not served, so not listed.
func (s *Server) SymlinkList(saltenv, prefix string) map[string]string {
	prefix = strings.Trim(prefix, "/")
	out := map[string]string{}
	for k, v := range s.lists(saltenv).links {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

func filtered(set map[string]bool, prefix string) []string {
	prefix = strings.Trim(prefix, "/")
	out := []string{}
	for p := range set {
		if strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// lists walks every root of saltenv. An unknown environment has nothing.
func (s *Server) lists(saltenv string) *lists {
	l := &lists{files: map[string]bool{}, dirs: map[string]bool{}, emptyDirs: map[string]bool{},
		links: map[string]string{}}
	roots, ok, err := s.envRoots(saltenv)
	if err != nil || !ok {
		return l
	}
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		if err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			continue
		}
		w := walker{s: s, l: l, realRoot: real}
		w.walk(abs, real, "", map[string]bool{real: true})
	}
	return l
}

// walker walks one root as os.walk(root, followlinks=True) does, except
// that a symlink whose target leaves the root is neither listed nor
// followed, and a directory already on the way down (a symlink loop) is
// not entered again.
type walker struct {
	s        *Server
	l        *lists
	realRoot string
}

// walk lists dir, whose real path is realDir and whose path relative to
// the root is rel.
func (w *walker) walk(dir, realDir, rel string, onPath map[string]bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		abs := filepath.Join(dir, e.Name())
		relPath := path.Join(rel, e.Name())
		isLink := e.Type()&os.ModeSymlink != 0
		real := filepath.Join(realDir, e.Name())
		if isLink {
			if real, err = filepath.EvalSymlinks(abs); err != nil || !within(w.realRoot, real) {
				continue // dangling, or leading out of the root
			}
		}
		info, err := os.Stat(real)
		if err != nil {
			continue
		}
		if w.s.ignored(relPath) {
			// Salt skips the entry but still walks into an ignored directory.
			if info.IsDir() && !onPath[real] {
				w.descend(abs, relPath, real, onPath)
			}
			continue
		}
		if isLink {
			target, _ := os.Readlink(abs)
			w.l.links[relPath] = target
		}
		if !info.IsDir() {
			w.l.files[relPath] = true
			continue
		}
		w.l.dirs[relPath] = true
		if names, err := os.ReadDir(abs); err == nil && len(names) == 0 {
			w.l.emptyDirs[relPath] = true
		}
		if !onPath[real] {
			w.descend(abs, relPath, real, onPath)
		}
	}
}

func (w *walker) descend(abs, rel, real string, onPath map[string]bool) {
	onPath[real] = true
	w.walk(abs, real, rel, onPath)
	delete(onPath, real)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
