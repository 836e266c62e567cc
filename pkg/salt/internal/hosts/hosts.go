// Package hosts reads and edits the hosts file the way Salt's hosts
// execution module does (salt/modules/hosts.py): the module (hosts.*) and
// the host.present and host.absent states share it, so both keep the file
// in the same layout.
package hosts

import (
	"os"
	"slices"
	"strings"
)

// DefaultPath is the hosts.file option's default.
const DefaultPath = "/etc/hosts"

// Entry is one address of the hosts file with its aliases and comment, or
// a whole comment line (IP "").
type Entry struct {
	IP, Comment, Line string
	Aliases           []string
	HasComment        bool
}

// File is hosts._list_hosts: the entries by address in file order, lines
// of one address merged.
type File struct {
	Path    string
	Entries []*Entry
}

// Read is hosts._list_hosts of path; a missing file has no entries.
func Read(path string) *File {
	h := &File{Path: path}
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			h.Entries = append(h.Entries, &Entry{Line: line})
			continue
		}
		comment, hasComment := "", false
		if i := strings.IndexByte(line, '#'); i >= 0 {
			comment, hasComment = strings.TrimLeft(line[i+1:], " \t"), true
			line = strings.TrimSpace(line[:i])
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		e := h.Get(f[0])
		if e == nil {
			e = &Entry{IP: f[0]}
			h.Entries = append(h.Entries, e)
		}
		e.Aliases = append(e.Aliases, f[1:]...)
		if hasComment && comment != "" {
			e.Comment, e.HasComment = comment, true
		}
	}
	return h
}

// Get is the entry of ip, nil when there is none.
func (h *File) Get(ip string) *Entry {
	for _, e := range h.Entries {
		if e.IP == ip && ip != "" {
			return e
		}
	}
	return nil
}

// HasPair is hosts.has_pair for one alias.
func (h *File) HasPair(ip, alias string) bool {
	e := h.Get(ip)
	return e != nil && slices.Contains(e.Aliases, alias)
}

// IPOf is hosts.get_ip: the first address with the alias, "" for none.
func (h *File) IPOf(alias string) string {
	for _, e := range h.Entries {
		if e.IP != "" && slices.Contains(e.Aliases, alias) {
			return e.IP
		}
	}
	return ""
}

// AddAlias adds alias to ip's entry, a new entry at the end when ip has
// none (hosts.add_host before it writes).
func (h *File) AddAlias(ip, alias string) {
	e := h.Get(ip)
	if e == nil {
		e = &Entry{IP: ip}
		h.Entries = append(h.Entries, e)
	}
	e.Aliases = append(e.Aliases, alias)
}

// Write is hosts._write_hosts: every entry on one line, each line
// stripped and ended with a newline.
func (h *File) Write() error {
	var sb strings.Builder
	for _, e := range h.Entries {
		line := e.Line
		if e.IP != "" {
			line = e.IP + "\t\t" + strings.Join(e.Aliases, " ")
			if e.HasComment {
				line += "\t\t# " + e.Comment
			}
		}
		if strings.TrimSpace(line) != "" {
			sb.WriteString(strings.TrimSpace(line) + "\n")
		}
	}
	return os.WriteFile(h.Path, []byte(sb.String()), 0o644)
}

// lines are the file's lines with their endings, for the functions that
// edit it in place (set_host, rm_host).
func lines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.SplitAfter(string(data), "\n"), nil
}

// Remove is hosts.rm_host: the alias taken off the address's lines (a
// line left with no alias goes), the rest of the file as it was.
func (h *File) Remove(ip, alias string) error {
	if !h.HasPair(ip, alias) {
		return nil
	}
	ls, err := lines(h.Path)
	if err != nil {
		return err
	}
	for i, raw := range ls {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		info, comment, hasComment := strings.Cut(line, "#")
		f := strings.Fields(info)
		if len(f) == 0 || f[0] != ip {
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
			ls[i] = ""
		case hasComment:
			ls[i] = nl + "# " + strings.TrimLeft(comment, " \t") + "\n"
		default:
			ls[i] = nl + "\n"
		}
	}
	return os.WriteFile(h.Path, []byte(strings.Join(ls, "")), 0o644)
}

// Set is hosts.set_host: the first line of ip replaced by "ip\t\talias"
// (with the comment), its other lines removed, or the line appended; an
// alias of only spaces removes ip's lines. The file is created when
// missing.
func Set(path, ip, alias, comment string) error {
	ls, err := lines(path)
	if os.IsNotExist(err) {
		ls, err = nil, nil
	}
	if err != nil {
		return err
	}
	add := ip + "\t\t" + alias + "\n"
	if comment != "" {
		add = ip + "\t\t" + alias + "\t\t# " + comment + "\n"
	}
	if strings.TrimSpace(alias) == "" {
		add = ""
	}
	replaced := false
	for i, raw := range ls {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") || strings.Fields(line)[0] != ip {
			continue
		}
		if !replaced {
			ls[i], replaced = add, true
		} else {
			ls[i] = ""
		}
	}
	if !replaced {
		if n := len(ls); n > 0 && ls[n-1] != "" && !strings.HasSuffix(ls[n-1], "\n") {
			ls[n-1] += "\n"
		}
		ls = append(ls, add)
	}
	return os.WriteFile(path, []byte(strings.Join(ls, "")), 0o644)
}
