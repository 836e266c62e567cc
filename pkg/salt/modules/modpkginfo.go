package modules

import (
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// The pkg functions over the package database: dpkg's selections (hold,
// unhold) and its files and fields (owner, file_list, info_installed);
// owner and file_list also over rpm's.
func pkgInfoFuncs() []Func {
	sel := []Param{{Name: "name"}, {Name: "pkgs"}, {Name: "sources"}}
	return []Func{
		{
			Name: "pkg.hold", Params: sel, VarKwargs: true,
			Doc:  "Set package in 'hold' state, meaning it will not be upgraded.\n\nname\n    The name of the package, e.g., 'tmux'\n\npkgs\n    A list of packages to hold. Must be passed as a python list.\n\nCLI Example: salt '*' pkg.hold <package name>",
			Call: func(c *Call) (any, error) { return pkgSelect(c, true) },
		},
		{
			Name: "pkg.unhold", Params: sel, VarKwargs: true,
			Doc:  "Set package current in 'hold' state to install state, meaning it will be upgraded.\n\nname\n    The name of the package, e.g., 'tmux'\n\npkgs\n    A list of packages to unhold. Must be passed as a python list.\n\nCLI Example: salt '*' pkg.unhold <package name>",
			Call: func(c *Call) (any, error) { return pkgSelect(c, false) },
		},
		{
			Name: "pkg.owner", VarArgs: true, VarKwargs: true,
			Doc:  "Return the name of the package that owns the file. Multiple file paths can be passed. Like pkg.version, if a single path is passed, a string will be returned, and if multiple paths are passed, a dictionary of file/package name pairs will be returned.\n\nIf the file is not owned by a package, or is not present on the minion, then an empty string will be returned for that path.\n\nCLI Example: salt '*' pkg.owner /usr/bin/apachectl",
			Call: pkgOwner,
		},
		{
			Name: "pkg.file_list", VarArgs: true, VarKwargs: true,
			Doc:  "List the files that belong to a package. Not specifying any packages will return a list of _every_ file on the system's package database (not generally recommended).\n\nCLI Example: salt '*' pkg.file_list httpd",
			Call: pkgFileList,
		},
		{
			Name: "pkg.info_installed", VarArgs: true, VarKwargs: true,
			Doc:  "Return the information of the named package(s) installed on the system.\n\nnames\n    The names of the packages for which to return information.\n\nfailhard\n    Whether to throw an exception if none of the packages are installed. Defaults to True.\n\nCLI Example: salt '*' pkg.info_installed <package1>",
			Call: pkgInfoInstalled,
		},
	}
}

// pkgSelect is pkg.hold (hold true) and unhold: aptpkg's, each target's
// {name, changes, result, comment} with the selection set with dpkg, or
// yumpkg's version locks on RedHat (modpkgyum.go).
func pkgSelect(c *Call, hold bool) (any, error) {
	if d, ok := pkgBackend(c).(pkgmgr.Dnf); ok {
		return yumHold(c, d, hold)
	}
	a, err := pkgApt(c)
	if err != nil {
		return nil, err
	}
	targets, err := pkgHoldTargets(c)
	if err != nil {
		return nil, err
	}
	ret := body.Map{}
	for _, t := range targets {
		ret.Set(t, pkgSelectOne(c, a, t, hold))
	}
	return ret, nil
}

func pkgListArg(v any) []any {
	l, _ := v.([]any)
	return l
}

// pkgSelectOne holds or unholds one package, with Salt's comments.
func pkgSelectOne(c *Call, a pkgmgr.Apt, target string, hold bool) body.Map {
	r := body.Map{{Key: "name", Value: target}, {Key: "changes", Value: body.Map{}}, {Key: "result", Value: false}, {Key: "comment", Value: ""}}
	cur := dpkgSelection(c, a, target)
	want, verb, now := "hold", "held", "is now being held"
	if !hold {
		want, verb, now = "install", "not held", "is no longer being held"
	}
	switch {
	case cur == "" && hold:
		r.Set("comment", "Package "+target+" not currently held.")
	case cur == "":
		r.Set("comment", "Package "+target+" does not have a state.")
	case (cur == "hold") == hold:
		r.Set("result", true)
		r.Set("comment", "Package "+target+" is already set to be "+verb+".")
		if !hold {
			r.Set("comment", "Package "+target+" is already set not to be held.")
		}
	case pkgTestMode(c):
		r.Set("result", nil)
		r.Set("comment", "Package "+target+" is set to be held.")
		if !hold {
			r.Set("comment", "Package "+target+" is set not to be held.")
		}
	default:
		if dpkgSetSelection(c, a, target, want) {
			r.Set("changes", body.Map{{Key: "old", Value: cur}, {Key: "new", Value: want}})
			r.Set("result", true)
		}
		r.Set("comment", "Package "+target+" "+now+".")
	}
	return r
}

// dpkgSetSelection is set_selections of one package: `dpkg
// --set-selections` with "name state" on its input.
func dpkgSetSelection(c *Call, a pkgmgr.Apt, name, state string) bool {
	_, _, rc, err := a.Run(c.Ctx, []string{"sh", "-c", `printf '%s\n' "$1" | dpkg --set-selections`, "sh", name + " " + state}, nil)
	return err == nil && rc == 0
}

// dpkgSelection is the package's selection state (install, hold,
// deinstall, purge) as `dpkg --get-selections` lists it, "" for none.
func dpkgSelection(c *Call, a pkgmgr.Apt, name string) string {
	out, _, _, _ := a.Run(c.Ctx, []string{"dpkg", "--get-selections", name}, nil)
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			return f[1]
		}
	}
	return ""
}

