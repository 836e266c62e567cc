package modules

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/filemod"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// file.manage_file: the file states' last step as an execution function,
// on filemod.Manage, the code file.managed runs. As in Salt, sfn is the
// source already fetched (and templated: manage_file does not render its
// template argument); without it the source is fetched through the file
// client (cp.cache_file).

func fileManageFuncs() []Func {
	params := []Param{fileReq("name"), fileReq("sfn"), fileReq("ret"), fileReq("source"), fileReq("source_sum"), fileReq("user"), fileReq("group"),
		fileReq("mode"), fileReq("attrs"), fileReq("saltenv"), fileReq("backup"), fileOpt("makedirs", false), fileOpt("template", nil),
		fileOpt("show_changes", true), fileOpt("contents", nil), fileOpt("dir_mode", nil), fileOpt("follow_symlinks", true),
		fileOpt("skip_verify", false), fileOpt("keep_mode", false), fileOpt("encoding", nil), fileOpt("encoding_errors", "strict"),
		fileOpt("seuser", nil), fileOpt("serole", nil), fileOpt("setype", nil), fileOpt("serange", nil), fileOpt("verify_ssl", true),
		fileOpt("use_etag", false)}
	f := fileFunc("manage_file", params, fileManageFile)
	f.VarKwargs = true
	return []Func{f}
}

// manageRet is manage_file's ret: the one given, or a new one.
func manageRet(c *Call, name string) body.Map {
	if m, ok := py.DictItems(c.Arg("ret")); ok && len(m) > 0 {
		return append(body.Map{}, m...)
	}
	return body.Map{{Key: "name", Value: name}, {Key: "changes", Value: body.Map{}}, {Key: "comment", Value: ""}, {Key: "result", Value: true}}
}

func fileManageFile(c *Call) (any, error) {
	name := c.pathArg("name")
	ret := manageRet(c, name)
	fail := func(msg string) (any, error) {
		ret.Set("result", false)
		ret.Set("comment", msg)
		return ret, nil
	}
	source := ""
	if pyTruthy(c.Arg("source")) {
		source = c.strArg("source")
	}
	fc, msg, err := manageContent(c, name, source)
	if err != nil {
		return nil, err
	}
	if msg != "" {
		return fail(msg)
	}
	spec := filemod.ManageSpec{Name: name, User: c.strArg("user"), Group: c.strArg("group"), Mode: manageMode(c.Arg("mode")),
		DirMode: filemod.ModeArg(c.Arg("dir_mode")), Backup: c.strArg("backup"), Makedirs: pyTruthy(c.Arg("makedirs")),
		ShowChanges: pyTruthy(c.Arg("show_changes")), Follow: pyTruthy(c.Arg("follow_symlinks"))}
	if pyTruthy(c.Arg("keep_mode")) && fc != nil && fc.Mode != "" {
		spec.KeepMode = true
	}
	changes, _ := py.DictItems(itemOf(ret, "changes"))
	r := filemod.Manage(spec, fc, c.cachedir(), append(body.Map{}, changes...))
	if r.Changes == nil {
		r.Changes = body.Map{}
	}
	ret.Set("changes", r.Changes)
	ret.Set("comment", r.Comment)
	ret.Set("result", r.Result)
	return ret, nil
}

// manageMode is normalize_mode of the mode argument, for which "" is
// "0000" (not None, as the states read it).
func manageMode(v any) string {
	if v == "" {
		return "0000"
	}
	return filemod.ModeArg(v)
}

func itemOf(m body.Map, key string) any { v, _ := m.Get(key); return v }

// manageContent is the new content: contents as given, or the source's
// file (sfn, or the source fetched), checked against source_sum where
// Salt checks it; a message is the error to return in ret.
func manageContent(c *Call, name, source string) (*filemod.Content, string, error) {
	if v := c.Arg("contents"); v != nil {
		return &filemod.Content{Data: []byte(py.Str(v))}, "", nil
	}
	if source == "" {
		return nil, "", nil
	}
	sfn := c.strArg("sfn")
	given := pyTruthy(c.Arg("sfn"))
	if !given {
		sfn = c.cacheSource(source)
	}
	if sfn == "" {
		return nil, fmt.Sprintf("Source file '%s' not found", source), nil
	}
	data, err := os.ReadFile(sfn)
	if err != nil {
		return nil, "", pyOSError(err, sfn)
	}
	fc := &filemod.Content{Data: data, Source: source}
	if st, err := os.Stat(sfn); err == nil {
		fc.Mode = filemod.NormalizeMode(strconv.FormatUint(uint64(filemod.UnixMode(st.Mode())), 8))
	}
	// Without sfn Salt takes source_sum from the file it fetched: no check.
	webCheck := given && !strings.HasPrefix(source, "salt://") && !pyTruthy(c.Arg("skip_verify")) && !pyTruthy(c.Arg("use_etag"))
	sum, _ := py.DictItems(c.Arg("source_sum"))
	if hsum, ok := sum.Get("hsum"); ok && webCheck {
		htype := py.Str(itemOf(sum, "hash_type"))
		got, err := fileHash(sfn, htype)
		if err != nil {
			return nil, "", err
		}
		if want := strings.ToLower(py.Str(hsum)); got != want {
			return nil, fmt.Sprintf("Specified %s checksum for %s (%s) does not match actual checksum (%s)", htype, name, want, got), nil
		}
	}
	return fc, "", nil
}

// cacheSource is cp.cache_file of a source: the local path of a local
// source, the cached copy of a salt:// one; "" when there is none.
func (c *Call) cacheSource(source string) string {
	if f := c.files(); f != nil {
		p, err := f.CacheFile(c.Ctx, source, c.saltenvArg())
		if err != nil {
			return ""
		}
		return p
	}
	if p := strings.TrimPrefix(source, "file://"); strings.HasPrefix(p, "/") {
		return p
	}
	return ""
}
