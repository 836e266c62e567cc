package modules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/archive"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// archiveFuncs is Salt's archive module (salt/modules/archive.py): tar
// through tar(1), zip, unzip and list in Go with the archive.extracted
// state's reading (internal/archive). template and runas are not
// supported and say so.
func archiveFuncs() []Func {
	return []Func{
		{Name: "archive.tar", Params: []Param{{Name: "options", Required: true}, {Name: "tarfile", Required: true},
			{Name: "sources", Default: nil}, {Name: "dest", Default: nil}, {Name: "cwd", Default: nil},
			{Name: "template", Default: nil}, {Name: "runas", Default: nil}},
			Doc:  "Uses the tar command to pack, unpack, etc. tar files; returns tar's output lines.\n\nCLI Example: salt '*' archive.tar cjvf /tmp/tarfile.tar.bz2 /tmp/file_1,/tmp/file_2",
			Call: archiveTar},
		{Name: "archive.zip", PyName: "zip_", Params: []Param{{Name: "zip_file", Required: true}, {Name: "sources", Required: true},
			{Name: "template", Default: nil}, {Name: "cwd", Default: nil}, {Name: "runas", Default: nil}, {Name: "zip64", Default: false}},
			Doc:  "Uses the zipfile Python module to create zip files; returns the archived paths.\n\nCLI Example: salt '*' archive.zip /tmp/zipfile.zip /tmp/sourcefile1,/tmp/sourcefile2",
			Call: archiveZip},
		{Name: "archive.unzip", Params: []Param{{Name: "zip_file", Required: true}, {Name: "dest", Required: true},
			{Name: "excludes", Default: nil}, {Name: "options", Default: nil}, {Name: "template", Default: nil},
			{Name: "runas", Default: nil}, {Name: "trim_output", Default: false}, {Name: "password", Default: nil},
			{Name: "extract_perms", Default: true}},
			Doc:  "Uses the zipfile Python module to unpack zip files; returns the extracted members.\n\nCLI Example: salt '*' archive.unzip /tmp/zipfile.zip /home/strongbad/ excludes=file_1,file_2",
			Call: archiveUnzip},
		{Name: "archive.list", PyName: "list_", Params: []Param{{Name: "name", Required: true}, {Name: "archive_format", Default: nil},
			{Name: "options", Default: nil}, {Name: "strip_components", Default: nil}, {Name: "clean", Default: false},
			{Name: "verbose", Default: false}, {Name: "saltenv", Default: "base"}, {Name: "source_hash", Default: nil},
			{Name: "use_etag", Default: false}},
			Doc:  "List the files and directories in a tar or zip archive (a local path); verbose=True splits dirs, files, links and the top level.\n\nCLI Example: salt '*' archive.list /path/to/myfile.tar.gz",
			Call: archiveList},
	}
}

// unsupportedArgs refuses template and runas, which these functions do
// not implement, rather than ignoring them.
func unsupportedArgs(c *Call, names ...string) error {
	for _, n := range names {
		if c.Arg(n) != nil {
			return invocationErr("%s is not supported by this minion's archive module", n)
		}
	}
	return nil
}

// commaList is a comma-separated string (each part stripped), a list, or
// one value, as archive's sources and excludes are read.
func commaList(v any) []string {
	var out []string
	switch x := v.(type) {
	case nil:
	case string:
		for _, s := range strings.Split(x, ",") {
			out = append(out, strings.TrimSpace(s))
		}
	case []any:
		for _, s := range x {
			out = append(out, py.Str(s))
		}
	default:
		out = []string{py.Str(x)}
	}
	return out
}

// expandSources is archive._expand_sources: each source globbed when it
// has wildcards.
func expandSources(v any) []string {
	var out []string
	for _, s := range commaList(v) {
		if !strings.ContainsAny(s, "*?[") {
			out = append(out, s)
			continue
		}
		m, _ := filepath.Glob(s)
		out = append(out, m...)
	}
	return out
}

