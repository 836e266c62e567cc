package modules

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// yumpkg.info_installed over rpm_lowpkg.info: one rpm query whose
// --queryformat writes "key: value" lines, a description and a "-----"
// line for each package.

// rpmInfoAttrs is rpm_lowpkg.info's attr_map, in its order: the query
// format of each attribute (description is asked for last).
var rpmInfoAttrs = []struct{ key, format string }{
	{"name", `name: %{NAME}\n`},
	{"relocations", `relocations: %|PREFIXES?{[%{PREFIXES} ]}:{(not relocatable)}|\n`},
	{"version", `version: %{VERSION}\n`},
	{"vendor", `vendor: %{VENDOR}\n`},
	{"release", `release: %{RELEASE}\n`},
	{"epoch", `%|EPOCH?{epoch: %{EPOCH}\n}|`},
	{"build_date_time_t", `build_date_time_t: %{BUILDTIME}\n`},
	{"build_date", `build_date: %{BUILDTIME}\n`},
	{"install_date_time_t", `install_date_time_t: %|INSTALLTIME?{%{INSTALLTIME}}:{(not installed)}|\n`},
	{"install_date", `install_date: %|INSTALLTIME?{%{INSTALLTIME}}:{(not installed)}|\n`},
	{"build_host", `build_host: %{BUILDHOST}\n`},
	{"group", `group: %{GROUP}\n`},
	{"source_rpm", `source_rpm: %{SOURCERPM}\n`},
	{"size", `size: ` + "\x00" + `\n`}, // \x00 is the size tag rpm has (rpmSizeTag)
	{"arch", `arch: %{ARCH}\n`},
	{"license", `%|LICENSE?{license: %{LICENSE}\n}|`},
	{"signature", `signature: %|DSAHEADER?{%{DSAHEADER:pgpsig}}:{%|RSAHEADER?{%{RSAHEADER:pgpsig}}:{%|SIGGPG?{%{SIGGPG:pgpsig}}:{%|SIGPGP?{%{SIGPGP:pgpsig}}:{(none)}|}|}|}|\n`},
	{"packager", `%|PACKAGER?{packager: %{PACKAGER}\n}|`},
	{"url", `%|URL?{url: %{URL}\n}|`},
	{"summary", `summary: %{SUMMARY}\n`},
	{"description", `description:\n%{DESCRIPTION}\n`},
	{"edition", `edition: %|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\n`},
}

// rpmInfoSep is the "----*" info splits rpm's output on.
var rpmInfoSep = regexp.MustCompile(`---+`)

// rpmInfoQuery is info's query format for attr (all attributes when
// empty), and the attributes asked for (name and edition added).
func rpmInfoQuery(attr []string, sizeTag string) (string, []string, error) {
	var q strings.Builder
	format := func(f string) string { return strings.ReplaceAll(f, "\x00", sizeTag) }
	if len(attr) > 0 {
		for _, a := range attr {
			for _, m := range rpmInfoAttrs {
				if m.key == a && a != "description" {
					q.WriteString(format(m.format))
				}
			}
		}
		if q.Len() == 0 {
			return "", nil, cmdErr("No valid attributes found.")
		}
		for _, k := range []string{"name", "edition"} {
			if !slices.Contains(attr, k) {
				attr = append(attr, k)
				q.WriteString(rpmInfoAttrs[slices.IndexFunc(rpmInfoAttrs, func(m struct{ key, format string }) bool { return m.key == k })].format)
			}
		}
	} else {
		for _, m := range rpmInfoAttrs {
			if m.key != "description" {
				q.WriteString(format(m.format))
			}
		}
	}
	if len(attr) == 0 || slices.Contains(attr, "description") {
		q.WriteString(`description:\n%{DESCRIPTION}\n`)
	}
	q.WriteString(`-----\n`)
	return q.String(), attr, nil
}

// rpmInfoInstalled is yumpkg.info_installed: rpm_lowpkg.info's records
// with source_rpm named source; with all_versions a list of every
// installed version's record (edition kept), else the newest one's.
func rpmInfoInstalled(c *Call) (any, error) {
	allVersions := kwTrue(c, "all_versions")
	var attr []string
	if v, ok := c.Kwargs.Get("attr"); ok && pyTruthy(v) {
		attr = strings.Split(py.Str(v), ",")
	}
	sizeTag := `%{SIZE}`
	if tags, _, _, _ := pkgRunner(c.Ctx, []string{"rpm", "--querytags"}, nil); slices.Contains(py.SplitLines(tags), "LONGSIZE") {
		sizeTag = `%{LONGSIZE}`
	}
	query, attr, err := rpmInfoQuery(attr, sizeTag)
	if err != nil {
		return nil, err
	}
	argv := []string{"rpm"}
	if root, ok := c.Kwargs.Get("root"); ok && pyTruthy(root) {
		argv = append(argv, "--root", py.Str(root))
	}
	if names := pkgNamesArgs(c); len(names) > 0 {
		argv = append(append(argv, "-q"), names...)
	} else {
		argv = append(argv, "-qa")
	}
	out, _, _, err := pkgRunner(c.Ctx, append(argv, "--queryformat", query), []string{"TZ=UTC"})
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	return rpmInfoResult(rpmInfoRecords(out, attr), allVersions), nil
}

