package job

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/fsutil"
)

// jobDir is a job's directory held open while its returns are written one
// after another (Behind.SaveReturn). Each return's directory and files are
// made relative to it (mkdirat, openat, linkat): no path of ten components
// walked three times per return, no look for the nocache marker per return
// (once, at open), no chmod after each mkdir and open unless the umask
// takes bits of their modes (read once, at open). A return whose bytes are
// those of one written just before for the job (a test.ping's, the same
// for 5,000 minions) is a hard link to that file: the minion's directory
// and its return.p are there as Salt lays them out, the same bytes, and no
// second inode is allocated, which on ext4 was half the cost of a return
// (its allocator reads the inode table looking for a free one). Files of
// the job cache are never written in place, so a link shares nothing that
// changes.
//
// Files are still made whole or not at all: written unnamed (O_TMPFILE) and
// linked into place, as fsutil.WriteFile does; a filesystem without
// O_TMPFILE is written through the paths (Cache.saveReturnFiles).
type jobDir struct {
	jid     string
	dir     string // its path
	fd      int
	nocache bool      // the job's returns are not kept
	chmod   bool      // the umask takes bits of dirMode or fileMode
	last    time.Time // of the last return written (Behind)
}

// emptyPathOff is set once linkat(AT_EMPTY_PATH) was refused (a kernel
// before 6.10 without CAP_DAC_READ_SEARCH): files are then linked by their
// /proc/self/fd name.
var emptyPathOff atomic.Bool

// openJobDir opens the directory of job jid. ErrUnknownJob: it is not in
// the cache. A fresh one, whose files are about to be written, is not
// looked into for the nocache marker.
func (c *Cache) openJobDir(jid string, fresh bool) (*jobDir, error) {
	if !IsJID(jid) {
		return nil, fmt.Errorf("job cache: save return: %w: %q", ErrBadJID, jid)
	}
	dir := c.Dir(jid)
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownJob, jid)
	}
	if err != nil {
		return nil, fmt.Errorf("job cache: %w", &os.PathError{Op: "open", Path: dir, Err: err})
	}
	d := &jobDir{jid: jid, dir: dir, fd: fd}
	var st unix.Stat_t
	if !fresh && unix.Fstatat(fd, NoCacheFile, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG {
		d.nocache = true
	}
	d.chmod = c.chmodNeeded()
	return d, nil
}

// chmodNeeded says whether the umask takes bits of dirMode or fileMode,
// so that what is made must be given its mode after: read once.
func (c *Cache) chmodNeeded() bool {
	c.umaskOnce.Do(func() {
		mask, ok := umask()
		c.umaskTakes = !ok || mask&(dirMode|fileMode) != 0
	})
	return c.umaskTakes
}

// savePrepared writes the job's own files (Cache.SavePrepared) through
// its open directory: unnamed files linked by descriptor, where the
// paths' way opened each by its ten-component path and linked it by its
// /proc/self/fd name (~13 µs a link against ~6 on this VM's ext4); the
// directory stays open for the job's returns.
func (d *jobDir) savePrepared(c *Cache, nocache bool, load body.Map, minions []string) error {
	data, err := body.AppendMsgpack(nil, load)
	if err != nil {
		return fmt.Errorf("job cache: save load of %s: %w", d.jid, err)
	}
	mdata, err := encodeMinions(d.jid, load, minions)
	if err != nil {
		return err
	}
	if err := d.writeFile(c, ".", JIDFile, []byte(d.jid)); err != nil {
		return err
	}
	if nocache {
		if err := d.writeFile(c, ".", NoCacheFile, nil); err != nil {
			return err
		}
		d.nocache = true
	}
	if err := d.writeFile(c, ".", LoadFile, data); err != nil {
		return err
	}
	if mdata == nil {
		return nil
	}
	return d.writeFile(c, ".", MinionsFile, mdata)
}

func (d *jobDir) close() { unix.Close(d.fd) }

// saveReturn writes a return encoded by encodeReturn for minion id, as
// Cache.SaveReturn.
func (d *jobDir) saveReturn(c *Cache, id string, data, out []byte) error {
	if d.nocache {
		return nil
	}
	if err := unix.Mkdirat(d.fd, id, dirMode); err != nil {
		return returnDirError(&os.PathError{Op: "mkdir", Path: filepath.Join(c.Dir(d.jid), id), Err: err}, d.jid, id)
	}
	if d.chmod {
		if err := unix.Fchmodat(d.fd, id, dirMode, 0); err != nil {
			return fmt.Errorf("job cache: %w", &os.PathError{Op: "chmod", Path: filepath.Join(c.Dir(d.jid), id), Err: err})
		}
	}
	if err := d.writeFile(c, id, ReturnFile, data); err != nil {
		return err
	}
	if out != nil {
		return d.writeFile(c, id, OutFile, out)
	}
	return nil
}

// writeFile makes <id>/<name> of the job with data (id "." for the job's
// own files): a link to a file of this job or an earlier one with the
// same name and bytes (samefiles_linux.go), or a new file written whole.
func (d *jobDir) writeFile(c *Cache, id, name string, data []byte) error {
	rel := id + "/" + name
	if id == "." {
		rel = name
	}
	if c.linkSame(name, data, d.fd, rel) {
		c.wrote()
		return nil
	}
	fd, err := unix.Openat(d.fd, id, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, fileMode)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
		return c.writeAtomic(filepath.Join(c.Dir(d.jid), id), name, data)
	}
	path := func() string { return filepath.Join(c.Dir(d.jid), rel) }
	if err != nil {
		return fmt.Errorf("job cache: %w", &os.PathError{Op: "open", Path: path(), Err: err})
	}
	defer unix.Close(fd)
	if err := fsutil.WriteFD(fd, data); err != nil {
		return fmt.Errorf("job cache: %w", &os.PathError{Op: "write", Path: path(), Err: err})
	}
	if d.chmod {
		if err := unix.Fchmod(fd, fileMode); err != nil {
			return fmt.Errorf("job cache: %w", &os.PathError{Op: "chmod", Path: path(), Err: err})
		}
	}
	if err := linkTmpfile(fd, d.fd, rel); err != nil {
		return fmt.Errorf("job cache: %w", &os.LinkError{Op: "link", Old: "(unnamed)", New: path(), Err: err})
	}
	c.wrote()
	c.rememberSame(name, data, d.dir+"/"+rel)
	return nil
}

// linkTmpfile names the unnamed file fd rel in directory dirfd, failing
// if rel exists.
func linkTmpfile(fd, dirfd int, rel string) error {
	if !emptyPathOff.Load() {
		err := unix.Linkat(fd, "", dirfd, rel, unix.AT_EMPTY_PATH)
		if !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.ENOENT) {
			return err
		}
		emptyPathOff.Store(true)
	}
	return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), dirfd, rel, unix.AT_SYMLINK_FOLLOW)
}

// umask is the process's umask, from /proc/self/status (Linux 4.7 and
// later); ok is false when it cannot be read there. Reading it with
// umask(2) would change it, for every goroutine, for a moment.
func umask() (mask uint32, ok bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, found := bytes.CutPrefix(sc.Bytes(), []byte("Umask:")); found {
			m, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 32)
			return uint32(m), err == nil
		}
	}
	return 0, false
}

// errNoJobDir is never returned on Linux (see jobdir_other.go).
var errNoJobDir = errors.New("job cache: no open job directories here")
