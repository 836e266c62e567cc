package states

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.replace, file.append and file.prepend (salt/states/file.py).

func fileReplace(_ context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.replace")
	}
	if msg := checkFile(name); msg != "" {
		if a.boolean("ignore_if_missing", false) && strings.Contains(msg, "file not found") {
			ret.Comment = "No changes needed to be made"
			return ret
		}
		return errRet(ret, msg)
	}
	flags := py.ReMultiline
	if a.has("flags") {
		f, err := filemod.ReFlags(a.get("flags"))
		if err != nil {
			return errRet(ret, exception(err))
		}
		flags = f
	}
	count, _ := toInt(a.get("count"))
	o := filemod.ReplaceOpts{Pattern: a.str("pattern", ""), Repl: a.str("repl", ""), Count: count, Flags: flags,
		AppendIfNotFound: a.boolean("append_if_not_found", false), PrependIf: a.boolean("prepend_if_not_found", false),
		Backup: a.str("backup", ".bak"), DryRun: c.Test, ShowChanges: a.boolean("show_changes", true),
		IgnoreIfMissing: a.boolean("ignore_if_missing", false), Backslash: a.boolean("backslash_literal", false)}
	if a.has("not_found_content") {
		s := a.str("not_found_content", "")
		o.NotFound = &s
	}
	if v, ok := a.m.Get("backup"); ok && !truthy(v) {
		o.Backup = ""
	}
	res, err := filemod.Replace(name, o)
	if err != nil {
		return errRet(ret, exception(err))
	}
	if !res.Changed {
		ret.Comment = "No changes needed to be made"
		return ret
	}
	if o.ShowChanges {
		ret.Changes.Set("diff", res.Diff)
	} else {
		ret.Changes.Set("diff", true)
	}
	if c.Test {
		ret.Result, ret.Comment = nil, "Changes would have been made"
	} else {
		ret.Comment = "Changes were made"
	}
	return ret
}

// exception is the comment of a state whose execution function raised:
// the state system reports the exception (its traceback's last line).
func exception(err error) string {
	return "An exception occurred in this state: " + err.Error()
}

// checkFile is the file states' _check_file.
func checkFile(name string) string {
	if !filepath.IsAbs(name) {
		return fmt.Sprintf("Specified file %s is not an absolute path", name)
	}
	if !filemod.Exists(name) {
		return fmt.Sprintf("%s: file not found", name)
	}
	return ""
}

// editPrelude is what file.append and file.prepend do first: the
// directory made (makedirs), the file touched if missing, the text
// gathered from text or rendered sources. done is true with the ret to
// return.
func editPrelude(ctx context.Context, c *state.Call, fun string) (string, []string, state.Ret, bool) {
	name, _ := pathName(c)
	ret := newRet(name, &no)
	if name == "" {
		return name, nil, errRet(ret, "Must provide name to file."+fun), true
	}
	texts, ret, done := editTexts(ctx, c, name, ret)
	return name, texts, ret, done
}

// editTexts is the rest of editPrelude.
func editTexts(ctx context.Context, c *state.Call, name string, ret state.Ret) ([]string, state.Ret, bool) {
	a := argsOf(c)
	if a.isTrue("makedirs") {
		dir := filepath.Dir(name)
		if c.Test {
			ret.Result, ret.Comment = nil, fmt.Sprintf("Directory %s is set to be updated", dir)
		} else if !isDir(dir) {
			if err := filemod.Makedirs(name, filemod.Perms{}); err != nil {
				return nil, errRet(ret, err.Error()), true
			}
		}
	}
	if msg := checkFile(name); msg != "" {
		t := fileTouch(ctx, &state.Call{Low: &state.Low{Name: name, Args: c.Low.Args}, Test: c.Test, Env: c.Env})
		if c.Test {
			return nil, t, true
		}
		if checkFile(name) != "" {
			return nil, errRet(ret, msg), true
		}
	}
	texts, msg := sourceTexts(ctx, c, a)
	if msg != "" {
		return nil, errRet(ret, msg), true
	}
	if texts == nil {
		texts, _ = strParts(a.get("text"))
		if texts == nil {
			texts = []string{pyStr(a.get("text"))}
		}
	}
	return texts, ret, false
}

