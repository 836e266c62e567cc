package job

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/internal/mkdir"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// Names of the files of a job directory (salt/returners/local_cache.py).
const (
	LoadFile    = ".load.p"
	MinionsFile = ".minions.p"
	JIDFile     = "jid"
	NoCacheFile = "nocache"
	EndTimeFile = "endtime"
	ReturnFile  = "return.p"
	OutFile     = "out.p"
)

// Errors of the job cache.
var (
	// ErrDuplicateReturn: the minion has already returned for this job. Salt
	// treats a second return as a possible replay and drops it.
	ErrDuplicateReturn = errors.New("job: minion has already returned for this job")
	// ErrUnknownJob: no directory for the jid in the job cache.
	ErrUnknownJob = errors.New("job: no such job in the job cache")
	// ErrBadID: a minion id that cannot name a directory of a job.
	ErrBadID = errors.New("job: invalid minion id")
	// ErrHashType: a hash_type that is not a hashlib name this cache knows.
	ErrHashType = errors.New("job: unsupported hash_type")
)

// Modes of what the cache creates. Returns can hold anything a minion
// printed (secrets included), so only the master's user may read them; Salt
// gets the same from the 0700 cachedir above.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// prepTries is how many jids PrepJID tries, as local_cache.prep_jid.
const prepTries = 5

// Cache is the master's local job cache (salt.returners.local_cache, the
// default master_job_cache) under <cachedir>/jobs, laid out as Salt lays it
// out (spec/salt-raet.md §4.2):
//
//	jobs/<h[0:2]>/<h[2:]>/jid            the jid, plain text, no newline
//	                      .load.p        msgpack of the publish load
//	                      .minions.p     msgpack list of the targeted minions
//	                      nocache        empty marker: returns not kept
//	                      <id>/return.p  msgpack {return, retcode, success}
//	                      <id>/out.p     msgpack str, the outputter
//
// where h is the hex hash_type digest of the jid. Every file is written
// whole or not at all (fsutil.WriteFile: an unnamed file linked into
// place, or a temporary file renamed), so a reader never sees half a file.
// The returns a writer behind stores (Behind.SaveReturn) may share their
// return.p or out.p with another minion's of the job by a hard link when
// the bytes are the same: no file here is ever written in place. A Cache
// is safe for concurrent use, by goroutines and
// by processes sharing the directory.
type Cache struct {
	root    string // <cachedir>/jobs
	newHash func() hash.Hash
	// commit, when set (GroupCommit), makes the files durable in batches:
	// each is written without its own fsync and noted here.
	commit *fsutil.Committer
	// umaskOnce reads the process's umask once, for the writes through
	// an open job directory (jobDir): it was read from /proc/self/status
	// for every job, ~16 µs and five system calls of a pipelined
	// test.ping. The daemons set no umask once they run.
	umaskOnce  sync.Once
	umaskTakes bool // the umask takes bits of dirMode or fileMode
	// same are the last small files written, for later jobs' files
	// with the same bytes to be links to (samefiles_linux.go).
	same sameFiles
}

// OpenCache opens (creating if needed) the job cache under cachedir/jobs.
// hashType is the master's hash_type; "" means sha256, the default.
func OpenCache(cachedir, hashType string) (*Cache, error) {
	if hashType == "" {
		hashType = "sha256"
	}
	if _, ok := py.NewHash(hashType); !ok {
		return nil, fmt.Errorf("%w %q (use one of %s)", ErrHashType, hashType, strings.Join(py.HashNames(), ", "))
	}
	h := func() hash.Hash { sum, _ := py.NewHash(hashType); return sum }
	root := filepath.Join(cachedir, "jobs")
	if err := mkdir.All(root, dirMode); err != nil {
		return nil, fmt.Errorf("job cache: %w", err)
	}
	return &Cache{root: root, newHash: h}, nil
}

// Root is the jobs directory.
func (c *Cache) Root() string { return c.root }

// Dir is the directory of a job: salt.utils.jid.jid_dir.
func (c *Cache) Dir(jid string) string {
	h := c.newHash()
	h.Write([]byte(jid))
	sum := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.root, sum[:2], sum[2:])
}

