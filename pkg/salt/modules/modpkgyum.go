package modules

import (
	"errors"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/pkgmgr"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
)

// yumpkg.hold and unhold: version locks through dnf's versionlock plugin.

// yumHold is yumpkg.hold (hold true) and unhold: each target's {name,
// changes, result, comment}, the lock added or deleted with dnf
// versionlock once the plugin is known to be installed.
func yumHold(c *Call, d pkgmgr.Dnf, hold bool) (any, error) {
	if err := yumCheckVersionlock(c, d); err != nil {
		return nil, err
	}
	targets, err := pkgHoldTargets(c)
	if err != nil {
		return nil, err
	}
	locks, err := d.Holds(c.Ctx)
	if err != nil {
		return nil, cmdErr("%v", err)
	}
	ret := body.Map{}
	for _, t := range targets {
		r := body.Map{{Key: "name", Value: t}, {Key: "changes", Value: body.Map{}}, {Key: "result", Value: false}, {Key: "comment", Value: ""}}
		if hold {
			yumHoldOne(c, d, r, t, slices.Contains(locks, t))
		} else {
			yumUnholdOne(c, d, r, t, locks)
		}
		ret.Set(t, r)
	}
	return ret, nil
}

func yumHoldOne(c *Call, d pkgmgr.Dnf, r body.Map, t string, held bool) {
	switch {
	case held:
		r.Set("result", true)
		r.Set("comment", "Package "+t+" is already set to be held.")
	case pkgTestMode(c):
		r.Set("result", nil)
		r.Set("comment", "Package "+t+" is set to be held.")
	default:
		if ok, _ := d.Lock(c.Ctx, t); ok {
			r.Set("result", true)
			r.Set("comment", "Package "+t+" is now being held.")
			r.Set("changes", body.Map{{Key: "new", Value: "hold"}, {Key: "old", Value: ""}})
		} else {
			r.Set("comment", "Package "+t+" was unable to be held.")
		}
	}
}

// yumUnholdOne deletes the locks of t: with dnf, the locks whose name is
// t, passed to versionlock delete by that name.
func yumUnholdOne(c *Call, d pkgmgr.Dnf, r body.Map, t string, locks []string) {
	var search []string
	for _, l := range locks {
		if l == t {
			search = append(search, l)
		}
	}
	switch {
	case len(search) == 0:
		r.Set("result", true)
		r.Set("comment", "Package "+t+" is not being held.")
	case pkgTestMode(c):
		r.Set("result", nil)
		r.Set("comment", "Package "+t+" is set to be unheld.")
	default:
		if ok, _ := d.Unlock(c.Ctx, search); ok {
			r.Set("result", true)
			r.Set("comment", "Package "+t+" is no longer held.")
			r.Set("changes", body.Map{{Key: "new", Value: ""}, {Key: "old", Value: "hold"}})
		} else {
			r.Set("comment", "Package "+t+" was unable to be unheld.")
		}
	}
}

// yumCheckVersionlock is _check_versionlock: hold and unhold refuse to
// run without the versionlock plugin's package installed.
func yumCheckVersionlock(c *Call, d pkgmgr.Dnf) error {
	g := c.Grains()
	_, haveRel := g["osrelease"]
	_, haveMajor := g["osmajorrelease"]
	plugin, err := pkgmgr.VersionlockPlugin(grainStr(g, "os"), grainStr(g, "osrelease"), grainStr(g, "osmajorrelease"), haveRel && g["osrelease"] != nil, haveMajor && g["osmajorrelease"] != nil)
	var pe *pkgmgr.PyIntError
	if errors.As(err, &pe) {
		return &Exception{Type: pe.Type, Msg: pe.Msg}
	}
	pkgs, err := d.ListPkgs(c.Ctx, false)
	if err != nil {
		return cmdErr("%v", err)
	}
	if _, ok := pkgs[plugin]; !ok {
		return invocationErr("Cannot proceed, %s is not installed.", plugin)
	}
	return nil
}

// pkgHoldTargets is the targets of hold and unhold: pkgs, else the names
// of sources, else name; each a name or the first key of a mapping.
func pkgHoldTargets(c *Call) ([]string, error) {
	name, pkgs, sources := c.strArg("name"), c.Arg("pkgs"), c.Arg("sources")
	if name == "" && !pyTruthy(pkgs) && !pyTruthy(sources) {
		return nil, invocationErr("One of name, pkgs, or sources must be specified.")
	}
	if pyTruthy(pkgs) && pyTruthy(sources) {
		return nil, invocationErr("Only one of pkgs or sources can be specified.")
	}
	var targets []string
	for _, x := range append(pkgListArg(pkgs), pkgListArg(sources)...) {
		if m, ok := py.DictItems(x); ok && len(m) > 0 {
			targets = append(targets, m[0].Key)
		} else {
			targets = append(targets, py.Str(x))
		}
	}
	if len(targets) == 0 {
		targets = []string{name}
	}
	return targets, nil
}

// pkgTestMode is __opts__["test"] of an execution module: the minion's
// test option (a test=True keyword of the call does not set it, as in
// Salt).
func pkgTestMode(c *Call) bool {
	cfg := c.exec.opts.Config
	return cfg != nil && py.Truthy(cfg.Raw["test"])
}