// pkgOwner is aptpkg.owner (dpkg -S of each path), or yumpkg.owner
// (rpm -qf) on RedHat.
func pkgOwner(c *Call) (any, error) {
	paths := pkgNamesArgs(c)
	if len(paths) == 0 {
		return "", nil
	}
	be := pkgBackend(c)
	ret := body.Map{}
	for _, p := range paths {
		var owner string
		if a, ok := be.(pkgmgr.Apt); ok {
			out, _, _, _ := a.Run(c.Ctx, []string{"dpkg", "-S", p}, nil)
			owner, _, _ = strings.Cut(strings.TrimRight(out, "\n"), ":")
			if strings.Contains(strings.ToLower(owner), "no path found") {
				owner = ""
			}
		} else {
			out, _, _, _ := pkgRunner(c.Ctx, []string{"rpm", "-qf", "--queryformat", "%{name}", p}, nil)
			if owner = strings.TrimRight(out, "\n"); strings.Contains(strings.ToLower(owner), "not owned") {
				owner = ""
			}
		}
		ret.Set(p, owner)
	}
	if len(ret) == 1 {
		return ret[0].Value, nil
	}
	return ret, nil
}

// pkgFileList is dpkg_lowpkg.file_list: the files of the installed
// packages named (all when none are), sorted, under "files"; on RedHat
// rpm_lowpkg.file_list.
func pkgFileList(c *Call) (any, error) {
	a, ok := pkgBackend(c).(pkgmgr.Apt)
	if !ok {
		return rpmFileList(c)
	}
	argv := append([]string{"dpkg-query", "-f=${db:Status-Status}\t${binary:Package}\n", "-W"}, pkgNamesArgs(c)...)
	out, stderr, rc, err := a.Run(c.Ctx, argv, nil)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if rc != 0 {
		return "Error:  " + strings.TrimRight(stderr, "\n"), nil
	}
	files := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		status, pkg, ok := strings.Cut(line, "\t")
		if !ok || status != "installed" {
			continue
		}
		list, _, _, _ := a.Run(c.Ctx, []string{"dpkg", "-L", pkg}, nil)
		for _, f := range strings.Split(strings.TrimRight(list, "\n"), "\n") {
			files[f] = true
		}
	}
	return body.Map{{Key: "errors", Value: []any{}}, {Key: "files", Value: toAnyList(slices.Sorted(mapKeys(files)))}}, nil
}

// dpkgInfoFormat is dpkg_lowpkg._get_pkg_info's dpkg-query format.
const dpkgInfoFormat = "package:${Package}\\nrevision:${binary:Revision}\\narchitecture:${Architecture}\\nmaintainer:${Maintainer}\\n" +
	"summary:${Summary}\\nsource:${source:Package}\\nversion:${Version}\\nsection:${Section}\\ninstalled_size:${Installed-size}\\n" +
	"size:${Size}\\nMD5:${MD5sum}\\nSHA1:${SHA1}\\nSHA256:${SHA256}\\norigin:${Origin}\\nhomepage:${Homepage}\\n" +
	"status:${db:Status-Abbrev}\\ndescription:${Description}\\n\\n*/~^\\\\*\\n"

