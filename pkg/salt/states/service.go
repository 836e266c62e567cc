package states

import (
	"context"
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/internal/initsys"
	"github.com/saltraet/saltraet/pkg/salt/internal/sysexec"
	"github.com/saltraet/saltraet/pkg/salt/state"
)

// The service states (salt/states/service.py): running, dead, enabled,
// disabled and the mod_watch that restarts a watched service.

func registerService(r state.Registry) {
	r["service.running"] = func(ctx context.Context, c *state.Call) state.Ret { return serviceRunning(ctx, c, newInitSystem()) }
	r["service.dead"] = func(ctx context.Context, c *state.Call) state.Ret { return serviceDead(ctx, c, newInitSystem()) }
	r["service.enabled"] = func(ctx context.Context, c *state.Call) state.Ret {
		return serviceEnabled(ctx, c, newInitSystem())
	}
	r["service.disabled"] = func(ctx context.Context, c *state.Call) state.Ret {
		ret := newRet(c.Low.Name, &yes)
		return toggle(ctx, c, newInitSystem(), ret, false, nil, true)
	}
	r["service.mod_watch"] = func(ctx context.Context, c *state.Call) state.Ret {
		return serviceModWatch(ctx, c, newInitSystem())
	}
}

// enableArg is the enable argument: nil (leave it), true or false.
func enableArg(a args) *bool {
	v := a.get("enable")
	if v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		return boolp(s == "1" || s == "True" || s == "true" || s == "yes")
	}
	return boolp(truthy(v))
}

func serviceRunning(ctx context.Context, c *state.Call, sys initsys.System) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	if argsOf(c).has("enabled") {
		return errRet(ret, "Service "+name+" not enabled: 'enabled' is not a valid argument, use 'enable'")
	}
	enable := enableArg(argsOf(c))
	if !sys.Available(ctx, name) {
		ret = errRet(ret, fmt.Sprintf("The named service %s is not available", name))
		if c.Test {
			ret.Result = nil
			ret.Comment = fmt.Sprintf("Service %s not present; if created in this state run, it would have been started", name)
		}
		return ret
	}
	before, beforeEnabled := sys.Status(ctx, name), sys.Enabled(ctx, name)
	if before {
		ret.Comment = fmt.Sprintf("The service %s is already running", name)
		return applyEnable(ctx, c, sys, ret, enable, beforeEnabled, nil, true)
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Service %s is set to start", name)
		return ret
	}
	if !sys.Do(ctx, "start", name) {
		ret = errRet(ret, fmt.Sprintf("Service %s failed to start", name))
		return applyEnable(ctx, c, sys, ret, enable, !*enableOr(enable, false), boolp(false), false)
	}
	after, afterEnabled := sys.Status(ctx, name), sys.Enabled(ctx, name)
	if beforeEnabled != afterEnabled || before != after {
		ret.Changes.Set(name, after)
	}
	if after {
		ret.Comment = "Started service " + name
	} else {
		ret = errRet(ret, fmt.Sprintf("Service %s failed to start", name))
	}
	return applyEnable(ctx, c, sys, ret, enable, !*enableOr(enable, false), boolp(after), after)
}

func enableOr(b *bool, def bool) *bool {
	if b == nil {
		return &def
	}
	return b
}

// applyEnable is the `enable` of running and dead: _enable or _disable
// merged into ret when enable asks for a change (when is false for the
// "already" paths, which only act when the boot setting differs).
func applyEnable(ctx context.Context, c *state.Call, sys initsys.System, ret state.Ret, enable *bool, enabledNow bool, started *bool, result bool) state.Ret {
	switch {
	case enable == nil:
		return ret
	case started == nil && *enable == enabledNow:
		return ret
	}
	return toggle(ctx, c, sys, ret, *enable, started, result)
}

func serviceDead(ctx context.Context, c *state.Call, sys initsys.System) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	enable := enableArg(argsOf(c))
	if !sys.Available(ctx, name) {
		if c.Test {
			ret.Result = nil
			ret.Comment = fmt.Sprintf("Service %s not present; if created in this state run, it would have been stopped", name)
			return ret
		}
		ret.Comment = fmt.Sprintf("The named service %s is not available", name)
		return ret
	}
	before, beforeEnabled := sys.Status(ctx, name), sys.Enabled(ctx, name)
	if !before {
		ret.Comment = fmt.Sprintf("The service %s is already dead", name)
		return applyEnable(ctx, c, sys, ret, enable, beforeEnabled, nil, true)
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Service %s is set to be killed", name)
		return ret
	}
	if !sys.Do(ctx, "stop", name) {
		ret = errRet(ret, fmt.Sprintf("Service %s failed to die", name))
		return applyEnable(ctx, c, sys, ret, enable, !*enableOr(enable, false), boolp(true), false)
	}
	after, afterEnabled := sys.Status(ctx, name), sys.Enabled(ctx, name)
	if beforeEnabled != afterEnabled || before != after {
		ret.Changes.Set(name, after)
	}
	if after {
		ret = errRet(ret, fmt.Sprintf("Service %s failed to die", name))
	} else {
		ret.Comment = fmt.Sprintf("Service %s was killed", name)
	}
	return applyEnable(ctx, c, sys, ret, enable, !*enableOr(enable, false), boolp(after), !after)
}

