package modules

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// archiveZip is archive.zip: each source (relative ones under cwd, which
// must then be absolute) added with its path relative to cwd or /,
// directories walked top-down; the archived names in order. Sources that
// do not exist are skipped, as Salt skips them.
func archiveZip(c *Call) (any, error) {
	if err := unsupportedArgs(c, "template", "runas"); err != nil {
		return nil, err
	}
	sources := expandSources(c.Arg("sources"))
	cwd := ""
	if v := c.Arg("cwd"); py.Truthy(v) {
		if cwd = py.Str(v); !filepath.IsAbs(cwd) {
			return nil, invocationErr("cwd must be absolute")
		}
	} else {
		for _, s := range sources {
			if !filepath.IsAbs(s) {
				return nil, invocationErr("Relative paths require the 'cwd' parameter")
			}
		}
	}
	f, err := os.Create(py.Str(c.Arg("zip_file")))
	if err != nil {
		return nil, cmdErr("Exception encountered creating zipfile: %v", err)
	}
	z := zip.NewWriter(f)
	archived := []any{}
	for _, src := range sources {
		if cwd != "" {
			src = filepath.Join(cwd, src)
		}
		root := cwd
		if root == "" {
			root = "/"
		}
		if err := zipSource(z, src, root, &archived); err != nil {
			z.Close()
			f.Close()
			return nil, cmdErr("Exception encountered creating zipfile: %v", err)
		}
	}
	if err := z.Close(); err != nil {
		f.Close()
		return nil, cmdErr("Exception encountered creating zipfile: %v", err)
	}
	return archived, f.Close()
}

// zipSource adds src (a file, or a directory walked) to z.
func zipSource(z *zip.Writer, src, root string, archived *[]any) error {
	st, err := os.Stat(src)
	if err != nil {
		return nil // os.path.exists is false: skipped
	}
	if !st.IsDir() {
		rel, _ := filepath.Rel(root, src)
		*archived = append(*archived, rel)
		return zipAdd(z, src, rel, st)
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if info.Mode()&os.ModeSymlink != 0 {
			// os.walk lists a link to a file among the files and ZipFile.write
			// stores what it points to; a link to a directory it skips.
			if info, err = os.Stat(p); err != nil || info.IsDir() {
				return nil
			}
		}
		rel, _ := filepath.Rel(root, p)
		if info.IsDir() {
			*archived = append(*archived, rel+"/")
		} else {
			*archived = append(*archived, rel)
		}
		return zipAdd(z, p, rel, info)
	})
}

// zipAdd is ZipFile.write: the mode and time kept, files deflated,
// directories stored as "name/".
func zipAdd(z *zip.Writer, path, name string, info os.FileInfo) error {
	h, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	h.Name = filepath.ToSlash(name)
	if info.IsDir() {
		h.Name = strings.TrimSuffix(h.Name, "/") + "/"
		h.Method = zip.Store
		_, err := z.CreateHeader(h)
		return err
	}
	h.Method = zip.Deflate
	w, err := z.CreateHeader(h)
	if err != nil {
		return err
	}
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(w, r)
	return err
}
