package states

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/archive"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// archive.extracted (salt/states/archive.py) for tar (gz, bz2, xz) and
// zip archives from salt:// or local sources.

func registerArchive(r state.Registry) { r["archive.extracted"] = archiveExtracted }

type archiveSpec struct {
	name, source, sourceHash, ifMissing, options, user, group string
	format                                                    string
	trim                                                      int // 0: False
	enforceTop, overwrite, clean, force                       bool
}

func archiveArgs(c *state.Call) (archiveSpec, string) {
	a := argsOf(c)
	s := archiveSpec{name: c.Low.Name, source: a.str("source", ""), sourceHash: a.str("source_hash", ""),
		ifMissing: a.str("if_missing", ""), options: a.str("options", ""), user: a.str("user", ""), group: a.str("group", ""),
		format: strings.ToLower(a.str("archive_format", "")), enforceTop: a.boolean("enforce_toplevel", true),
		overwrite: a.boolean("overwrite", false), clean: a.boolean("clean", false), force: a.boolean("force", false)}
	switch t := a.get("trim_output").(type) {
	case bool:
		if t {
			s.trim = 100
		}
	case int64:
		s.trim = int(t)
	case nil:
	default:
		if _, err := fmt.Sscan(pyStr(t), &s.trim); err != nil {
			return s, "Invalid value for trim_output, must be True/False or an integer"
		}
	}
	if !filepath.IsAbs(s.name) {
		return s, s.name + " is not an absolute path"
	}
	s.name = strings.TrimRight(s.name, "/")
	if st, err := os.Stat(s.name); err == nil && !st.IsDir() {
		return s, s.name + " exists and is not a directory"
	}
	s.name += "/"
	if s.ifMissing != "" && !filepath.IsAbs(s.ifMissing) {
		return s, "Value for 'if_missing' is not an absolute path"
	}
	return s, ""
}

func archiveExtracted(ctx context.Context, c *state.Call) state.Ret {
	ret := newRet(c.Low.Name, &no)
	ret.Order = []string{"name", "result", "changes", "comment"}
	s, msg := archiveArgs(c)
	ret.Name = strings.TrimSuffix(s.name, "/")
	if msg != "" {
		ret.Comment = msg
		return ret
	}
	if s.ifMissing != "" && filemod.Exists(s.ifMissing) {
		ret.Result, ret.Comment = &yes, fmt.Sprintf("Path %s exists", s.ifMissing)
		return ret
	}
	if msg := archiveOwners(s); msg != "" {
		ret.Comment = msg
		return ret
	}
	cached, msg := archiveSource(ctx, c, &s)
	if msg != "" || cached == "" {
		ret.Comment = msg
		if cached == "" && msg == "" { // a salt:// source under test=True
			ret.Result = nil
			ret.Comment = fmt.Sprintf("Archive %s would be cached (if necessary) and checked to discover if extraction is needed", s.source)
		}
		return ret
	}
	return archiveExtract(ctx, c.Test, s, cached, ret)
}

// archiveOwners is the check that user and group exist.
func archiveOwners(s archiveSpec) string {
	if s.user != "" {
		if _, err := user.Lookup(s.user); err != nil {
			return fmt.Sprintf("User %s does not exist", s.user)
		}
	}
	if s.group != "" {
		if _, err := user.LookupGroup(s.group); err != nil {
			return fmt.Sprintf("Group %s does not exist", s.group)
		}
	}
	return ""
}

// archiveSource checks the source and its format and caches a salt://
// one (not under test=True: "" with no message).
func archiveSource(ctx context.Context, c *state.Call, s *archiveSpec) (string, string) {
	src := strings.TrimPrefix(s.source, "file://")
	local := !strings.Contains(src, "://")
	if local {
		if p, err := filepath.EvalSymlinks(src); err == nil {
			src = p
		}
		if st, err := os.Stat(src); err != nil || st.IsDir() {
			return "", fmt.Sprintf("Source file '%s' does not exist", src)
		}
		s.source = src
	} else if !strings.HasPrefix(src, "salt://") {
		return "", fmt.Sprintf("Invalid source \"%s\": only salt:// and local sources are supported by this minion", s.source)
	}
	if s.format == "" {
		if s.format = archive.GuessType(src); s.format == "" {
			return "", "Could not guess archive_format from the value of the 'source' argument. Please set this archive_format to one of the following: tar, rar, zip"
		}
	}
	if s.format != "tar" && s.format != "zip" {
		return "", fmt.Sprintf("Invalid archive_format '%s': only tar and zip are supported by this minion", s.format)
	}
	if local {
		return src, ""
	}
	if c.Test {
		return "", ""
	}
	// file.cached's comment when the file server has no such file (or
	// fetching it failed: the minion's log says why).
	if cached, err := fetchSource(ctx, c, src, c.Env.Saltenv); err == nil && cached != "" {
		return cached, ""
	}
	return "", fmt.Sprintf("Failed to cache %s, check minion log for more information", s.source)
}

// sourceSum is file.get_source_sum of a given hash: "type=hex" or a bare
// hex digest (its type by length).
func sourceSum(sum string) (string, string, error) {
	kind, hexsum, ok := strings.Cut(sum, "=")
	if !ok {
		hexsum = sum
		kind = map[int]string{32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}[len(sum)]
	}
	if _, err := hex.DecodeString(hexsum); err != nil || kind == "" {
		return "", "", fmt.Errorf("Invalid source_hash %s", sum)
	}
	return strings.ToLower(kind), strings.ToLower(hexsum), nil
}

// hashMatches is file.check_hash.
func hashMatches(file, kind, want string) bool {
	var h hash.Hash
	switch kind {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	default:
		return false
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == want
}