func archiveTar(c *Call) (any, error) {
	if err := unsupportedArgs(c, "template", "runas"); err != nil {
		return nil, err
	}
	opts := py.Str(c.Arg("options"))
	if !py.Truthy(c.Arg("options")) {
		return nil, invocationErr("Tar options can not be empty")
	}
	argv := append([]string{"tar"}, strings.Fields(opts)...)
	argv = append(argv, py.Str(c.Arg("tarfile")))
	argv = append(argv, expandSources(c.Arg("sources"))...)
	if d := c.Arg("dest"); py.Truthy(d) {
		argv = append(argv, "-C", py.Str(d))
	}
	cmd := hostCommand(c.Ctx, argv)
	if d := c.Arg("cwd"); py.Truthy(d) {
		cmd.Dir = py.Str(d)
	}
	out, _ := cmd.CombinedOutput()
	return stringsToAny(py.SplitLines(strings.TrimRight(string(out), " \t\r\n"))), nil
}

func archiveUnzip(c *Call) (any, error) {
	if err := unsupportedArgs(c, "template", "runas", "password"); err != nil {
		return nil, err
	}
	names, err := archive.ExtractZipExcept(py.Str(c.Arg("zip_file")), py.Str(c.Arg("dest")), commaList(c.Arg("excludes")))
	if err != nil {
		return nil, cmdErr("Exception encountered unpacking zipfile: %v", err)
	}
	return trimFiles(names, c.Arg("trim_output")), nil
}

// trimFiles is archive._trim_files: at most 100 (or trim_output) names,
// then a note.
func trimFiles(names []string, trim any) []any {
	count := 100
	if n, ok := body.AsInt64(trim); ok && trim != true && trim != false {
		count = int(n)
	}
	out := stringsToAny(names)
	if trim != false && trim != nil && len(out) > count {
		out = append(out[:count], "List trimmed after "+py.Str(int64(count))+" files.")
	}
	return out
}

func archiveList(c *Call) (any, error) {
	name := py.Str(c.Arg("name"))
	path := strings.TrimPrefix(name, "file://")
	if _, err := os.Stat(path); err != nil {
		return nil, cmdErr("Failed to cache %s", name)
	}
	format := py.Str(c.Arg("archive_format"))
	if c.Arg("archive_format") == nil {
		if format = archive.GuessType(path); format == "" {
			return nil, cmdErr("Unable to guess archive format, please pass an 'archive_format' argument.")
		}
	}
	if format != "tar" && format != "zip" {
		return nil, cmdErr("Unsupported archive format '%s'", format)
	}
	strip := 0
	if v := c.Arg("strip_components"); py.Truthy(v) {
		n, err := py.Int(v)
		if err != nil || n <= 0 {
			return nil, cmdErr("'strip_components' must be a positive integer")
		}
		strip = int(n)
	}
	contents, err := archive.List(path, format)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if isTrue(c.Arg("clean")) && path != name {
		os.Remove(path)
	}
	lists := [][]string{contents.Dirs, contents.Files, contents.Links}
	if strip > 0 {
		for i, l := range lists {
			lists[i] = stripComponents(l, strip)
		}
		contents = archive.Contents{Dirs: lists[0], Files: lists[1], Links: lists[2]}
		contents.TopLevel()
	}
	if !isTrue(c.Arg("verbose")) {
		all := slices.Concat(lists...)
		slices.Sort(all)
		return stringsToAny(all), nil
	}
	return body.Map{{Key: "dirs", Value: stringsToAny(contents.Dirs)}, {Key: "files", Value: stringsToAny(contents.Files)},
		{Key: "links", Value: stringsToAny(contents.Links)}, {Key: "top_level_dirs", Value: stringsToAny(contents.TopDirs)},
		{Key: "top_level_files", Value: stringsToAny(contents.TopFiles)}, {Key: "top_level_links", Value: stringsToAny(contents.TopLinks)}}, nil
}

// stripComponents is list's strip_components: what follows the first n
// "/", paths not that deep dropped.
func stripComponents(l []string, n int) []string {
	var out []string
	for _, p := range l {
		parts := strings.SplitN(p, "/", n+1)
		if len(parts) > n && parts[n] != "" {
			out = append(out, parts[n])
		}
	}
	slices.Sort(out)
	return out
}
