package job

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// LoadLoad reads a job's .load.p. A job without one is an error wrapping
// fs.ErrNotExist.
func (c *Cache) LoadLoad(jid string) (body.Map, error) {
	v, err := c.readMsgpack(jid, LoadFile, "load")
	if err != nil {
		return nil, err
	}
	m, ok := v.(body.Map)
	if !ok {
		return nil, fmt.Errorf("job cache: load of %s is not a mapping", jid)
	}
	return m, nil
}

// Minions reads a job's .minions.p. A job without one is an error wrapping
// fs.ErrNotExist.
func (c *Cache) Minions(jid string) ([]string, error) {
	v, err := c.readMsgpack(jid, MinionsFile, "minions")
	if err != nil {
		return nil, err
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("job cache: minions of %s is not a list", jid)
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("job cache: minions of %s holds a %T, not a minion id", jid, x)
		}
		out = append(out, s)
	}
	return out, nil
}

// readMsgpack reads and decodes one of a job's files; what names it in
// errors, which wrap fs.ErrNotExist when the file is not there.
func (c *Cache) readMsgpack(jid, file, what string) (any, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir(jid), file))
	if err != nil {
		return nil, fmt.Errorf("job cache: %s of %s: %w", what, jid, err)
	}
	v, err := body.DecodeMsgpack(b)
	if err != nil {
		return nil, fmt.Errorf("job cache: %s of %s: %w", what, jid, err)
	}
	return v, nil
}

// Returns reads the returns stored for a job, by minion id
// (local_cache.get_jid): each is the mapping of return.p with "out" added
// from out.p when there is one. A return.p from an older Salt that holds
// only the return value is read as {"return": value}. A minion directory
// without return.p (a return being written) is skipped. Entries that
// cannot be read are left out and reported together in the error, while
// the others are still returned. A job that is not in the cache has no
// returns and no error.
func (c *Cache) Returns(jid string) (map[string]body.Map, error) {
	dir := c.Dir(jid)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]body.Map{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("job cache: %w", err)
	}
	ret := make(map[string]body.Map)
	var errs []error
	for _, e := range ents {
		id := e.Name()
		if !e.IsDir() || strings.HasPrefix(id, ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, id, ReturnFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("job cache: return of %s for %s: %w", id, jid, err))
			continue
		}
		v, err := body.DecodeMsgpack(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("job cache: return of %s for %s: %w", id, jid, err))
			continue
		}
		m, ok := v.(body.Map)
		if !ok || !m.Has("return") {
			m = body.Map{{Key: "return", Value: v}}
		}
		if ob, err := os.ReadFile(filepath.Join(dir, id, OutFile)); err == nil {
			o, err := body.DecodeMsgpack(ob)
			if err != nil {
				errs = append(errs, fmt.Errorf("job cache: outputter of %s for %s: %w", id, jid, err))
			} else {
				m.Set("out", o)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("job cache: outputter of %s for %s: %w", id, jid, err))
		}
		ret[id] = m
	}
	return ret, errors.Join(errs...)
}

// Jobs lists the jids in the cache, oldest first, read from the jid files.
// Directories without a readable jid file, or whose jid does not hash to
// the directory, are not jobs of this cache and are skipped.
func (c *Cache) Jobs() ([]string, error) {
	tops, err := os.ReadDir(c.root)
	if err != nil {
		return nil, fmt.Errorf("job cache: %w", err)
	}
	var jids []string
	for _, t := range tops {
		if !t.IsDir() {
			continue
		}
		finals, err := os.ReadDir(filepath.Join(c.root, t.Name()))
		if err != nil {
			continue // removed by a concurrent Clean, or unreadable
		}
		for _, f := range finals {
			dir := filepath.Join(c.root, t.Name(), f.Name())
			b, err := os.ReadFile(filepath.Join(dir, JIDFile))
			if err != nil {
				continue
			}
			jid := string(b)
			if IsJID(jid) && c.Dir(jid) == dir {
				jids = append(jids, jid)
			}
		}
	}
	slices.Sort(jids)
	return jids, nil
}
