package states

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/hosts"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// host.present and host.absent (salt/states/host.py) on the hosts file
// (salt/modules/hosts.py): the option hosts.file, /etc/hosts by default.

func registerHost(r state.Registry) {
	r["host.present"] = hostPresent
	r["host.absent"] = hostAbsent
}

func hostsPath(env *state.Env) string {
	if p, ok := env.Opts["hosts.file"].(string); ok && p != "" {
		return p
	}
	return hosts.DefaultPath
}

// addTo appends v to the list at changes[key][addr].
func addTo(changes *body.Map, key, addr, v string) {
	m, _ := changes.Map(key)
	l, _ := m.Get(addr)
	list, _ := l.([]any)
	m.Set(addr, append(list, v))
	changes.Set(key, m)
}

func hostPresent(_ context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	a := argsOf(c)
	ips := a.strList("ip")
	comment := a.str("comment", "")
	h := hosts.Read(hostsPath(c.Env))
	var comments []string
	var toAdd, toComment, toRemove []string // addresses
	for _, ip := range ips {
		if h.Get(ip) == nil {
			toAdd = append(toAdd, ip)
			if comment != "" {
				toComment = append(toComment, ip)
			}
		}
	}
	for _, e := range h.Entries {
		switch {
		case e.IP == "":
		case !slices.Contains(ips, e.IP):
			if slices.Contains(e.Aliases, name) {
				if a.boolean("clean", false) {
					toRemove = append(toRemove, e.IP)
				} else {
					ret.Warnings = append(ret.Warnings, fmt.Sprintf("Host %[1]s present for IP address %[2]s. To get rid of this warning, either run this state with 'clean' set to True to remove %[1]s from %[2]s, or add %[2]s to the 'ip' argument.", name, e.IP))
				}
			}
		case slices.Contains(e.Aliases, name):
			if comment != "" && (!e.HasComment || e.Comment != comment) {
				toComment = append(toComment, e.IP)
			} else {
				comments = append(comments, fmt.Sprintf("Host %s (%s) already present", name, e.IP))
			}
		default:
			if _, err := netip.ParseAddr(e.IP); err != nil {
				ret.Result = &no
				comments = append(comments, fmt.Sprintf("Invalid IP Address for %s (%s)", name, e.IP))
				continue
			}
			toAdd = append(toAdd, e.IP)
			if comment != "" {
				toComment = append(toComment, e.IP)
			}
		}
	}
	comments = hostChanges(c, h, &ret, name, comment, toAdd, toComment, toRemove, comments)
	ret.Comment = strings.Join(comments, "\n")
	return ret
}

// hostChanges adds, comments and removes the pairs (or says it would).
func hostChanges(c *state.Call, h *hosts.File, ret *state.Ret, name, comment string, toAdd, toComment, toRemove, comments []string) []string {
	for _, ip := range toAdd {
		if c.Test {
			ret.Result = nil
			comments = append(comments, fmt.Sprintf("Host %s (%s) would be added", name, ip))
		} else {
			h.AddAlias(ip, name)
			if err := h.Write(); err != nil {
				ret.Result = &no
				comments = append(comments, fmt.Sprintf("Failed to add host %s (%s)", name, ip))
				continue
			}
			comments = append(comments, fmt.Sprintf("Added host %s (%s)", name, ip))
		}
		addTo(&ret.Changes, "added", ip, name)
	}
	for _, ip := range toComment {
		if c.Test {
			comments = append(comments, fmt.Sprintf("Comment for %s (%s) would be added", ip, comment))
		} else {
			e := h.Get(ip)
			e.Comment, e.HasComment = comment, true
			if err := h.Write(); err != nil {
				ret.Result = &no
				comments = append(comments, fmt.Sprintf("Failed to add comment for host %s (%s)", ip, comment))
				continue
			}
			comments = append(comments, fmt.Sprintf("Set comment for host %s (%s)", ip, comment))
		}
		addTo(&ret.Changes, "comment_added", ip, comment)
	}
	for _, ip := range toRemove {
		if c.Test {
			ret.Result = nil
			comments = append(comments, fmt.Sprintf("Host %s (%s) would be removed", name, ip))
		} else {
			if err := h.Remove(ip, name); err != nil {
				ret.Result = &no
				comments = append(comments, fmt.Sprintf("Failed to remove host %s (%s)", name, ip))
				continue
			}
			comments = append(comments, fmt.Sprintf("Removed host %s (%s)", name, ip))
		}
		addTo(&ret.Changes, "removed", ip, name)
	}
	return comments
}

func hostAbsent(_ context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	ret := newRet(name, nil)
	var comments []string
	path := hostsPath(c.Env)
	for _, ip := range argsOf(c).strList("ip") {
		h := hosts.Read(path)
		switch {
		case !h.HasPair(ip, name):
			ret.Result = &yes
			comments = append(comments, fmt.Sprintf("Host %s (%s) already absent", name, ip))
		case c.Test:
			comments = append(comments, fmt.Sprintf("Host %s (%s) needs to be removed", name, ip))
		case h.Remove(ip, name) == nil:
			ret.Changes = body.Map{{Key: "host", Value: name}}
			ret.Result = &yes
			comments = append(comments, fmt.Sprintf("Removed host %s (%s)", name, ip))
		default:
			ret.Result = &no
			comments = append(comments, "Failed to remove host")
		}
	}
	ret.Comment = strings.Join(comments, "\n")
	return ret
}
