package states

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Reading and extracting archives as archive.extracted does with
// Python's tarfile and zipfile (archive.list, tarfile.extractall,
// archive.unzip): gzip and bzip2 in Go, xz with the system's xz.

// archiveContents is archive.list(verbose=True).
type archiveContents struct {
	names                       []string // members in archive order, as getnames()/namelist() give them
	dirs, files, links          []string // sorted; dirs end in "/"
	topDirs, topFiles, topLinks []string
}

// guessArchiveType is salt.utils.files.guess_archive_type.
func guessArchiveType(name string) string {
	name = strings.ToLower(name)
	for _, end := range []string{"tar", "tar.gz", "tgz", "tar.bz2", "tbz2", "tbz", "tar.xz", "txz", "tar.lzma", "tlz"} {
		if strings.HasSuffix(name, "."+end) {
			return "tar"
		}
	}
	for _, end := range []string{"zip", "rar"} {
		if strings.HasSuffix(name, "."+end) {
			return end
		}
	}
	return ""
}

// openTar opens a tar archive, compressed or not, as tarfile.open(name,
// "r") detects it; close ends the decompressor.
func openTar(file string) (*tar.Reader, func(), error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	magic := make([]byte, 6)
	n, _ := io.ReadFull(f, magic)
	magic = magic[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		z, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return tar.NewReader(z), func() { f.Close() }, nil
	case len(magic) >= 3 && string(magic[:3]) == "BZh":
		return tar.NewReader(bzip2.NewReader(f)), func() { f.Close() }, nil
	case len(magic) == 6 && string(magic) == "\xfd7zXZ\x00":
		f.Close()
		cmd := exec.Command("xz", "--decompress", "--stdout", file)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, nil, fmt.Errorf("Failed to read from tar archive. If it is XZ-compressed, install xz-utils to attempt extraction.")
		}
		return tar.NewReader(out), func() { out.Close(); cmd.Wait() }, nil
	}
	return tar.NewReader(f), func() { f.Close() }, nil
}

// listArchive is archive.list of a tar or zip archive.
func listArchive(file, format string) (archiveContents, error) {
	var c archiveContents
	add := func(name string, dir, link bool) {
		c.names = append(c.names, name)
		switch {
		case link:
			c.links = append(c.links, name)
		case dir:
			c.dirs = append(c.dirs, strings.TrimSuffix(name, "/")+"/")
		default:
			c.files = append(c.files, name)
		}
	}
	if format == "zip" {
		z, err := zip.OpenReader(file)
		if err != nil {
			return c, fmt.Errorf("Unable to list contents of %s: %v", file, err)
		}
		defer z.Close()
		for _, f := range z.File {
			add(f.Name, strings.HasSuffix(f.Name, "/"), f.Mode()&os.ModeSymlink != 0)
		}
	} else {
		tr, done, err := openTar(file)
		if err != nil {
			return c, err
		}
		defer done()
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return c, fmt.Errorf("Unable to list contents of %s. If this is an XZ-compressed tar archive, install XZ Utils to enable listing its contents. If it is compressed using something other than XZ, it may be necessary to specify CLI options to decompress the archive. See the documentation for details.", file)
			}
			add(strings.TrimSuffix(h.Name, "/"), h.Typeflag == tar.TypeDir, h.Typeflag == tar.TypeSymlink)
		}
	}
	c.topLevel()
	return c, nil
}

// topLevel sorts the lists and finds the top-level entries as
// archive.list does (the common prefix counts as a top-level dir).
func (c *archiveContents) topLevel() {
	for _, l := range []*[]string{&c.dirs, &c.files, &c.links} {
		slices.Sort(*l)
	}
	for _, d := range c.dirs {
		if strings.Count(d, "/") == 1 {
			c.topDirs = append(c.topDirs, d)
		}
	}
	if len(c.dirs) > 0 {
		prefix := c.dirs[0]
		for _, d := range c.dirs[1:] {
			for !strings.HasPrefix(d, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		if i := strings.Index(prefix, "/"); i >= 0 && !slices.Contains(c.topDirs, prefix[:i+1]) {
			c.topDirs = append(c.topDirs, prefix[:i+1])
		}
	}
	for _, f := range c.files {
		if !strings.Contains(f, "/") {
			c.topFiles = append(c.topFiles, f)
		}
	}
	for _, l := range c.links {
		if !strings.Contains(l, "/") {
			c.topLinks = append(c.topLinks, l)
		}
	}
}

// inside is dest/name, or an error when name would leave dest.
func inside(dest, name string) (string, error) {
	p := filepath.Join(dest, filepath.FromSlash(name))
	if p != filepath.Clean(dest) && !strings.HasPrefix(p, filepath.Clean(dest)+string(os.PathSeparator)) {
		return "", fmt.Errorf("%s: member outside the destination", name)
	}
	return p, nil
}

// extractTar is tarfile.extractall: members written with their modes and
// times, owned as in the archive when running as root.
func extractTar(file, dest string) error {
	tr, done, err := openTar(file)
	if err != nil {
		return err
	}
	defer done()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p, err := inside(dest, h.Name)
		if err != nil {
			return err
		}
		if err := writeMember(dest, p, h, tr); err != nil {
			return err
		}
	}
}

func writeMember(dest, p string, h *tar.Header, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(h.Mode).Perm()
	switch h.Typeflag {
	case tar.TypeDir:
		if err := os.MkdirAll(p, mode); err != nil {
			return err
		}
	case tar.TypeSymlink:
		os.Remove(p)
		if err := os.Symlink(h.Linkname, p); err != nil {
			return err
		}
		return ownMember(p, h)
	case tar.TypeLink:
		target, err := inside(dest, h.Linkname)
		if err != nil {
			return err
		}
		os.Remove(p)
		return os.Link(target, p)
	default:
		if err := writeFrom(p, r, mode); err != nil {
			return err
		}
	}
	if err := ownMember(p, h); err != nil {
		return err
	}
	os.Chmod(p, mode)
	return os.Chtimes(p, h.ModTime, h.ModTime)
}

// ownMember gives p the archive's owner when running as root, as
// tarfile does: by user and group name, else by number.
func ownMember(p string, h *tar.Header) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid := h.Uid, h.Gid
	if u, err := user.Lookup(h.Uname); err == nil && h.Uname != "" {
		uid, _ = strconv.Atoi(u.Uid)
	}
	if g, err := user.LookupGroup(h.Gname); err == nil && h.Gname != "" {
		gid, _ = strconv.Atoi(g.Gid)
	}
	return os.Lchown(p, uid, gid)
}

// extractZip is archive.unzip: every member extracted, its mode kept
// (extract_perms defaults to True); the names in archive order.
func extractZip(file, dest string) ([]string, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		p, err := inside(dest, f.Name)
		if err != nil {
			return names, err
		}
		names = append(names, f.Name)
		if err := writeZipMember(p, f); err != nil {
			return names, err
		}
	}
	return names, nil
}

func writeZipMember(p string, f *zip.File) error {
	if strings.HasSuffix(f.Name, "/") {
		return os.MkdirAll(p, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	mode := f.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	if err := writeFrom(p, r, mode); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}

// writeFrom writes r to the file p, created with mode.
func writeFrom(p string, r io.Reader, mode os.FileMode) error {
	w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