// PrepJID allocates a jid from gen whose directory did not exist and
// creates it, with the jid file in it (local_cache.prep_jid). The directory
// is created with mkdir, which fails if it exists, so two masters (or two
// generators) sharing the cache never get the same job; a taken jid is
// replaced by the next one from gen, up to five times. A nil gen means a
// process-wide generator of local-time jids.
func (c *Cache) PrepJID(gen *JIDGen) (string, error) {
	return c.prepJID(gen, false)
}

// PrepJIDNoCache is PrepJID for a job whose returns are not to be kept
// (prep_jid(nocache=True), the publish's "nocache" kwarg): it also writes
// the empty nocache marker, and SaveReturn then stores nothing for the job.
func (c *Cache) PrepJIDNoCache(gen *JIDGen) (string, error) {
	return c.prepJID(gen, true)
}

// defaultGen serves PrepJID calls that bring no generator.
var defaultGen JIDGen

func (c *Cache) prepJID(gen *JIDGen, nocache bool) (string, error) {
	jid, err := c.PrepJIDDir(gen)
	if err != nil {
		return "", err
	}
	dir := c.Dir(jid)
	if err := c.writeAtomic(dir, JIDFile, []byte(jid)); err != nil {
		return "", err
	}
	if nocache {
		if err := c.writeAtomic(dir, NoCacheFile, nil); err != nil {
			return "", err
		}
	}
	return jid, nil
}

// PrepJIDDir is the first half of PrepJID: the jid's directory made, which
// makes it the caller's, without its files; SavePrepared writes them (from
// a writer behind, Behind). Until then Jobs does not list the job.
func (c *Cache) PrepJIDDir(gen *JIDGen) (string, error) {
	if gen == nil {
		gen = &defaultGen
	}
	var lastErr error
	for range prepTries {
		jid := gen.Next()
		err := mkdirNew(c.Dir(jid), c.chmodNeeded())
		if errors.Is(err, fs.ErrExist) {
			lastErr = fmt.Errorf("job cache: directory of jid %s already exists", jid)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("job cache: prep jid %s: %w", jid, err)
		}
		return jid, nil
	}
	return "", fmt.Errorf("job cache: could not store a jid after %d tries: %w", prepTries, lastErr)
}

// mkdirNew creates dir, and its parent if need be, failing with
// fs.ErrExist if dir is there already. A parent removed by a concurrent
// Clean between the two steps is made again.
func mkdirNew(dir string, chmod bool) error {
	one := mkdir.One
	if !chmod { // the umask leaves dirMode whole: no chmod after the mkdir
		one = os.Mkdir
	}
	for range 3 {
		if err := mkdir.All(filepath.Dir(dir), dirMode); err != nil {
			return err
		}
		err := one(dir, dirMode)
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return one(dir, dirMode)
}

// ensureDir makes dir and its parents, again if a concurrent Clean removed
// the parent half way.
func ensureDir(dir string) error {
	var err error
	for range 3 {
		if err = mkdir.All(dir, dirMode); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
}

// SaveLoad stores the publish load of a job as .load.p and, when the load
// has a non-empty tgt, the targeted minions as .minions.p
// (local_cache.save_load and save_minions). The load is written whole, in
// its own key order, so it is the caller who decides what goes in; Salt's
// master has already removed the publisher's "key" by then (authentication
// pops it), and the observed 3006 cache has none.
//
// The job directory is created if the jid was not prepared here (a jid
// given by the client), with its jid file, which Salt leaves out; without
// one Salt's clean_old_jobs would delete the job at once.
func (c *Cache) SaveLoad(jid string, load body.Map, minions []string) error {
	if !IsJID(jid) {
		return fmt.Errorf("job cache: save load: %w: %q", ErrBadJID, jid)
	}
	data, err := body.AppendMsgpack(nil, load)
	if err != nil {
		return fmt.Errorf("job cache: save load of %s: %w", jid, err)
	}
	dir := c.Dir(jid)
	if err := ensureDir(dir); err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, JIDFile)); errors.Is(err, fs.ErrNotExist) {
		if err := c.writeAtomic(dir, JIDFile, []byte(jid)); err != nil {
			return err
		}
	}
	return c.saveLoad(dir, jid, data, load, minions)
}