// sourceTexts is _get_template_texts for source/sources: each rendered
// with template (jinja by default); nil when there are none.
func sourceTexts(ctx context.Context, c *state.Call, a args) ([]string, string) {
	srcs := a.strList("sources")
	if a.has("source") {
		srcs = append([]string{a.str("source", "")}, srcs...)
	}
	var out []string
	for _, src := range srcs {
		s := managedSpec{template: a.str("template", "jinja"), saltenv: saltenvOf(c)}
		vars, msg := templateVars(a)
		if msg != "" {
			return nil, msg
		}
		s.tplVars = vars
		local, err := fetchSource(ctx, c, src, s.saltenv)
		if err != nil || local == "" {
			return nil, fmt.Sprintf("Failed to load template file %s", src)
		}
		text, err := os.ReadFile(local)
		if err != nil {
			return nil, fmt.Sprintf("Failed to load template file %s", src)
		}
		rendered, err := renderTemplate(c, s, src, text)
		if err != nil {
			return nil, fmt.Sprintf("Failed to load template file %s", src)
		}
		out = append(out, rendered)
	}
	return out, ""
}

func fileAppend(ctx context.Context, c *state.Call) state.Ret {
	name, texts, ret, done := editPrelude(ctx, c, "append")
	if done {
		return ret
	}
	ignoreWS := argsOf(c).boolean("ignore_whitespace", true)
	before, _ := os.ReadFile(name)
	slines := py.SplitLines(string(before))
	var add []string
	for _, chunk := range texts {
		pattern := chunk
		if ignoreWS {
			pattern = whitespaceSplitRegex(chunk)
		}
		if filemod.SearchFile(name, pattern) {
			continue
		}
		add = append(add, py.SplitLines(chunk)...)
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("File %s is set to be updated", name)
		if len(add) == 0 {
			ret.Result, ret.Comment = &yes, fmt.Sprintf("File %s is in correct state", name)
			return ret
		}
		setEditDiff(&ret, before, strings.Join(py.UnifiedDiffItems(slines, append(slines, add...)), "\n"))
		return ret
	}
	if len(add) > 0 {
		if err := filemod.AppendLines(name, add); err != nil {
			return errRet(ret, exception(err))
		}
		ret.Comment = fmt.Sprintf("Appended %d lines", len(add))
	} else {
		ret.Comment = fmt.Sprintf("File %s is in correct state", name)
	}
	after, _ := os.ReadFile(name)
	if nl := py.SplitLines(string(after)); !slices.Equal(slines, nl) {
		setEditDiff(&ret, after, strings.Join(py.UnifiedDiffItems(slines, nl), "\n"))
	}
	ret.Result = &yes
	return ret
}

// setEditDiff records the diff, or "Replace binary file" for a binary
// file.
func setEditDiff(ret *state.Ret, data []byte, diff string) {
	if !filemod.IsText(data) {
		diff = "Replace binary file"
	}
	ret.Changes.Set("diff", diff)
}

func filePrepend(ctx context.Context, c *state.Call) state.Ret {
	name, texts, ret, done := editPrelude(ctx, c, "prepend")
	if done {
		return ret
	}
	header := argsOf(c).boolean("header", false)
	before, _ := os.ReadFile(name)
	slines := filemod.SplitLines(string(before))
	var preface []string
	for _, chunk := range texts {
		if !header && filemod.SearchFile(name, whitespaceSplitRegex(chunk)) {
			continue
		}
		preface = append(preface, py.SplitLines(chunk)...)
	}
	if c.Test {
		nlines := append(withEnds(preface), slines...)
		if slices.Equal(slines, nlines) {
			ret.Result, ret.Comment = &yes, fmt.Sprintf("File %s is in correct state", name)
			return ret
		}
		ret.Result, ret.Comment = nil, fmt.Sprintf("File %s is set to be updated", name)
		setEditDiff(&ret, before, py.UnifiedDiff(slines, nlines))
		return ret
	}
	count := len(preface)
	if header && slices.Equal(withEnds(preface), stripHead(slines, len(preface))) {
		count = 0
	} else if err := os.WriteFile(name, []byte(strings.Join(append(withEnds(preface), slines...), "")), 0o644); err != nil {
		return errRet(ret, exception(err))
	}
	after, _ := os.ReadFile(name)
	if nl := filemod.SplitLines(string(after)); !slices.Equal(slines, nl) {
		setEditDiff(&ret, after, py.UnifiedDiff(slines, nl))
	}
	if count > 0 {
		ret.Comment = fmt.Sprintf("Prepended %d lines", count)
	} else {
		ret.Comment = fmt.Sprintf("File %s is in correct state", name)
	}
	ret.Result = &yes
	return ret
}

func withEnds(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l + "\n"
	}
	return out
}

// stripHead is the file's first n lines, each ended by "\n", as header
// compares them.
func stripHead(lines []string, n int) []string {
	head := lines[:min(n, len(lines))]
	var out []string
	for _, l := range head {
		for _, s := range py.SplitLines(l) {
			out = append(out, s+"\n")
		}
	}
	return out
}
