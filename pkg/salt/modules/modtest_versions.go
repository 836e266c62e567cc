package modules

import (
	"cmp"
	"fmt"
	"path"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// testVersionFuncs are test.versions_information and versions_report
// (test.versions): salt.version's report, with Go where Salt names Python
// and the Go modules built in as the dependencies.
func testVersionFuncs() []Func {
	report := func(c *Call) (any, error) { return versionsReport(versionsInformation(c)), nil }
	doc := "Returns versions of components used by salt\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.versions_report"
	return []Func{
		{
			Name: "test.versions_information",
			Doc:  "Report the versions of dependent and system software\n\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' test.versions_information",
			Call: func(c *Call) (any, error) { return versionsInformation(c), nil },
		},
		{Name: "test.versions_report", Doc: doc, Call: report},
		{Name: "test.versions", PyName: "versions_report", Doc: doc, Call: report},
	}
}

// versionsInformation is salt.version.versions_information: {section:
// {name: version}}, sections in the report's order.
func versionsInformation(c *Call) body.Map {
	version := DefaultVersion
	if c.exec.opts.Version != "" {
		version = c.exec.opts.Version
	}
	deps := body.Map{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			name := path.Base(d.Path)
			if len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
				name = path.Base(path.Dir(d.Path)) // gonja/v2 is gonja
			}
			deps.Set(name, d.Version)
		}
	}
	g := c.Grains()
	str := func(k string) string { return py.Str(g[k]) }
	system := body.Map{
		{Key: "system", Value: str("kernel")},
		{Key: "dist", Value: strings.TrimSpace(strings.ToLower(str("os")) + " " + str("osrelease") + " " + str("oscodename"))},
		{Key: "release", Value: str("kernelrelease")},
		{Key: "machine", Value: str("cpuarch")}, // platform.machine()
		{Key: "version", Value: strings.TrimSpace(str("osfullname") + " " + str("osrelease") + " " + str("oscodename"))},
		{Key: "locale", Value: "utf-8"},
	}
	return body.Map{
		{Key: "Salt Version", Value: body.Map{{Key: "Salt", Value: version}}},
		{Key: "Go Version", Value: body.Map{{Key: "Go", Value: runtime.Version()}}},
		{Key: "Dependency Versions", Value: deps},
		{Key: "System Versions", Value: system},
	}
}

// versionsReport is salt.version.versions_report joined by newlines: each
// section's names right-aligned to the longest (at least "Not Installed")
// plus one, sorted without regard to case, and a " " line after each.
func versionsReport(info body.Map) string {
	pad := len("Not Installed")
	for _, sec := range []string{"Dependency Versions", "System Versions"} {
		m, _ := info.Get(sec)
		for _, it := range m.(body.Map) {
			pad = max(pad, len(it.Key))
		}
	}
	pad++
	var lines []string
	for _, sec := range info {
		lines = append(lines, sec.Key+":")
		items := slices.Clone(sec.Value.(body.Map))
		slices.SortStableFunc(items, func(a, b body.Item) int { return cmp.Compare(strings.ToLower(a.Key), strings.ToLower(b.Key)) })
		for _, it := range items {
			v := py.Str(it.Value)
			if v == "" {
				v = "Not Installed"
			}
			lines = append(lines, fmt.Sprintf("%*s: %s", pad, it.Key, v))
		}
		lines = append(lines, " ")
	}
	return strings.Join(lines, "\n")
}