var dpkgInfoSep = regexp.MustCompile(`\r?\n\*/~\^\\\*(\r?\n|)`)

// dpkgInfoKeys renames dpkg's fields as aptpkg.info_installed does; the
// fields lowpkg.info drops are mapped to "".
var dpkgInfoKeys = map[string]string{"package": "name", "origin": "vendor", "section": "group", "maintainer": "packager",
	"homepage": "url", "status": "", "installed_size": "", "depends": "", "recommends": "", "provides": "",
	"replaces": "", "conflicts": "", "bugs": "", "description-md5": "", "task": ""}

// pkgInfoInstalled is aptpkg.info_installed over dpkg_lowpkg.info, or
// yumpkg's over rpm_lowpkg.info on RedHat (modpkgrpm.go).
func pkgInfoInstalled(c *Call) (any, error) {
	if _, ok := pkgBackend(c).(pkgmgr.Dnf); ok {
		return rpmInfoInstalled(c)
	}
	a, err := pkgApt(c)
	if err != nil {
		return nil, err
	}
	failhard := true
	if v, ok := c.Kwargs.Get("failhard"); ok {
		failhard = pyTruthy(v)
	}
	out, stderr, rc, err := a.Run(c.Ctx, append([]string{"dpkg-query", "-W", "-f=" + dpkgInfoFormat}, pkgNamesArgs(c)...), nil)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	if rc != 0 {
		if failhard {
			return nil, cmdErr("Error getting packages information: %s", stderr)
		}
		return body.Map{}, nil
	}
	ret := body.Map{}
	for _, rec := range dpkgInfoSep.Split(out, -1) {
		if strings.TrimSpace(rec) == "" {
			continue
		}
		if info, name := dpkgInfo(rec); name != "" {
			ret.Set(name, info)
		}
	}
	return ret, nil
}

// dpkgInfo is one package's record as info_installed returns it, or no
// name when the package is not really installed.
func dpkgInfo(rec string) (body.Map, string) {
	head, descr, _ := strings.Cut(rec, "\ndescription:")
	info := body.Map{}
	var name, status string
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "package":
			name = v
		case "status":
			status = v
		}
		if nk, renamed := dpkgInfoKeys[k]; renamed && nk == "" {
			continue
		} else if renamed {
			k = nk
		}
		info.Set(k, v)
		if k == "name" {
			if st, err := os.Stat("/var/lib/dpkg/info/" + v + ".list"); err == nil {
				info.Set("install_date", st.ModTime().UTC().Format("2006-01-02T15:04:05")+"Z")
			}
		}
	}
	if len(status) < 2 || status[1] != 'i' {
		return nil, ""
	}
	info.Set("description", descr)
	if lic := pkgLicense(name); lic != "" {
		info.Set("license", lic)
	}
	return info, name
}

// pkgLicense is dpkg_lowpkg._get_pkg_license: the License: lines of the
// package's copyright file.
func pkgLicense(name string) string {
	data, err := os.ReadFile("/usr/share/doc/" + name + "/copyright")
	if err != nil {
		return ""
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "License:"); ok {
			set[strings.TrimSpace(v)] = true
		}
	}
	return strings.Join(slices.Sorted(mapKeys(set)), ", ")
}

// rpmFileList is rpm_lowpkg.file_list: the lines of rpm -ql (-qla for
// every package), its complaints included, as cmd.run merges them.
func rpmFileList(c *Call) (any, error) {
	argv := []string{"rpm", "-qla"}
	if names := pkgNamesArgs(c); len(names) > 0 {
		argv = append([]string{"rpm", "-ql"}, names...)
	}
	out, stderr, _, err := pkgRunner(c.Ctx, argv, nil)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	files := []any{}
	for _, l := range py.SplitLines(strings.TrimRight(out+stderr, " \t\n")) {
		files = append(files, l)
	}
	return body.Map{{Key: "errors", Value: []any{}}, {Key: "files", Value: files}}, nil
}
