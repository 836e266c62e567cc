package fileclient

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// CacheFiles is Client.cache_files: CacheFile of each path, "" for those
// the master does not have.
func (c *Client) CacheFiles(ctx context.Context, urls []string, saltenv string) ([]string, error) {
	out := make([]string, 0, len(urls))
	for _, u := range urls {
		p, err := c.CacheFile(ctx, u, saltenv)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// CacheDir is Client.cache_dir: it caches every file of the master's
// saltenv under the salt:// directory url that passes the include and
// exclude patterns (globs, or regular expressions after "E@"), and with
// includeEmpty makes the empty directories there too. It returns the
// cached paths.
func (c *Client) CacheDir(ctx context.Context, url, saltenv string, includeEmpty bool, include, exclude []string) ([]string, error) {
	dir, err := checkProto(url)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	files, err := c.ListMaster(ctx, saltenv, "")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if strings.TrimSpace(f) == "" || !strings.HasPrefix(f, dir) || !includeExclude(f, include, exclude) {
			continue
		}
		p, err := c.CacheFile(ctx, URL(f), saltenv)
		if err != nil {
			return nil, err
		}
		if p != "" {
			out = append(out, p)
		}
	}
	if !includeEmpty {
		return out, nil
	}
	empty, err := c.ListEmptyDirs(ctx, saltenv, "")
	if err != nil {
		return nil, err
	}
	for _, d := range empty {
		if !strings.HasPrefix(d, dir) {
			continue
		}
		p, err := c.cachePath(d, saltenv)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// includeExclude is salt.utils.stringutils.check_include_exclude: true
// when p matches one of include (or include is empty) and none of exclude.
func includeExclude(p string, include, exclude []string) bool {
	match := func(pat string) bool {
		if re, ok := strings.CutPrefix(pat, "E@"); ok {
			tr, err := py.TranslateRegexp(re) // re.search: not anchored
			if err != nil {
				return false
			}
			rx, err := regexp.Compile(tr)
			return err == nil && rx.MatchString(p)
		}
		return py.Fnmatch(p, pat)
	}
	matchAny := func(pats []string) bool {
		for _, pat := range pats {
			if match(pat) {
				return true
			}
		}
		return false
	}
	return (len(include) == 0 || matchAny(include)) && (len(exclude) == 0 || !matchAny(exclude))
}

// GetDir is Client.get_dir: every file of the master's saltenv under the
// salt:// directory url, fetched to dest/<the directory's name>/..., and
// the directory's empty directories made there. It returns the paths,
// sorted.
func (c *Client) GetDir(ctx context.Context, url, dest, saltenv string) ([]string, error) {
	dir, err := checkProto(url)
	if err != nil {
		return nil, err
	}
	if _, env, _ := ParseURL(url); env != "" {
		saltenv = env
	}
	dir = strings.TrimRight(dir, "/")
	prefix := ""
	if i := strings.LastIndex(dir, "/"); i >= 0 {
		prefix = dir[:i]
	}
	under := func(f string) (string, bool) {
		if len(f) <= len(dir) || f[len(dir)] != '/' {
			return "", false // salt://foobar is not under salt://foo
		}
		return dest + "/" + strings.TrimLeft(f[len(prefix):], "/"), true
	}
	files, err := c.ListMaster(ctx, saltenv, dir)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, f := range files {
		to, ok := under(f)
		if !ok {
			continue
		}
		p, err := c.GetFile(ctx, URL(f), to, true, saltenv)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	empty, err := c.ListEmptyDirs(ctx, saltenv, dir)
	if err != nil {
		return nil, err
	}
	for _, d := range empty {
		to, ok := under(d)
		if !ok {
			continue
		}
		if err := os.MkdirAll(filepath.FromSlash(to), 0o755); err != nil {
			return nil, err
		}
		out = append(out, to)
	}
	sort.Strings(out)
	return out, nil
}
