package states

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// fileContent is what file.managed puts in the file: nil when it manages
// no content (no source, no contents).
type fileContent = filemod.Content

// managedContent gathers the new content: contents as given, or the
// source fetched (the first of a list that exists) and templated. A
// non-empty message is the error to fail with.
func managedContent(ctx context.Context, c *state.Call, s managedSpec) (*fileContent, string) {
	if s.contents != nil {
		return &fileContent{Data: []byte(*s.contents)}, ""
	}
	if !truthy(s.source) {
		return nil, ""
	}
	src, local, msg := sourceList(ctx, c, s)
	if msg != "" {
		return nil, msg
	}
	if local == "" {
		if strings.HasPrefix(src, "salt://") {
			return nil, fmt.Sprintf("Source file %s not found in saltenv '%s'", src, s.saltenv)
		}
		return nil, fmt.Sprintf("Local file source %s does not exist", src)
	}
	data, err := os.ReadFile(local)
	if err != nil {
		return nil, fmt.Sprintf("Unable to manage file: %v", err)
	}
	fc := &fileContent{Data: data, Source: src}
	if st, err := os.Stat(local); err == nil && s.keepMode {
		fc.Mode = filemod.NormalizeMode(fmt.Sprintf("%o", filemod.UnixMode(st.Mode())))
	}
	if s.template != "" {
		out, err := renderTemplate(c, s, src, data)
		if err != nil {
			return nil, fmt.Sprintf("Unable to manage file: %v", err)
		}
		fc.Data = []byte(out)
	}
	return fc, ""
}

// sourceList is file.source_list then the fetch: the source (the first
// found of a list) and its local copy ("" when not found).
func sourceList(ctx context.Context, c *state.Call, s managedSpec) (src, local, msg string) {
	var candidates []string
	switch v := s.source.(type) {
	case string:
		candidates = []string{v}
	case []any:
		for _, x := range v {
			if m, ok := x.(body.Map); ok && len(m) > 0 {
				candidates = append(candidates, m[0].Key)
			} else {
				candidates = append(candidates, pyStr(x))
			}
		}
	default:
		candidates = []string{pyStr(v)}
	}
	for _, cand := range candidates {
		local, err := fetchSource(ctx, c, cand, s.saltenv)
		if err != nil {
			return cand, "", fmt.Sprintf("Unable to manage file: %v", err)
		}
		if local != "" || len(candidates) == 1 {
			return cand, local, ""
		}
	}
	return "", "", "Unable to manage file: none of the specified sources were found"
}

// fetchSource is cp.cache_file for salt:// and the path itself for local
// files; "" when the source does not exist.
func fetchSource(ctx context.Context, c *state.Call, src, saltenv string) (string, error) {
	switch {
	case strings.HasPrefix(src, "salt://"):
		if c.Env.Files == nil {
			return "", fmt.Errorf("no file client to fetch %s", src)
		}
		return c.Env.Files.CacheFile(ctx, src, saltenv)
	case strings.HasPrefix(src, "file://"):
		src = strings.TrimPrefix(src, "file://")
	case strings.Contains(src, "://"):
		return "", fmt.Errorf("Unable to verify upstream hash of source file %s, please set source_hash or set skip_verify to True", src)
	}
	if !filemod.Exists(src) {
		return "", nil
	}
	return src, nil
}

// managedTest is file.managed under test=True: check_managed_changes.
func managedTest(s managedSpec, ret state.Ret, fc *fileContent) state.Ret {
	ch := body.Map{}
	if _, err := os.Lstat(s.name); err != nil {
		ch.Set("newfile", s.name)
	} else {
		if fc != nil {
			d, err := filemod.TextDiff(s.name, fc.Data)
			if err != nil {
				d = err.Error()
			}
			if d != "" {
				ch.Set("diff", d)
			}
		}
		cur, _ := filemod.Stat(s.name, s.follow)
		if s.user != "" && s.user != cur.User && s.user != fmt.Sprint(cur.UID) {
			ch.Set("user", s.user)
		}
		if s.group != "" && s.group != cur.Group && s.group != fmt.Sprint(cur.GID) {
			ch.Set("group", s.group)
		}
		if mode := keptMode(s, fc); mode != "" && mode != cur.Mode {
			ch.Set("mode", mode)
		}
	}
	if len(ch) == 0 {
		ret.Result, ret.Comment = &yes, fmt.Sprintf("The file %s is in the correct state", s.name)
		return ret
	}
	ret.Result, ret.Changes = nil, ch
	ret.Comment = fmt.Sprintf("The file %s is set to be changed", s.name) + testNote
	if ch.Has("diff") && !s.showChanges {
		ch.Set("diff", "<show_changes=False>")
	}
	return ret
}

// keptMode is the mode to set: the source's under mode: keep.
func keptMode(s managedSpec, fc *fileContent) string {
	if s.keepMode && fc != nil {
		return fc.Mode
	}
	return s.mode
}

// managedPermsOnly is replace: False on an existing file: only the owner,
// group and mode are managed.
func managedPermsOnly(c *state.Call, s managedSpec, ret state.Ret) state.Ret {
	ok, fails, lmode := filemod.CheckPerms(s.name, filemod.Perms{User: s.user, Group: s.group, Mode: s.mode}, &ret.Changes, c.Test, s.follow)
	ret.Result, ret.Comment = boolp(ok), strings.Join(fails, "; ")
	switch {
	case c.Test && s.mode != "" && s.mode != lmode:
		ret.Comment = fmt.Sprintf("File %s will be updated with permissions %s from its current state of %s", s.name, s.mode, lmode)
	case c.Test:
		ret.Comment = fmt.Sprintf("File %s not updated", s.name)
	case len(ret.Changes) == 0 && ok:
		ret.Comment = fmt.Sprintf("File %s exists with proper permissions. No changes made.", s.name)
	}
	if c.Test && len(ret.Changes) > 0 {
		ret.Result = nil
	}
	return ret
}

// manageFile is file.manage_file (filemod.Manage) with the state's
// arguments.
func manageFile(c *state.Call, s managedSpec, ret state.Ret, fc *fileContent) state.Ret {
	cachedir, _ := c.Env.Opts["cachedir"].(string)
	spec := filemod.ManageSpec{Name: s.name, User: s.user, Group: s.group, Mode: s.mode, KeepMode: s.keepMode,
		DirMode: s.dirMode, Backup: s.backup, Makedirs: s.makedirs, ShowChanges: s.showChanges, Follow: s.follow}
	r := filemod.Manage(spec, fc, cachedir, ret.Changes)
	ret.Result, ret.Comment, ret.Changes = boolp(r.Result), r.Comment, r.Changes
	return ret
}
