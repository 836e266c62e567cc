package modules

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/initsys"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
)

// serviceRunner runs the init system's commands.
var serviceRunner = saltCmdRunner(sysexec.Exec)

// serviceBooted says whether systemd runs, deciding which of Salt's
// service modules this minion has (systemd_service or debian_service).
var serviceBooted = initsys.Booted

// serviceOffline is salt.utils.systemd.offline: systemd does not run, but
// systemctl is installed, so Salt still loads systemd_service and its show.
func serviceOffline() bool {
	_, err := exec.LookPath("systemctl")
	return err == nil
}

// serviceFuncs is Salt's service module: systemd_service where systemd
// runs, else debian_service (the sysvinit service command, update-rc.d),
// both over initsys, which the service states use. The functions and their
// signatures are those of the module Salt would load, picked when the
// minion starts: show exists only with systemd; get_running, which
// debian_service lacks, is the services whose status says they run.
// Where it differs from Salt 3006: with systemd, no_block, unmask and
// unmask_runtime are accepted and ignored, and systemctl is not run under
// systemd-run --scope; on a sysvinit host that has systemctl installed,
// Salt also loads systemd_service "offline", whose get_running answers [];
// here show is there too (systemctl's complaint parsed as Salt parses it),
// the other functions stay debian_service's.
func serviceFuncs(opts Options) []Func {
	booted := serviceBooted()
	sys := func() initsys.System { return initsys.New(serviceRunner, "/etc", booted) }
	name := []Param{{Name: "name", Required: true}}
	ctl := name
	if booted {
		ctl = []Param{{Name: "name", Required: true}, {Name: "no_block", Default: false}, {Name: "unmask", Default: false}, {Name: "unmask_runtime", Default: false}}
	}
	verb := func(v, pyName, doc string) Func {
		return Func{Name: "service." + strings.ReplaceAll(v, "-", "_"), PyName: pyName, Params: ctl,
			Doc:  doc + "\n\nCLI Example: salt '*' service." + strings.ReplaceAll(v, "-", "_") + " <service name>",
			Call: func(c *Call) (any, error) { return sys().Do(c.Ctx, v, c.strArg("name")), nil }}
	}
	check := func(fn, doc string, f func(c *Call, s initsys.System, name string) bool, kwargs bool) Func {
		return Func{Name: "service." + fn, Params: name, VarKwargs: kwargs,
			Doc:  doc + "\n\nCLI Example: salt '*' service." + fn + " <service name>",
			Call: func(c *Call) (any, error) { return f(c, sys(), c.strArg("name")), nil }}
	}
	list := func(fn, doc string, f func(c *Call, s initsys.System) []string) Func {
		return Func{Name: "service." + fn, Doc: doc + "\n\nCLI Example: salt '*' service." + fn,
			Call: func(c *Call) (any, error) { return toAnyList(f(c, sys())), nil }}
	}
	funcs := []Func{
		verb("start", "", "Start the specified service"),
		verb("stop", "", "Stop the specified service"),
		verb("restart", "", "Restart the named service"),
		verb("reload", "reload_", "Reload the named service"),
		verb("force-reload", "", "Force-reload the named service"),
		{Name: "service.status", Params: []Param{{Name: "name", Required: true}, {Name: "sig"}},
			Doc: "Return the status for a service. If the name contains globbing, a dict mapping service name to True/False values is returned.\n\nname\n    The name of the service to check\n\nsig\n    Signature to use to find the service via ps\n\n" +
				"Returns: bool: True if running, False otherwise; dict: Maps service name to True if running, False otherwise\n\nCLI Example: salt '*' service.status <service name> [service signature]",
			Call: func(c *Call) (any, error) { return serviceStatus(c, sys()) }},
		check("enable", "Enable the named service to start at boot", func(c *Call, s initsys.System, n string) bool { return s.Enable(c.Ctx, n) }, true),
		check("disable", "Disable the named service to start at boot", func(c *Call, s initsys.System, n string) bool { return s.Disable(c.Ctx, n) }, true),
		check("enabled", "Return True if the named service is enabled, false otherwise", func(c *Call, s initsys.System, n string) bool { return s.Enabled(c.Ctx, n) }, true),
		check("disabled", "Return True if the named service is disabled, false otherwise", func(c *Call, s initsys.System, n string) bool { return s.Disabled(c.Ctx, n) }, booted),
		check("available", "Returns True if the specified service is available, otherwise returns False.", func(c *Call, s initsys.System, n string) bool { return s.Available(c.Ctx, n) }, false),
		check("missing", "The inverse of service.available. Returns True if the specified service is not available, otherwise returns False.", func(c *Call, s initsys.System, n string) bool { return !s.Available(c.Ctx, n) }, false),
		list("get_all", "Return all available boot services", func(c *Call, s initsys.System) []string { return s.GetAll(c.Ctx) }),
		list("get_enabled", "Return a list of service that are enabled on boot", func(c *Call, s initsys.System) []string { return s.GetEnabled(c.Ctx) }),
		list("get_disabled", "Return a set of services that are installed but disabled", serviceDisabledList),
		list("get_running", "Return a list of all running services, so far as systemd (or, without it, each service's status) is concerned", func(c *Call, s initsys.System) []string { return s.GetRunning(c.Ctx) }),
	}
	if booted || serviceOffline() {
		funcs = append(funcs, Func{Name: "service.show", Params: []Param{{Name: "name", Required: true}, {Name: "root"}},
			Doc:  "Show properties of one or more units/jobs or the manager\n\nroot\n    Enable/disable/mask unit files in the specified root directory\n\nCLI Example: salt '*' service.show <service name>",
			Call: serviceShow})
	}
	return funcs
}