func serviceEnabled(ctx context.Context, c *state.Call, sys initsys.System) state.Ret {
	name := c.Low.Name
	ret := toggle(ctx, c, sys, newRet(name, &yes), true, nil, true)
	if c.Test && ret.Comment == fmt.Sprintf("The named service %s is not available", name) {
		ret.Result = nil
		ret.Comment = fmt.Sprintf("Service %s not present; if created in this state run, it would have been enabled", name)
	}
	return ret
}

// startedWord is how _enable/_disable describe the service: running
// (started true), in the desired state (nil), dead (false).
func startedWord(started *bool) string {
	switch {
	case started == nil:
		return "is in the desired state"
	case *started:
		return "is running"
	}
	return "is dead"
}

// toggle is service._enable (on) and _disable: the boot setting made to
// match, with Salt's comments; its result, comment and changes replace
// ret's.
func toggle(ctx context.Context, c *state.Call, sys initsys.System, ret state.Ret, on bool, started *bool, result bool) state.Ret {
	name := c.Low.Name
	verb, is, set := "enabled", sys.Enabled, sys.Enable
	if !on {
		verb, is, set = "disabled", sys.Disabled, sys.Disable
	}
	if !sys.Available(ctx, name) {
		ret.Comment = fmt.Sprintf("The named service %s is not available", name)
		ret.Result = boolp(!on)
		return ret
	}
	ret.Result = boolp(result)
	word := startedWord(started)
	if is(ctx, name) {
		if started == nil {
			ret.Changes = body.Map{}
		}
		ret.Comment = fmt.Sprintf("Service %s is already %s, and %s", name, verb, word)
		return ret
	}
	if c.Test {
		ret.Result, ret.Comment = nil, fmt.Sprintf("Service %s set to be %s", name, verb)
		return ret
	}
	if set(ctx, name) {
		ret.Changes = body.Map{}
		if is(ctx, name) {
			ret.Changes.Set(name, true)
		}
		ret.Comment = fmt.Sprintf("Service %s has been %s, and %s", name, verb, word)
		return ret
	}
	ret.Result = &no
	ret.Comment = toggleFailure(name, on, started)
	return ret
}

// toggleFailure is the comment of an enable or disable that failed.
func toggleFailure(name string, on bool, started *bool) string {
	switch {
	case on && started == nil:
		return fmt.Sprintf("Failed when setting service %s to start at boot, but the service was already running", name)
	case on && *started:
		return fmt.Sprintf("Failed when setting service %s to start at boot, but the service is running", name)
	case on:
		return fmt.Sprintf("Failed when setting service %s to start at boot, and the service is dead", name)
	case started == nil:
		return fmt.Sprintf("Failed when setting service %s to not start at boot, but the service was already running", name)
	case *started:
		return fmt.Sprintf("Failed when setting service %s to not start at boot, and is running", name)
	}
	return fmt.Sprintf("Failed when setting service %s to not start at boot, and the service is dead", name)
}

// serviceModWatch restarts (or reloads, or starts) a service whose
// watched states changed; a dead one is stopped.
func serviceModWatch(ctx context.Context, c *state.Call, sys initsys.System) state.Ret {
	name := c.Low.Name
	ret := newRet(name, &yes)
	a := argsOf(c)
	var verb, done string
	switch watchedFun(c) {
	case "dead":
		if !sys.Status(ctx, name) {
			ret.Comment = "Service is already stopped"
			return ret
		}
		verb, done = "stop", "stopped"
	case "running":
		verb = "start"
		if sys.Status(ctx, name) {
			verb = "restart"
			if a.boolean("reload", false) {
				verb = "reload"
			}
		}
		done = verb + "ed"
	default:
		return errRet(ret, fmt.Sprintf("Unable to trigger watch for service.%s", watchedFun(c)))
	}
	if c.Test {
		ret.Result, ret.Comment = nil, "Service is set to be "+done
		return ret
	}
	if verb == "start" {
		sys.Do(ctx, "stop", name)
	}
	result := sys.Do(ctx, verb, name)
	ret.Changes = body.Map{{Key: name, Value: result}}
	ret.Result = boolp(result)
	ret.Comment = "Service " + done
	if !result {
		ret.Comment = fmt.Sprintf("Failed to %s the service", verb)
	}
	return ret
}

// serviceRunner runs the init system's commands; tests replace it.
var serviceRunner runner = execRunner

// etcRoot is where the init scripts and rc directories are.
var etcRoot = "/etc"

// systemdBooted is salt.utils.systemd.booted; tests replace it.
var systemdBooted = initsys.Booted

// newInitSystem picks the init system of this machine.
func newInitSystem() initsys.System {
	return initsys.New(serviceRunner, etcRoot, systemdBooted())
}

// ok runs a command and reports whether it exited 0.
func ok(ctx context.Context, run runner, argv ...string) bool { return sysexec.OK(ctx, run, argv...) }
