package states

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// host.present and host.absent (salt/states/host.py) on the hosts file
// (salt/modules/hosts.py): the option hosts.file, /etc/hosts by default.

func registerHost(r state.Registry) {
	r["host.present"] = hostPresent
	r["host.absent"] = hostAbsent
}

// hostEntry is one line of the hosts file: an address with its aliases
// and comment, or a comment line (ip "").
type hostEntry struct {
	ip, comment, line string
	aliases           []string
	hasComment        bool
}

// hostsFile is hosts._list_hosts: the entries by address, in file order.
type hostsFile struct {
	path    string
	entries []*hostEntry
}

func hostsPath(env *state.Env) string {
	if p, ok := env.Opts["hosts.file"].(string); ok && p != "" {
		return p
	}
	return "/etc/hosts"
}

func readHosts(path string) *hostsFile {
	h := &hostsFile{path: path}
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			h.entries = append(h.entries, &hostEntry{line: line})
			continue
		}
		comment, hasComment := "", false
		if i := strings.IndexByte(line, '#'); i >= 0 {
			comment, hasComment = strings.TrimLeft(line[i+1:], " \t"), true
			line = strings.TrimSpace(line[:i])
		}
		f := strings.Fields(line)
		e := h.get(f[0])
		if e == nil {
			e = &hostEntry{ip: f[0]}
			h.entries = append(h.entries, e)
		}
		e.aliases = append(e.aliases, f[1:]...)
		if hasComment && comment != "" {
			e.comment, e.hasComment = comment, true
		}
	}
	return h
}

func (h *hostsFile) get(ip string) *hostEntry {
	for _, e := range h.entries {
		if e.ip == ip && ip != "" {
			return e
		}
	}
	return nil
}

func (h *hostsFile) hasPair(ip, alias string) bool {
	e := h.get(ip)
	return e != nil && slices.Contains(e.aliases, alias)
}

// write is hosts._write_hosts.
func (h *hostsFile) write() error {
	var sb strings.Builder
	for _, e := range h.entries {
		line := e.line
		if e.ip != "" {
			line = e.ip + "\t\t" + strings.Join(e.aliases, " ")
			if e.hasComment {
				line += "\t\t# " + e.comment
			}
		}
		if strings.TrimSpace(line) != "" {
			sb.WriteString(strings.TrimSpace(line) + "\n")
		}
	}
	return os.WriteFile(h.path, []byte(sb.String()), 0o644)
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
	h := readHosts(hostsPath(c.Env))
	var comments []string
	var toAdd, toComment, toRemove []string // addresses
	for _, ip := range ips {
		if h.get(ip) == nil {
			toAdd = append(toAdd, ip)
			if comment != "" {
				toComment = append(toComment, ip)
			}
		}
	}
	for _, e := range h.entries {
		switch {
		case e.ip == "":
		case !slices.Contains(ips, e.ip):
			if slices.Contains(e.aliases, name) {
				if a.boolean("clean", false) {
					toRemove = append(toRemove, e.ip)
				} else {
					ret.Warnings = append(ret.Warnings, fmt.Sprintf("Host %[1]s present for IP address %[2]s. To get rid of this warning, either run this state with 'clean' set to True to remove %[1]s from %[2]s, or add %[2]s to the 'ip' argument.", name, e.ip))
				}
			}
		case slices.Contains(e.aliases, name):
			if comment != "" && (!e.hasComment || e.comment != comment) {
				toComment = append(toComment, e.ip)
			} else {
				comments = append(comments, fmt.Sprintf("Host %s (%s) already present", name, e.ip))
			}
		default:
			if _, err := netip.ParseAddr(e.ip); err != nil {
				ret.Result = &no
				comments = append(comments, fmt.Sprintf("Invalid IP Address for %s (%s)", name, e.ip))
				continue
			}
			toAdd = append(toAdd, e.ip)
			if comment != "" {
				toComment = append(toComment, e.ip)
			}
		}
	}
	comments = hostChanges(c, h, &ret, name, comment, toAdd, toComment, toRemove, comments)
	ret.Comment = strings.Join(comments, "\n")
	return ret
}

// hostChanges adds, comments and removes the pairs (or says it would).
func hostChanges(c *state.Call, h *hostsFile, ret *state.Ret, name, comment string, toAdd, toComment, toRemove, comments []string) []string {
	for _, ip := range toAdd {
		if c.Test {
			ret.Result = nil
			comments = append(comments, fmt.Sprintf("Host %s (%s) would be added", name, ip))
		} else {
			e := h.get(ip)
			if e == nil {
				e = &hostEntry{ip: ip}
				h.entries = append(h.entries, e)
			}
			e.aliases = append(e.aliases, name)
			if err := h.write(); err != nil {
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
			e := h.get(ip)
			e.comment, e.hasComment = comment, true
			if err := h.write(); err != nil {
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
			if err := h.remove(ip, name); err != nil {
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

// remove is hosts.rm_host: the alias taken off the address's lines (a
// line left with no alias goes), the rest of the file as it was.
func (h *hostsFile) remove(ip, alias string) error {
	if !h.hasPair(ip, alias) {
		return nil
	}
	data, err := os.ReadFile(h.path)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(data), "\n")
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		info, comment, hasComment := strings.Cut(line, "#")
		f := strings.Fields(info)
		if f[0] != ip {
			continue
		}
		nl := f[0] + "\t\t"
		for _, x := range f[1:] {
			if x != alias {
				nl += x + " "
			}
		}
		switch {
		case strings.TrimSpace(nl) == ip:
			lines[i] = ""
		case hasComment:
			lines[i] = nl + "# " + strings.TrimLeft(comment, " \t") + "\n"
		default:
			lines[i] = nl + "\n"
		}
	}
	return os.WriteFile(h.path, []byte(strings.Join(lines, "")), 0o644)
}

func hostAbsent(_ context.Context, c *state.Call) state.Ret {
	name := c.Low.Name
	ret := newRet(name, nil)
	var comments []string
	path := hostsPath(c.Env)
	for _, ip := range argsOf(c).strList("ip") {
		h := readHosts(path)
		switch {
		case !h.hasPair(ip, name):
			ret.Result = &yes
			comments = append(comments, fmt.Sprintf("Host %s (%s) already absent", name, ip))
		case c.Test:
			comments = append(comments, fmt.Sprintf("Host %s (%s) needs to be removed", name, ip))
		case h.remove(ip, name) == nil:
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
