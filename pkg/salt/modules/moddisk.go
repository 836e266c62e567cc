package modules

import (
	"os"
	"regexp"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// diskFuncs is Salt's disk module (salt/modules/disk.py) on Linux: df -P
// and blkid, parsed as Salt parses them (values stay strings).
func diskFuncs() []Func {
	return []Func{
		{Name: "disk.usage", Params: []Param{{Name: "args", Default: nil}},
			Doc:  "Return usage information for volumes mounted on this minion: {mount: {filesystem, 1K-blocks, used, available, capacity}}.\n\nCLI Example: salt '*' disk.usage",
			Call: diskUsage},
		{Name: "disk.inodeusage", Params: []Param{{Name: "args", Default: nil}},
			Doc:  "Return inode usage information for volumes mounted on this minion.\n\nCLI Example: salt '*' disk.inodeusage",
			Call: diskInodeusage},
		{Name: "disk.percent", Params: []Param{{Name: "args", Default: nil}},
			Doc:  "Return partition information for volumes mounted on this minion: {mount: capacity}, or the one mount point's capacity.\n\nCLI Example: salt '*' disk.percent /var",
			Call: diskPercent},
		{Name: "disk.blkid", Params: []Param{{Name: "device", Default: nil}, {Name: "token", Default: nil}},
			Doc:  "Return block device attributes: UUID, LABEL, etc. A device or a token (TYPE=ext4) restricts the list.\n\nCLI Example: salt '*' disk.blkid /dev/sda",
			Call: diskBlkid},
	}
}

// dfFlags is disk._clean_flags: each character of args must be one of df's
// allowed flags.
func dfFlags(args any, caller string) (string, error) {
	if args == nil {
		return "", nil
	}
	var flags string
	var chars []string
	switch a := args.(type) {
	case string:
		for _, r := range a {
			chars = append(chars, string(r))
		}
	case []any:
		for _, x := range a {
			chars = append(chars, py.Str(x))
		}
	default:
		chars = []string{py.Str(a)}
	}
	for _, f := range chars {
		if !strings.Contains("aBhHiklPtTxv", f) || len(f) != 1 {
			return "", cmdErr("Invalid flag passed to %s", caller)
		}
		flags += f
	}
	return flags, nil
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// dfRows are the rows of df's output, without the header, a file system
// name with spaces joined back as Salt joins it.
func dfRows(c *Call, argv []string, joinWrapped bool) [][]string {
	var rows [][]string
	old := ""
	for _, line := range py.SplitLines(hostOutput(c.Ctx, argv...)) {
		if line == "" || strings.HasPrefix(line, "Filesystem") {
			continue
		}
		if old != "" {
			line = old + " " + line
		}
		f := strings.Fields(line)
		if joinWrapped && len(f) == 1 {
			old = line
			continue
		}
		old = ""
		for len(f) >= 2 && !isDigits(f[1]) {
			f = append([]string{f[0] + " " + f[1]}, f[2:]...)
		}
		if len(f) >= 2 {
			rows = append(rows, f)
		}
	}
	return rows
}

func diskUsage(c *Call) (any, error) {
	flags, err := dfFlags(c.Arg("args"), "disk.usage")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat("/etc/mtab"); err != nil {
		return body.Map{}, nil
	}
	argv := []string{"df", "-P"}
	if flags != "" {
		argv = append(argv, "-"+flags)
	}
	ret := body.Map{}
	for _, f := range dfRows(c, argv, true) {
		if len(f) < 6 {
			return body.Map{}, nil // Salt's IndexError: "Problem parsing disk usage information"
		}
		ret.Set(f[5], body.Map{{Key: "filesystem", Value: f[0]}, {Key: "1K-blocks", Value: f[1]},
			{Key: "used", Value: f[2]}, {Key: "available", Value: f[3]}, {Key: "capacity", Value: f[4]}})
	}
	return ret, nil
}

func diskInodeusage(c *Call) (any, error) {
	flags, err := dfFlags(c.Arg("args"), "disk.inodeusage")
	if err != nil {
		return nil, err
	}
	argv := []string{"df", "-iP"}
	if flags != "" {
		argv = append(argv, "-"+flags)
	}
	ret := body.Map{}
	for _, line := range py.SplitLines(hostOutput(c.Ctx, argv...)) {
		f := strings.Fields(line)
		if strings.HasPrefix(line, "Filesystem") || len(f) == 0 {
			continue
		}
		if len(f) < 6 {
			return body.Map{}, nil
		}
		ret.Set(f[5], body.Map{{Key: "inodes", Value: f[1]}, {Key: "used", Value: f[2]},
			{Key: "free", Value: f[3]}, {Key: "use", Value: f[4]}, {Key: "filesystem", Value: f[0]}})
	}
	return ret, nil
}

// diskPercent is disk.percent: with args, that mount point's capacity, or
// {} when it is not a mount point.
func diskPercent(c *Call) (any, error) {
	ret := body.Map{}
	for _, f := range dfRows(c, []string{"df", "-P"}, false) {
		if len(f) < 6 {
			ret = body.Map{}
			break
		}
		ret.Set(f[5], f[4])
	}
	args := c.Arg("args")
	if args == nil || !py.Truthy(args) {
		return ret, nil
	}
	if v, ok := ret.Get(py.Str(args)); ok {
		return v, nil
	}
	return body.Map{}, nil
}

var blkidSplit = regexp.MustCompile(`"*"`)

func diskBlkid(c *Call) (any, error) {
	argv := []string{"blkid"}
	if d := c.Arg("device"); py.Truthy(d) {
		argv = append(argv, py.Str(d))
	} else if t := c.Arg("token"); py.Truthy(t) {
		argv = append(argv, "-t", py.Str(t))
	}
	ret := body.Map{}
	out, _, rc, err := hostRun(c.Ctx, argv...)
	if err != nil || rc > 0 {
		return ret, nil
	}
	for _, line := range py.SplitLines(out) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		dev := f[0][:len(f[0])-1]
		_, rest, _ := strings.Cut(line, " ")
		attrs := blkidSplit.Split(rest, -1)
		info := body.Map{}
		for i := 0; i+1 < len(attrs); i += 2 {
			info.Set(strings.Trim(strings.Trim(attrs[i], "="), " "), strings.Trim(attrs[i+1], `"`))
		}
		ret.Set(dev, info)
	}
	return ret, nil
}