// SavePreparedLoad is SaveLoad for a jid PrepJID has just given: its
// directory and jid file are known to be there, and are not looked for.
func (c *Cache) SavePreparedLoad(jid string, load body.Map, minions []string) error {
	if !IsJID(jid) {
		return fmt.Errorf("job cache: save load: %w: %q", ErrBadJID, jid)
	}
	data, err := body.AppendMsgpack(nil, load)
	if err != nil {
		return fmt.Errorf("job cache: save load of %s: %w", jid, err)
	}
	return c.saveLoad(c.Dir(jid), jid, data, load, minions)
}

// saveLoad writes .load.p and, for a load with a tgt, .minions.p into the
// job's directory dir.
func (c *Cache) saveLoad(dir, jid string, data []byte, load body.Map, minions []string) error {
	if err := c.writeAtomic(dir, LoadFile, data); err != nil {
		return err
	}
	mdata, err := encodeMinions(jid, load, minions)
	if mdata == nil || err != nil {
		return err
	}
	return c.writeAtomic(dir, MinionsFile, mdata)
}

// encodeMinions is the .minions.p of a job, nil for a load without a tgt,
// which has none (a nil list is written as an empty one).
func encodeMinions(jid string, load body.Map, minions []string) ([]byte, error) {
	if tgt, ok := load.Get("tgt"); !ok || tgt == "" {
		return nil, nil
	}
	if minions == nil {
		minions = []string{}
	}
	mdata, err := body.AppendMsgpack(nil, minions)
	if err != nil {
		return nil, fmt.Errorf("job cache: save minions of %s: %w", jid, err)
	}
	return mdata, nil
}

// SaveMinions writes the list of minions targeted by a job
// (local_cache.save_minions). A nil list is written as an empty one.
func (c *Cache) SaveMinions(jid string, minions []string) error {
	if minions == nil {
		minions = []string{}
	}
	data, err := body.AppendMsgpack(nil, minions)
	if err != nil {
		return fmt.Errorf("job cache: save minions of %s: %w", jid, err)
	}
	dir := c.Dir(jid)
	if err := ensureDir(dir); err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	return c.writeAtomic(dir, MinionsFile, data)
}

// reservedNames are the files of a job directory, which no minion
// directory may take.
var reservedNames = []string{JIDFile, NoCacheFile, EndTimeFile}

// ValidID refuses minion ids that cannot name a directory inside a job:
// empty, holding '/', '\\' or NUL (salt.utils.verify.valid_id), starting
// with '.' (which covers "." and "..", and keeps minions apart from
// .load.p, .minions.p and temporary files) — the key store's rules
// (pki.ValidID), held in fsutil.NameProblem — or the name of one of the
// job's own files (jid, nocache, endtime).
func ValidID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty id", ErrBadID)
	}
	if why := fsutil.NameProblem(id); why != "" {
		return fmt.Errorf("%w %q: %s", ErrBadID, id, why)
	}
	if slices.Contains(reservedNames, id) {
		return fmt.Errorf("%w %q: the name of a job cache file", ErrBadID, id)
	}
	return nil
}

// SaveReturn stores one minion's return (local_cache.returner): return.p
// holds the "return", "retcode" and "success" entries of ret that are
// present, in that order, and out.p the outputter when ret has "out".
//
// The minion's directory is created with mkdir before anything is written,
// and whoever creates it is the one return stored: a second return for the
// same job and minion, even a concurrent one, gets ErrDuplicateReturn. A
// job unknown to the cache gets ErrUnknownJob (Salt would create the
// directory, and its cleaner delete it again). For a job prepared with
// PrepJIDNoCache nothing is stored and the result is nil.
func (c *Cache) SaveReturn(jid, id string, ret body.Map) error {
	data, out, err := encodeReturn(jid, id, ret)
	if err != nil {
		return err
	}
	return c.saveReturnFiles(jid, id, data, out)
}

// saveReturnFiles is SaveReturn for a return encoded (encodeReturn).
func (c *Cache) saveReturnFiles(jid, id string, data, out []byte) error {
	dir := c.Dir(jid)
	if fi, err := os.Lstat(filepath.Join(dir, NoCacheFile)); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	hn := filepath.Join(dir, id)
	if err := mkdir.One(hn, dirMode); err != nil {
		return returnDirError(err, jid, id)
	}
	if err := c.writeAtomic(hn, ReturnFile, data); err != nil {
		return err
	}
	if out != nil {
		return c.writeAtomic(hn, OutFile, out)
	}
	return nil
}

