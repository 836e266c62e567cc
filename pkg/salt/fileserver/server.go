package fileserver

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// DefaultBufferSize is the master's file_buffer_size in Salt 3006: the
// largest chunk _serve_file answers with.
const DefaultBufferSize = 1048576

// envWildcard is the file_roots environment that stands for any saltenv
// not named, its roots with "__env__" replaced by the saltenv.
const envWildcard = "__env__"

// Options configure a Server; they are the master's options of the same
// names.
type Options struct {
	Roots                  map[string][]string // file_roots
	Backends               []string            // fileserver_backend: only "roots" is served
	HashType               string              // hash_type: md5, sha1, sha224, sha256 (default), sha384, sha512
	BufferSize             int                 // file_buffer_size: DefaultBufferSize when 0
	IgnoreRegex            []string            // file_ignore_regex (Python syntax)
	IgnoreGlob             []string            // file_ignore_glob (fnmatch)
	TopFileMergingStrategy string              // top_file_merging_strategy, for the state system
	Log                    logrus.FieldLogger
}

// ErrNotFound is what a lookup of a file that is not in the environment
// returns.
var ErrNotFound = errors.New("file not found")

// ErrRefused is what a lookup of a path that could lead outside the roots
// returns. The minion is told the file is not there.
var ErrRefused = errors.New("path refused")

// RefusedError says which path was refused and why; it matches ErrRefused.
type RefusedError struct {
	Saltenv, Path, Why string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("path %q in saltenv %q refused: %s", e.Path, e.Saltenv, e.Why)
}

// Is makes a RefusedError match ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refused(saltenv, path, format string, args ...any) error {
	return &RefusedError{Saltenv: saltenv, Path: path, Why: fmt.Sprintf(format, args...)}
}

// Server serves the files under file_roots. It is safe for concurrent use
// by the master's workers.
type Server struct {
	roots    map[string][]string
	hashType string
	bufSize  int
	ignoreRe []*regexp.Regexp
	ignoreGl []string
	topMerge string
	log      logrus.FieldLogger
	hashes   hashCache
}

// New makes a server. A backend other than roots, an unknown hash type or
// an ignore pattern that does not compile is an error, which starts with
// the option's name and ": ": the master must not start serving something
// other than what its configuration says.
func New(o Options) (*Server, error) {
	for _, b := range o.Backends {
		if b != "roots" {
			return nil, fmt.Errorf("fileserver_backend: %q is not available: this master serves only the roots backend", b)
		}
	}
	s := &Server{roots: o.Roots, hashType: strings.ToLower(o.HashType), bufSize: o.BufferSize,
		ignoreGl: o.IgnoreGlob, topMerge: o.TopFileMergingStrategy, log: o.Log}
	if s.hashType == "" {
		s.hashType = "sha256"
	}
	if _, err := newHash(s.hashType); err != nil {
		return nil, err
	}
	if s.bufSize <= 0 {
		s.bufSize = DefaultBufferSize
	}
	if s.topMerge == "" {
		s.topMerge = "merge"
	}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	for _, p := range o.IgnoreRegex {
		tr, err := py.TranslateRegexp(p)
		if err != nil {
			return nil, fmt.Errorf("file_ignore_regex: %w", err)
		}
		re, err := regexp.Compile(tr)
		if err != nil {
			return nil, fmt.Errorf("file_ignore_regex: invalid regular expression %q: %v", p, err)
		}
		s.ignoreRe = append(s.ignoreRe, re)
	}
	s.hashes.init()
	return s, nil
}

// HashType is the hash the server gives (hash_type).
func (s *Server) HashType() string { return s.hashType }

// BufferSize is the largest chunk ServeChunk returns (file_buffer_size).
func (s *Server) BufferSize() int { return s.bufSize }

// TopFileMergingStrategy is top_file_merging_strategy, for the state
// system's top file.
func (s *Server) TopFileMergingStrategy() string { return s.topMerge }

// Envs are the environments, sorted: file_roots' keys (roots.envs).
func (s *Server) Envs() []string {
	out := make([]string, 0, len(s.roots))
	for env := range s.roots {
		out = append(out, env)
	}
	sort.Strings(out)
	return out
}

// envRoots are the roots of saltenv, in order: file_roots[saltenv], or the
// __env__ roots with the saltenv put in. ok is false for an environment
// the server does not have. A saltenv that would change the directory an
// __env__ root names (a slash, "..", a NUL) is refused.
func (s *Server) envRoots(saltenv string) ([]string, bool, error) {
	if roots, ok := s.roots[saltenv]; ok {
		return roots, true, nil
	}
	wild, ok := s.roots[envWildcard]
	if !ok {
		return nil, false, nil
	}
	if saltenv == "" || saltenv == "." || saltenv == ".." || strings.ContainsAny(saltenv, "/\x00") {
		return nil, false, refused(saltenv, "", "the saltenv would name another directory through __env__")
	}
	out := make([]string, len(wild))
	for i, r := range wild {
		out[i] = strings.ReplaceAll(r, envWildcard, saltenv)
	}
	return out, true, nil
}

// ignored is salt.fileserver.is_file_ignored: any ignore regex found in
// name (re.search), or any ignore glob matching it.
func (s *Server) ignored(name string) bool {
	for _, re := range s.ignoreRe {
		if re.MatchString(name) {
			return true
		}
	}
	for _, g := range s.ignoreGl {
		if py.Fnmatch(name, g) {
			return true
		}
	}
	return false
}
