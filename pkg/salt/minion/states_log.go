package minion

import (
	"fmt"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// logStateResults logs each state a run carried out as Salt's State.call
// does with salt.state.format_log: at info when it succeeded (or would
// change, under test), at error when it failed, so that salt-call shows
// "[ERROR   ] Failure!" for a failed state, as Salt's does. States that did
// not run because a requisite failed are not logged: Salt never calls
// their function.
func (m *Minion) logStateResults(ret body.Map) {
	for _, it := range ret {
		r, ok := it.Value.(body.Map)
		if !ok || !r.Has("changes") {
			continue
		}
		comment := py.Str(valueOf(r, "comment"))
		if strings.HasPrefix(comment, "One or more requisite failed") {
			continue
		}
		msg := formatLog(r, comment)
		switch res, _ := r.Get("result"); res {
		case true, nil:
			m.log.Info(msg)
		default:
			m.log.Error(msg)
		}
	}
}

// formatLog is format_log's message: the comment (or "No changes made")
// without changes; a file's diff; packages' old and new; else the changes
// as Python prints them.
func formatLog(r body.Map, comment string) string {
	chg, _ := r.Get("changes")
	changes, isMap := chg.(body.Map)
	if isMap && len(changes) == 0 || chg == nil {
		if comment != "" && comment != "None" {
			return comment
		}
		return fmt.Sprintf("No changes made for %s", py.Str(valueOf(r, "name")))
	}
	msg := ""
	if isMap {
		if d, ok := changes.Get("diff"); ok {
			if s, ok := d.(string); ok {
				msg = "File changed:\n" + s
			}
		}
		if pkgs, ok := oldNew(changes); ok {
			msg = "Made the following changes:\n" + pkgs
		}
	}
	if msg == "" {
		msg = py.Str(chg)
	}
	return msg
}

// oldNew is format_log's list of packages' changes, when every change is
// a mapping with old and new.
func oldNew(changes body.Map) (string, bool) {
	var b strings.Builder
	for _, it := range changes {
		c, ok := it.Value.(body.Map)
		if !ok || !c.Has("old") || !c.Has("new") {
			return "", false
		}
		old, _ := c.Get("old")
		nw, _ := c.Get("new")
		fmt.Fprintf(&b, "'%s' changed from '%s' to '%s'\n", it.Key, absent(old), absent(nw))
	}
	return b.String(), true
}

// absent is how format_log shows an empty old or new value.
func absent(v any) string {
	if v != nil && v != false && !py.Truthy(v) {
		return "absent"
	}
	return py.Str(v)
}

func valueOf(m body.Map, key string) any { v, _ := m.Get(key); return v }
