package states

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/render"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.managed (salt/states/file.py managed, with salt/modules/file.py's
// check_managed_changes, get_managed and manage_file, which it calls).

// managedSpec is file.managed's arguments, read and checked.
type managedSpec struct {
	name         string
	source       any // a string, or a list to take the first found of
	contents     *string
	template     string
	user, group  string
	mode         string // normalized; "" for None
	keepMode     bool
	dirMode      string
	makedirs     bool
	replace      bool
	showChanges  bool
	create       bool
	follow       bool
	backup       string
	tplVars      map[string]any
	saltenv      string
	allowMissing bool
}

func fileManaged(ctx context.Context, c *state.Call) state.Ret {
	s, ret, ok := managedArgs(c)
	if !ok {
		return ret
	}
	if !s.create && !filemod.IsFile(s.name) {
		ret.Comment = fmt.Sprintf("File %s is not present and is not set for creation", s.name)
		return ret
	}
	if msg := filemod.CheckUser(s.user, s.group, c.Test); msg != "" {
		return errRet(ret, msg)
	}
	if !filepath.IsAbs(s.name) {
		return errRet(ret, fmt.Sprintf("Specified file %s is not an absolute path", s.name))
	}
	if isDir(s.name) {
		return errRet(ret, fmt.Sprintf("Specified target %s is a directory", s.name))
	}
	if !s.replace && filemod.Exists(s.name) {
		return managedPermsOnly(c, s, ret)
	}
	content, msg := managedContent(ctx, c, s)
	if msg != "" {
		return errRet(ret, msg)
	}
	if c.Test {
		return managedTest(s, ret, content)
	}
	return manageFile(c, s, ret, content)
}

// errRet is the file states' _error: result False and the message.
func errRet(ret state.Ret, msg string) state.Ret {
	ret.Result, ret.Comment = &no, msg
	return ret
}

// managedOrder is the order file.managed builds its return in (changes,
// comment, name, result; file.manage_file fills the same dict), which
// Salt 3006's JSON return keeps.
var managedOrder = []string{"changes", "comment", "name", "result"}

// managedArgs reads file.managed's arguments and makes Salt's first
// checks; ok is false with the ret to return when one fails.
func managedArgs(c *state.Call) (managedSpec, state.Ret, bool) {
	a := argsOf(c)
	s := managedSpec{
		name: filemod.ExpandUser(c.Low.Name), source: a.get("source"), template: a.str("template", ""),
		user: a.str("user", ""), group: a.str("group", ""), dirMode: filemod.ModeArg(a.get("dir_mode")),
		makedirs: a.boolean("makedirs", false), replace: a.boolean("replace", true),
		showChanges: a.boolean("show_changes", true), create: a.boolean("create", true),
		follow: a.boolean("follow_symlinks", true), backup: a.str("backup", ""), saltenv: saltenvOf(c),
	}
	ret := newRet(s.name, &yes)
	ret.Order = managedOrder
	if s.name == "" {
		return s, errRet(ret, "Destination file name is required"), false
	}
	if m, isStr := a.get("mode").(string); isStr && strings.ToLower(m) == "keep" {
		s.keepMode = true
	} else {
		s.mode = filemod.ModeArg(a.get("mode"))
	}
	if s.backup == "" {
		s.backup, _ = c.Env.Opts["backup_mode"].(string)
	}
	count := 0
	for _, k := range []string{"contents", "contents_pillar", "contents_grains"} {
		if a.has(k) {
			count++
		}
	}
	switch {
	case truthy(s.source) && count > 0:
		return s, errRet(ret, "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'"), false
	case s.keepMode && count > 0:
		return s, errRet(ret, "Mode preservation cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'"), false
	case count > 1:
		return s, errRet(ret, "Only one of 'contents', 'contents_pillar', and 'contents_grains' is permitted"), false
	}
	if !truthy(s.source) && count == 0 {
		s.replace = false
	}
	if msg := managedContents(c, a, &s); msg != "" {
		return s, errRet(ret, msg), false
	}
	vars, msg := templateVars(a)
	if msg != "" {
		return s, errRet(ret, msg), false
	}
	s.tplVars = vars
	return s, ret, true
}

// templateVars is defaults updated with context, after Salt's checks
// that both are dicts.
func templateVars(a args) (map[string]any, string) {
	vars := map[string]any{}
	for _, k := range []string{"defaults", "context"} {
		v := a.get(k)
		if v == nil {
			continue
		}
		m, ok := v.(body.Map)
		if mm, isMap := v.(map[string]any); isMap {
			m, ok = asMap(mm), true
		}
		if !ok {
			return nil, strings.ToUpper(k[:1]) + k[1:] + " must be formed as a dict"
		}
		for _, it := range m {
			vars[it.Key] = it.Value
		}
	}
	return vars, ""
}

