package states

import (
	"context"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.line (salt/states/file.py line, salt/modules/file.py line and
// _set_line).

func fileLine(ctx context.Context, c *state.Call) state.Ret {
	name, ret := pathName(c)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.line")
	}
	margs := body.Map{{Key: "create", Value: a.boolean("create", false)}, {Key: "user", Value: a.get("user")},
		{Key: "group", Value: a.get("group")}, {Key: "mode", Value: a.get("file_mode")}, {Key: "replace", Value: false}}
	fileManaged(ctx, &state.Call{Low: &state.Low{State: "file", Fun: "managed", Name: name, Args: margs}, Test: c.Test, Env: c.Env})
	if msg := checkFile(name); msg != "" {
		return errRet(ret, msg)
	}
	o := filemod.LineOpts{Content: optStr(a, "content"), Match: optStr(a, "match"), Before: optStr(a, "before"), After: optStr(a, "after"),
		Mode: strings.ToLower(a.str("mode", "")), Location: a.str("location", ""), Indent: a.boolean("indent", true)}
	if o.Mode == "" {
		return errRet(ret, "Mode was not defined. How to process the file?")
	}
	if o.Mode != "delete" && o.Content == nil {
		return errRet(ret, "Content can only be empty if mode is ['delete']")
	}
	diff, changed, err := filemod.Line(name, o, a.boolean("show_changes", true), a.boolean("backup", false), c.Test)
	if err != nil {
		return errRet(ret, exception(err))
	}
	if !changed {
		ret.Comment = "No changes needed to be made"
		return ret
	}
	if diff != "" {
		ret.Changes.Set("diff", diff)
	} else {
		ret.Changes.Set("diff", true)
	}
	ret.Comment = "Changes were made"
	if c.Test {
		ret.Result, ret.Comment = nil, "Changes would be made"
	}
	return ret
}

func optStr(a args, key string) *string {
	if !a.has(key) {
		return nil
	}
	s := a.str(key, "")
	return &s
}