// serviceDisabledList is get_disabled: installed, not enabled.
func serviceDisabledList(c *Call, s initsys.System) []string {
	enabled := s.GetEnabled(c.Ctx)
	var out []string
	for _, n := range s.GetAll(c.Ctx) {
		if !slices.Contains(enabled, n) {
			out = append(out, n)
		}
	}
	return out
}

var serviceGlob = regexp.MustCompile(`\*|\?|\[.+\]`)

// serviceStatus is service.status: with sig, whether a process matches
// it (status.pid); with a glob, {service: running} of the matching
// services; else whether the service runs.
func serviceStatus(c *Call, s initsys.System) (any, error) {
	name := c.strArg("name")
	if sig := c.strArg("sig"); sig != "" {
		out, _, _, _ := serviceRunner(c.Ctx, []string{"pgrep", "-f", sig}, nil)
		return strings.TrimSpace(out) != "", nil
	}
	if !serviceGlob.MatchString(name) {
		return s.Status(c.Ctx, name), nil
	}
	ret := body.Map{}
	for _, n := range py.FnmatchFilter(s.GetAll(c.Ctx), name) {
		ret.Set(n, s.Status(c.Ctx, n))
	}
	return ret, nil
}

// serviceShow is systemd_service.show: `systemctl show` as a dict, the
// {…} values split into dicts and Before, After and Wants into lists.
func serviceShow(c *Call) (any, error) {
	// cmd.run gives systemctl's stderr with its stdout: offline, its
	// complaint is all there is, and Salt returns it parsed as properties.
	stdout, stderr, _, err := serviceRunner(c.Ctx, []string{"systemctl", "show", c.strArg("name")}, nil)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	out := stdout + stderr
	ret := body.Map{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		key, value, _ := strings.Cut(line, "=")
		switch {
		case strings.HasPrefix(value, "{"):
			value = strings.NewReplacer("{", "", "}", "").Replace(value)
			sub := body.Map{}
			for _, item := range strings.Split(value, " ; ") {
				k, v, _ := strings.Cut(item, "=")
				v, _, _ = strings.Cut(v, "=")
				sub.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			ret.Set(key, sub)
		case key == "Before" || key == "After" || key == "Wants":
			ret.Set(key, toAnyList(strings.Fields(value)))
		default:
			ret.Set(key, value)
		}
	}
	return ret, nil
}
