package fileserver

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// found is a file found in an environment: Abs is the real path opened
// (symlinks resolved, inside Root), Rel the path relative to the
// environment as the client named it.
type found struct {
	Abs, Rel string
	Info     fs.FileInfo
}

// Find is the real path of the file at path (relative to the
// environment's roots) in saltenv: the first root that has it wins, as in
// roots.find_file. A path may carry Salt's "?saltenv=env" query, which
// overrides saltenv, unless it starts with "|" (an escaped path, the "|"
// dropped). ErrNotFound when no root has the file, or it is ignored;
// ErrRefused (a *RefusedError) when the path could lead outside the roots.
func (s *Server) Find(saltenv, path string) (string, error) {
	f, err := s.find(saltenv, path)
	if err != nil {
		return "", err
	}
	return f.Abs, nil
}

func (s *Server) find(saltenv, p string) (found, error) {
	p, saltenv = splitQuery(p, saltenv)
	rel, err := cleanRel(saltenv, p)
	if err != nil {
		return found{}, err
	}
	roots, ok, err := s.envRoots(saltenv)
	if err != nil || !ok {
		return found{}, errors.Join(ErrNotFound, err)
	}
	for _, root := range roots {
		full := filepath.Join(root, filepath.FromSlash(rel))
		if _, err := os.Lstat(full); err != nil {
			continue // not in this root (or a parent is not a directory)
		}
		abs, info, err := inside(root, full)
		if err != nil {
			return found{}, refused(saltenv, p, "%v", err)
		}
		if info == nil || !info.Mode().IsRegular() || s.ignored(full) {
			continue // roots.find_file: os.path.isfile and not ignored
		}
		return found{Abs: abs, Rel: rel, Info: info}, nil
	}
	return found{}, ErrNotFound
}

// splitQuery is the query handling of Fileserver.find_file: "p?saltenv=e"
// names the environment e; other query words are ignored; a path starting
// with "|" is escaped and taken as written (without its "|"s).
func splitQuery(p, saltenv string) (string, string) {
	if strings.HasPrefix(p, "|") {
		return strings.TrimLeft(p, "|"), saltenv
	}
	p, query, ok := strings.Cut(p, "?")
	if !ok {
		return p, saltenv
	}
	for _, word := range strings.Split(query, "&") {
		if k, v, ok := strings.Cut(word, "="); ok && k == "saltenv" {
			saltenv = v
		}
	}
	return p, saltenv
}

// cleanRel checks a path a minion asked for and cleans it as
// os.path.normpath does ("a//./b" is "a/b"). Refused: an empty path, an
// absolute one, one with a NUL or a ".." component (even one that would
// clean away: Salt refuses any "../" too).
func cleanRel(saltenv, p string) (string, error) {
	switch {
	case p == "":
		return "", refused(saltenv, p, "the path is empty")
	case strings.ContainsRune(p, 0):
		return "", refused(saltenv, p, "the path holds a NUL")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return "", refused(saltenv, p, "the path is absolute")
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return "", refused(saltenv, p, "the path has a .. component")
		}
	}
	rel := path.Clean(p)
	if rel == "." {
		return "", refused(saltenv, p, "the path names the root itself")
	}
	return rel, nil
}

// errOutside is why a path is refused when its real path leaves its root.
var errOutside = errors.New("it resolves outside its root")

// inside resolves full (a path under root) through its symlinks and
// checks the result is still under root's own real path. info is the
// resolved file's; nil when it does not exist (a dangling link).
func inside(root, full string) (string, fs.FileInfo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return "", nil, err
	}
	if full, err = filepath.Abs(full); err != nil {
		return "", nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", nil, err
	}
	abs, err := filepath.EvalSymlinks(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, nil
		}
		return "", nil, err
	}
	if !within(realRoot, abs) {
		return "", nil, errOutside
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", nil, nil
	}
	return abs, info, nil
}

// within says whether p is dir or under it (both clean and absolute or
// both relative).
func within(dir, p string) bool {
	if p == dir {
		return true
	}
	return strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
