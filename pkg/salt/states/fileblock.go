package states

import (
	"context"
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// file.blockreplace (salt/states/file.py, salt/modules/file.py).

func fileBlockreplace(ctx context.Context, c *state.Call) state.Ret {
	name, _ := pathName(c)
	ret := newRet(name, &no)
	a := argsOf(c)
	if name == "" {
		return errRet(ret, "Must provide name to file.blockreplace")
	}
	if msg := checkFile(name); msg != "" {
		return errRet(ret, msg)
	}
	o := filemod.BlockOpts{Start: a.str("marker_start", "#-- start managed zone --"), End: a.str("marker_end", "#-- end managed zone --"),
		Content: a.str("content", ""), AppendIf: a.boolean("append_if_not_found", false), PrependIf: a.boolean("prepend_if_not_found", false),
		Before: a.str("insert_before_match", ""), After: a.str("insert_after_match", ""), Backup: a.str("backup", ".bak"), DryRun: c.Test}
	if v, ok := a.m.Get("backup"); ok && v == false {
		o.Backup = ""
	}
	if v, ok := a.get("append_newline").(bool); ok {
		o.AppendNewline = &v
	}
	texts, msg := sourceTexts(ctx, c, a)
	if msg != "" {
		return errRet(ret, msg)
	}
	o.Content += strings.Join(texts, "")
	diff, err := filemod.BlockReplace(name, o)
	if err != nil {
		ret.Comment = fmt.Sprintf("Encountered error managing block: %v. See the log for details.", err)
		return ret
	}
	ret.Result = &yes
	switch {
	case diff == "":
		ret.Comment = "No changes needed to be made"
	case !a.boolean("show_changes", true):
		ret.Changes.Set("diff", true)
	default:
		ret.Changes.Set("diff", diff)
	}
	if diff != "" {
		ret.Comment = "Changes were made"
		if c.Test {
			ret.Result, ret.Comment = nil, "Changes would be made"
		}
	}
	return ret
}
