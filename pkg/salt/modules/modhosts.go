package modules

import (
	"fmt"
	"os"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/hosts"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// hostsFuncs is Salt's hosts module (salt/modules/hosts.py) on the file
// named by the minion's hosts.file option (/etc/hosts by default), with
// the host states' reading and writing (internal/hosts).
//
// The path is read from the calling Executor's Config, not captured here,
// so that the table is the same for every minion (sharedFuncs).
func hostsFuncs() []Func {
	ipAlias := []Param{{Name: "ip", Required: true}, {Name: "alias", Required: true}}
	return []Func{
		{Name: "hosts.list_hosts", Doc: "Return the hosts found in the hosts file: {ip: {aliases, comment}}, comment lines as comment-<n>.\n\nCLI Example: salt '*' hosts.list_hosts",
			Call: func(c *Call) (any, error) { return listHosts(hosts.Read(hostsPath(c))), nil }},
		{Name: "hosts.get_ip", Params: []Param{{Name: "host", Required: true}},
			Doc:  "Return the ip associated with the named host, or \"\".\n\nCLI Example: salt '*' hosts.get_ip <hostname>",
			Call: func(c *Call) (any, error) { return hosts.Read(hostsPath(c)).IPOf(py.Str(c.Arg("host"))), nil }},
		{Name: "hosts.get_alias", Params: []Param{{Name: "ip", Required: true}},
			Doc: "Return the list of aliases associated with an ip.\n\nCLI Example: salt '*' hosts.get_alias <ip addr>",
			Call: func(c *Call) (any, error) {
				if e := hosts.Read(hostsPath(c)).Get(py.Str(c.Arg("ip"))); e != nil {
					return stringsToAny(e.Aliases), nil
				}
				return []any{}, nil
			}},
		{Name: "hosts.has_pair", Params: ipAlias,
			Doc:  "Return true if the alias is set (a list: all of them).\n\nCLI Example: salt '*' hosts.has_pair <ip> <alias>",
			Call: func(c *Call) (any, error) { return hasPair(hosts.Read(hostsPath(c)), c.Arg("ip"), c.Arg("alias")), nil }},
		{Name: "hosts.set_host", Params: []Param{{Name: "ip", Required: true}, {Name: "alias", Required: true}, {Name: "comment", Default: nil}},
			Doc: "Set the host entry in the hosts file for the given ip, this will overwrite any previous entry for the given ip; an empty alias removes it.\n\nCLI Example: salt '*' hosts.set_host <ip> <alias>",
			Call: func(c *Call) (any, error) {
				comment := ""
				if v := c.Arg("comment"); py.Truthy(v) {
					comment = py.Str(v)
				}
				return hostsWrite(hosts.Set(hostsPath(c), py.Str(c.Arg("ip")), py.Str(c.Arg("alias")), comment))
			}},
		{Name: "hosts.add_host", Params: ipAlias,
			Doc:  "Add a host to an existing entry, if the entry is not in place then create it with the given host.\n\nCLI Example: salt '*' hosts.add_host <ip> <alias>",
			Call: func(c *Call) (any, error) { return addHost(hostsPath(c), py.Str(c.Arg("ip")), py.Str(c.Arg("alias"))) }},
		{Name: "hosts.rm_host", Params: ipAlias,
			Doc: "Remove a host entry from the hosts file.\n\nCLI Example: salt '*' hosts.rm_host <ip> <alias>",
			Call: func(c *Call) (any, error) {
				if err := createHostsFile(hostsPath(c)); err != nil {
					return nil, err
				}
				return hostsWrite(hosts.Read(hostsPath(c)).Remove(py.Str(c.Arg("ip")), py.Str(c.Arg("alias"))))
			}},
		{Name: "hosts.set_comment", Params: []Param{{Name: "ip", Required: true}, {Name: "comment", Required: true}},
			Doc: "Set the comment for a host to an existing entry; False when the ip has none.\n\nCLI Example: salt '*' hosts.set_comment <ip> <comment>",
			Call: func(c *Call) (any, error) {
				return setComment(hostsPath(c), py.Str(c.Arg("ip")), py.Str(c.Arg("comment")))
			}},
	}
}

// hostsPath is the minion's hosts.file option, /etc/hosts by default.
func hostsPath(c *Call) string {
	if cfg := c.exec.opts.Config; cfg != nil {
		if p, ok := cfg.Raw["hosts.file"].(string); ok && p != "" {
			return p
		}
	}
	return hosts.DefaultPath
}

// listHosts is hosts.list_hosts: the entries in file order.
func listHosts(h *hosts.File) body.Map {
	ret := body.Map{}
	n := 0
	for _, e := range h.Entries {
		if e.IP == "" {
			ret.Set(fmt.Sprintf("comment-%d", n), []any{e.Line})
			n++
			continue
		}
		m := body.Map{{Key: "aliases", Value: stringsToAny(e.Aliases)}}
		if e.HasComment {
			m.Set("comment", e.Comment)
		}
		ret.Set(e.IP, m)
	}
	return ret
}

func hasPair(h *hosts.File, ip, alias any) bool {
	e := h.Get(py.Str(ip))
	if e == nil {
		return false
	}
	if l, ok := alias.([]any); ok {
		for _, a := range l {
			if !slices.Contains(e.Aliases, py.Str(a)) {
				return false
			}
		}
		return true
	}
	return slices.Contains(e.Aliases, py.Str(alias))
}

// createHostsFile is _get_or_create_hostfile: an empty file where none is.
func createHostsFile(path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			return &Exception{Type: "OSError", Msg: err.Error()}
		}
	}
	return nil
}

func hostsWrite(err error) (any, error) {
	if err != nil {
		return nil, &Exception{Type: "OSError", Msg: err.Error()}
	}
	return true, nil
}

func addHost(path, ip, alias string) (any, error) {
	if err := createHostsFile(path); err != nil {
		return nil, err
	}
	h := hosts.Read(path)
	if h.HasPair(ip, alias) {
		return true, nil
	}
	h.AddAlias(ip, alias)
	return hostsWrite(h.Write())
}

func setComment(path, ip, comment string) (any, error) {
	if err := createHostsFile(path); err != nil {
		return nil, err
	}
	h := hosts.Read(path)
	e := h.Get(ip)
	if e == nil {
		return false, nil
	}
	if e.HasComment && e.Comment == comment {
		return true, nil
	}
	e.Comment, e.HasComment = comment, true
	return hostsWrite(h.Write())
}
