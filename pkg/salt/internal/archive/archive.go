// Package archive reads and extracts archives as Salt does with Python's
// tarfile and zipfile (archive.list, tarfile.extractall, archive.unzip):
// the archive module (archive.*) and archive.extracted share it.
package archive

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

// gzip and bzip2 are read in Go, xz with the system's xz.

// Contents is archive.list(verbose=True).
type Contents struct {
	Names                       []string // members in archive order, as getnames()/namelist() give them
	Dirs, Files, Links          []string // sorted; dirs end in "/"
	TopDirs, TopFiles, TopLinks []string
}

// GuessType is salt.utils.files.guess_archive_type.
func GuessType(name string) string {
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

// List is archive.list of a tar or zip archive.
func List(file, format string) (Contents, error) {
	var c Contents
	add := func(name string, dir, link bool) {
		c.Names = append(c.Names, name)
		switch {
		case link:
			c.Links = append(c.Links, name)
		case dir:
			c.Dirs = append(c.Dirs, strings.TrimSuffix(name, "/")+"/")
		default:
			c.Files = append(c.Files, name)
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
		c.zipParents()
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
	c.TopLevel()
	return c, nil
}

// zipParents adds the directory of every file, as _list_zip does for
// archives (made on Windows) that have no entries for directories.
func (c *Contents) zipParents() {
	for _, f := range slices.Clone(c.Files) {
		i := strings.LastIndex(f, "/")
		if i < 0 {
			continue
		}
		dir := f[:i+1]
		if !slices.Contains(c.Dirs, dir) {
			c.Dirs = append(c.Dirs, dir)
		}
		if j := slices.Index(c.Files, dir); j >= 0 {
			c.Files = slices.Delete(c.Files, j, j+1)
		}
	}
}

// TopLevel sorts the lists and finds the top-level entries as
// archive.list does (the common prefix counts as a top-level dir).
func (c *Contents) TopLevel() {
	for _, l := range []*[]string{&c.Dirs, &c.Files, &c.Links} {
		slices.Sort(*l)
	}
	for _, d := range c.Dirs {
		if strings.Count(d, "/") == 1 {
			c.TopDirs = append(c.TopDirs, d)
		}
	}
	if len(c.Dirs) > 0 {
		prefix := c.Dirs[0]
		for _, d := range c.Dirs[1:] {
			for !strings.HasPrefix(d, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		if i := strings.Index(prefix, "/"); i >= 0 && !slices.Contains(c.TopDirs, prefix[:i+1]) {
			c.TopDirs = append(c.TopDirs, prefix[:i+1])
		}
	}
	for _, f := range c.Files {
		if !strings.Contains(f, "/") {
			c.TopFiles = append(c.TopFiles, f)
		}
	}
	for _, l := range c.Links {
		if !strings.Contains(l, "/") {
			c.TopLinks = append(c.TopLinks, l)
		}
	}
}

// Inside is dest/name, or an error when name would leave dest.
func Inside(dest, name string) (string, error) {
	p := filepath.Join(dest, filepath.FromSlash(name))
	if p != filepath.Clean(dest) && !strings.HasPrefix(p, filepath.Clean(dest)+string(os.PathSeparator)) {
		return "", fmt.Errorf("%s: member outside the destination", name)
	}
	return p, nil
}

// ExtractTar is tarfile.extractall: members written with their modes and
// times, owned as in the archive when running as root.
func ExtractTar(file, dest string) error {
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
		p, err := Inside(dest, h.Name)
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
		target, err := Inside(dest, h.Linkname)
		if err != nil {
			return err
		}
		os.Remove(p)
		return os.Link(target, p)
	default:
		if err := WriteFrom(p, r, mode); err != nil {
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

// ExtractZip is archive.unzip: every member extracted, its mode kept
// (extract_perms defaults to True); the names in archive order.
func ExtractZip(file, dest string) ([]string, error) {
	return ExtractZipExcept(file, dest, nil)
}

// ExtractZipExcept is archive.unzip with excludes: the members named in
// excludes are neither extracted nor listed.
func ExtractZipExcept(file, dest string, excludes []string) ([]string, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	names := []string{}
	for _, f := range z.File {
		if slices.Contains(excludes, f.Name) {
			continue
		}
		p, err := Inside(dest, f.Name)
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
	if err := WriteFrom(p, r, mode); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}

// WriteFrom writes r to the file p, created with mode.
func WriteFrom(p string, r io.Reader, mode os.FileMode) error {
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