// rpmInfoRecords reads each package's record of rpm's output as info
// does: "key: value" lines (empty values dropped, times converted) up to
// "description:", whose following lines are the description.
func rpmInfoRecords(out string, attr []string) []body.Map {
	withDescr := len(attr) == 0 || slices.Contains(attr, "description")
	var recs []body.Map
	for _, rec := range rpmInfoSep.Split(out, -1) {
		rec = strings.TrimSpace(rec)
		if rec == "" {
			continue
		}
		lines := strings.Split(rec, "\n")
		if strings.HasPrefix(strings.ToLower(lines[len(lines)-1]), "distribution") {
			lines = lines[:len(lines)-1]
		}
		data, name, descr := body.Map{}, "", []string(nil)
		for i, line := range lines {
			key, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			key, value = strings.TrimSpace(key), strings.TrimSpace(value)
			if key == "description" {
				descr = lines[i+1:]
				break
			}
			rpmInfoField(&data, key, value)
			if key == "name" {
				name = value
			}
		}
		if withDescr {
			data.Set("description", strings.Join(descr, "\n"))
		}
		if name != "" {
			data.Set("name", name)
			recs = append(recs, data)
		}
	}
	return recs
}

// rpmInfoField sets one "key: value" of a record: build and install
// times as ISO dates and as integers, others when they are not empty.
func rpmInfoField(data *body.Map, key, value string) {
	switch key {
	case "build_date", "install_date":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			data.Set(key, time.Unix(n, 0).UTC().Format("2006-01-02T15:04:05")+"Z")
		}
	case "build_date_time_t", "install_date_time_t":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			data.Set(key, n)
		}
	case "description", "name":
	default:
		if value != "" {
			data.Set(key, value)
		}
	}
}

// rpmInfoResult is the end of info and info_installed: the records
// newest edition first (gpg-pubkey ones dropped), each package once
// without edition, or with allVersions every version with it; and
// source_rpm renamed source.
func rpmInfoResult(recs []body.Map, allVersions bool) body.Map {
	slices.SortStableFunc(recs, func(a, b body.Map) int { return looseVersionCmp(recEdition(a), recEdition(b)) })
	slices.Reverse(recs)
	ret := body.Map{}
	for _, r := range recs {
		v, _ := r.Get("name")
		name := py.Str(v)
		if strings.HasPrefix(name, "gpg-pubkey") {
			continue
		}
		info := body.Map{}
		for _, it := range r {
			switch {
			case it.Key == "name", it.Key == "edition" && !allVersions:
			case it.Key == "source_rpm":
				info.Set("source", it.Value)
			default:
				info.Set(it.Key, it.Value)
			}
		}
		prev, seen := ret.Get(name)
		switch {
		case !seen && allVersions:
			ret.Set(name, []any{info})
		case !seen:
			ret.Set(name, info)
		case allVersions:
			ret.Set(name, append(prev.([]any), info))
		}
	}
	return ret
}

func recEdition(r body.Map) string {
	v, _ := r.Get("edition")
	return py.Str(v)
}

// looseVersionCmp is salt.utils.versions.LooseVersion's comparison: the
// versions split into numbers, lowercase words and other runs (dots
// dropped); compared as numbers when no part is a word, else as strings
// with the numbers zero-padded to 8 digits.
func looseVersionCmp(a, b string) int {
	pa, pb := looseParts(a), looseParts(b)
	allInt := true
	for _, p := range append(slices.Clone(pa), pb...) {
		if !p.isInt {
			allInt = false
		}
	}
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var c int
		if allInt {
			c = cmpInt64(pa[i].n, pb[i].n)
		} else {
			c = strings.Compare(pa[i].padded(), pb[i].padded())
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt64(int64(len(pa)), int64(len(pb)))
}

type loosePart struct {
	s     string
	n     int64
	isInt bool
}

func (p loosePart) padded() string {
	if !p.isInt {
		return p.s
	}
	s := strconv.FormatInt(p.n, 10)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

var looseRe = regexp.MustCompile(`\d+|[a-z]+|\.`)

// looseParts is LooseVersion.parse: component_re.split's pieces, the
// separators between matches included, without empty ones and dots.
func looseParts(v string) []loosePart {
	var parts []loosePart
	add := func(s string) {
		if s == "" || s == "." {
			return
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && s[0] >= '0' && s[0] <= '9' {
			parts = append(parts, loosePart{s: s, n: n, isInt: true})
			return
		}
		parts = append(parts, loosePart{s: s})
	}
	last := 0
	for _, m := range looseRe.FindAllStringIndex(v, -1) {
		add(v[last:m[0]])
		add(v[m[0]:m[1]])
		last = m[1]
	}
	add(v[last:])
	return parts
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