// encodeReturn checks a return's jid and minion id and packs its
// return.p and, when it has an outputter, out.p (nil without).
func encodeReturn(jid, id string, ret body.Map) (data, out []byte, err error) {
	if !IsJID(jid) {
		return nil, nil, fmt.Errorf("job cache: save return: %w: %q", ErrBadJID, jid)
	}
	if err := ValidID(id); err != nil {
		return nil, nil, fmt.Errorf("job cache: save return of %s: %w", jid, err)
	}
	rp := make(body.Map, 0, 3)
	for _, k := range [...]string{"return", "retcode", "success"} {
		if v, ok := ret.Get(k); ok {
			rp = append(rp, body.Item{Key: k, Value: v})
		}
	}
	if data, err = body.AppendMsgpack(nil, rp); err != nil {
		return nil, nil, fmt.Errorf("job cache: return of %s for %s: %w", id, jid, err)
	}
	if o, ok := ret.Get("out"); ok {
		if out, err = body.AppendMsgpack(nil, o); err != nil {
			return nil, nil, fmt.Errorf("job cache: outputter of %s for %s: %w", id, jid, err)
		}
	}
	return data, out, nil
}

// returnDirError says why the directory of a minion's return could not
// be made: it returned already, or the job is not in the cache.
func returnDirError(err error, jid, id string) error {
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%w: %s, job %s (a possible replay)", ErrDuplicateReturn, id, jid)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s (return from %s)", ErrUnknownJob, jid, id)
	}
	return fmt.Errorf("job cache: %w", err)
}

// Clean removes the jobs older than keepJobs (keep_jobs, 24 hours by
// default; zero or less keeps everything), as local_cache.clean_old_jobs
// does: a job's age is that of its jid file. Salt reads the file's ctime;
// this reads its mtime, which is the same for a file written once and
// which can be set (touch -m) to keep a job longer. A directory without a
// jid file is removed once the directory itself is older than keepJobs
// (Salt removes it at once, which races with a job being prepared), and an
// empty jobs/<h[0:2]> directory is removed. It returns how many job directories
// it removed; errors do not stop it and are returned together.
func (c *Cache) Clean(keepJobs time.Duration, now time.Time) (int, error) {
	if keepJobs <= 0 {
		return 0, nil
	}
	cutoff := now.Add(-keepJobs)
	old := func(fi fs.FileInfo) bool { return fi.ModTime().Before(cutoff) }
	tops, err := os.ReadDir(c.root)
	if err != nil {
		return 0, fmt.Errorf("job cache: %w", err)
	}
	removed := 0
	var errs []error
	for _, t := range tops {
		if !t.IsDir() {
			continue
		}
		tpath := filepath.Join(c.root, t.Name())
		finals, err := os.ReadDir(tpath)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("job cache: %w", err))
			}
			continue
		}
		for _, f := range finals {
			fpath := filepath.Join(tpath, f.Name())
			fi, err := os.Lstat(filepath.Join(fpath, JIDFile))
			if errors.Is(err, fs.ErrNotExist) {
				fi, err = os.Lstat(fpath)
			}
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, fmt.Errorf("job cache: %w", err))
				}
				continue
			}
			if !old(fi) {
				continue
			}
			if err := os.RemoveAll(fpath); err != nil {
				errs = append(errs, fmt.Errorf("job cache: remove %s: %w", fpath, err))
				continue
			}
			removed++
		}
		// An empty top directory goes too. PrepJID makes it again if it
		// loses this race (mkdirNew).
		if err := os.Remove(tpath); err != nil && !errors.Is(err, syscall.ENOTEMPTY) &&
			!errors.Is(err, syscall.EEXIST) && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("job cache: %w", err))
		}
	}
	return removed, errors.Join(errs...)
}

// tempPrefix starts the names of files being written. The leading '.' keeps
// them out of Returns and apart from minion ids.
const tempPrefix = ".job-tmp-"

// writeAtomic writes data to dir/name with fsutil.WriteFile, so that no
// reader ever sees it partly written; durable at once, or at the next
// group commit.
func (c *Cache) writeAtomic(dir, name string, data []byte) error {
	o := fsutil.WriteOptions{Mode: fileMode, TempPrefix: tempPrefix, NoSync: c.commit != nil}
	if err := fsutil.WriteFile(dir, name, data, o); err != nil {
		return fmt.Errorf("job cache: %w", err)
	}
	c.wrote()
	return nil
}