func saltenvOf(c *state.Call) string {
	switch {
	case c.Low.Env != "":
		return c.Low.Env
	case c.Env.Saltenv != "":
		return c.Env.Saltenv
	}
	return "base"
}

// managedContents reads contents, contents_pillar or contents_grains into
// s.contents as Salt builds them: each line ended by a newline (or the
// last one not, contents_newline: False), templated if template is set.
func managedContents(c *state.Call, a args, s *managedSpec) string {
	var use any
	var id string
	switch {
	case a.has("contents_pillar"):
		v, msg := lookupContents(c.Env.Pillar, a, "contents_pillar", "Pillar")
		if msg != "" {
			return msg
		}
		use, id = v, "contents_pillar "+pyStr(a.get("contents_pillar"))
	case a.has("contents_grains"):
		v, msg := lookupContents(c.Env.Grains, a, "contents_grains", "Grain")
		if msg != "" {
			return msg
		}
		use, id = v, "contents_grains "+pyStr(a.get("contents_grains"))
	case a.has("contents"):
		use, id = a.get("contents"), "'contents'"
	default:
		return ""
	}
	if !a.boolean("allow_empty", true) && !truthy(use) {
		return id + " value would result in empty contents. Set allow_empty to True to allow the managed file to be empty."
	}
	parts, ok := strParts(use)
	if !ok {
		return "Contents specified by contents/contents_pillar/contents_grains is not a string or list of strings, and is not binary data. SLS is likely malformed."
	}
	var sb strings.Builder
	for _, part := range parts {
		for _, line := range pySplitLines(part) {
			sb.WriteString(strings.TrimRight(strings.TrimRight(line, "\n"), "\r") + "\n")
		}
	}
	text := sb.String()
	if !a.boolean("contents_newline", true) {
		text = strings.TrimRight(strings.TrimRight(text, "\n"), "\r")
	}
	if s.template != "" {
		out, err := renderTemplate(c, *s, "<contents>", []byte(text))
		if err != nil {
			return err.Error()
		}
		text = out
	}
	s.contents = &text
	return ""
}

// strParts is _validate_str_list: a string, or a list whose items are
// strings (other scalars as str()).
func strParts(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case []any, body.Map, map[string]any:
				continue
			}
			out = append(out, pyStr(e))
		}
		return out, len(out) > 0
	case nil:
		return nil, false
	}
	return []string{pyStr(v)}, true
}

// pySplitLines is str.splitlines() for \n, \r\n and \r.
func pySplitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// lookupContents is pillar.get/grains.get of one key or of a list of keys
// (joined by newlines), "a:b" walking nested mappings.
func lookupContents(data map[string]any, a args, arg, kind string) (any, string) {
	delim := a.str("contents_delimiter", ":")
	keys := a.strList(arg)
	var vals []string
	for _, k := range keys {
		v, ok := lookupPath(data, k, delim)
		if !ok {
			return nil, fmt.Sprintf("%s %s does not exist", kind, k)
		}
		if _, isList := a.get(arg).([]any); !isList {
			return v, ""
		}
		vals = append(vals, pyStr(v))
	}
	return strings.Join(vals, "\n"), ""
}

// lookupPath is salt.utils.data.traverse_dict_and_list for mappings.
func lookupPath(data map[string]any, key, delim string) (any, bool) {
	var cur any = data
	for _, part := range strings.Split(key, delim) {
		switch m := cur.(type) {
		case map[string]any:
			v, ok := m[part]
			if !ok {
				return nil, false
			}
			cur = v
		case body.Map:
			v, ok := m.Get(part)
			if !ok {
				return nil, false
			}
			cur = v
		default:
			return nil, false
		}
	}
	return cur, true
}

// renderTemplate renders a file.managed template (jinja only, as the
// minion's renderer has it).
func renderTemplate(c *state.Call, s managedSpec, file string, text []byte) (string, error) {
	if strings.ToLower(s.template) != "jinja" {
		return "", fmt.Errorf("Specified template format %s is not supported", s.template)
	}
	r := c.Env.Render
	if r == nil {
		r = &render.Renderer{Caller: c.Env.Modules}
	}
	return r.Template(file, text, render.Context{Grains: c.Env.Grains, Pillar: c.Env.Pillar,
		Opts: c.Env.Opts, Saltenv: s.saltenv, SLS: c.Low.SLS, Extra: s.tplVars})
}
