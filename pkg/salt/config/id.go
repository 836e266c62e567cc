package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// IDSource says where an id came from, so a daemon can log it and so the
// minion knows whether to cache it (salt.config.get_id caches only a
// generated id).
type IDSource int

const (
	IDFromOption   IDSource = iota + 1 // the id option
	IDFromCache                        // the first line of <config_dir>/minion_id
	IDFromHostname                     // the host's FQDN
)

func (s IDSource) String() string {
	switch s {
	case IDFromOption:
		return "id option"
	case IDFromCache:
		return "minion_id file"
	case IDFromHostname:
		return "hostname"
	}
	return "unknown"
}

// MinionIDFile is the file, under the config dir, that caches a minion's id.
const MinionIDFile = "minion_id"

// FQDN is the default hostname source: Python's socket.getfqdn(), which
// salt.utils.network.generate_minion_id tries first. It returns the
// hostname when it already holds a dot, else the first dotted name the
// host's addresses resolve back to (e.g. from /etc/hosts), else the bare
// hostname. The lookup is best effort and bounded in time.
func FQDN() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return fqdn(ctx, h, net.DefaultResolver), nil
}

// resolver is the part of *net.Resolver fqdn uses.
type resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

func fqdn(ctx context.Context, h string, r resolver) string {
	if strings.Contains(h, ".") {
		return h
	}
	addrs, err := r.LookupHost(ctx, h)
	if err != nil {
		return h
	}
	for _, a := range addrs {
		names, err := r.LookupAddr(ctx, a)
		if err != nil {
			continue
		}
		for _, n := range names {
			n = strings.TrimSuffix(n, ".")
			if strings.Contains(n, ".") && !isLocalhost(n) {
				return n
			}
		}
	}
	return h
}

func isLocalhost(name string) bool {
	name = strings.ToLower(name)
	return name == "localhost" || strings.HasPrefix(name, "localhost.") || name == "ip6-localhost" || name == "ip6-loopback"
}

// readIDCache reads the first line of the minion_id file, as get_id does:
// surrounding blanks and a UTF-8 byte order mark are dropped, and an empty
// line or "localhost" means no cached id. A missing file is no id; a file
// that exists but cannot be read is an error, because silently falling back
// to the hostname would give the daemon a different identity (and key).
func readIDCache(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", &Error{File: path, Msg: "cannot read the cached id: " + unwrapPathError(err)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSpace(line)
	if line == "localhost" {
		return "", nil
	}
	return line, nil
}

// resolveID is the id part of apply_minion_config / apply_master_config:
// the id option, else get_id (the cached minion_id if minion_id_caching is
// on, else the FQDN, lowercased if minion_id_lowercase), then append_domain
// unless the id is a generated IPv4 address. It returns the id before the
// master's "_master" suffix.
func resolveID(c *Common, hostname func() (string, error), role string) (string, IDSource, error) {
	id, src := c.ID, IDFromOption
	if id == "" {
		cachePath := filepath.Join(c.ConfigDir, MinionIDFile)
		if c.MinionIDCaching {
			cached, err := readIDCache(cachePath)
			if err != nil {
				return "", 0, err
			}
			id, src = cached, IDFromCache
		}
		if id == "" {
			h, err := hostname()
			advice := fmt.Sprintf("set id in %s or write it to %s", c.ConfFile, cachePath)
			if err != nil {
				return "", 0, &Error{Key: "id", Msg: fmt.Sprintf("cannot work out the %s's id from the hostname (%v); %s", role, err, advice)}
			}
			h = strings.TrimSpace(h)
			if h == "" || isLocalhost(h) {
				return "", 0, &Error{Key: "id", Msg: fmt.Sprintf("cannot work out the %s's id: the hostname is %q; %s", role, h, advice)}
			}
			if c.MinionIDLowercase {
				h = strings.ToLower(h)
			}
			id, src = h, IDFromHostname
		}
	}
	isIP := src == IDFromHostname && net.ParseIP(id).To4() != nil
	if c.AppendDomain != "" && !isIP && !strings.HasSuffix(id, c.AppendDomain) && !strings.HasSuffix(id, ".") {
		id += "." + c.AppendDomain
	}
	return id, src, nil
}
