package runner

import (
	"github.com/saltraet/saltraet/pkg/salt/modules"
)

// manageFuncs are Salt's manage runner (salt/runners/manage.py): who is
// up by a test.ping to the minions (status, up, down), who is there by
// the master's RAET presence (present, joined, allowed, alived, reaped and
// their not_ forms; no command reaches a minion), and which Salt versions
// the minions run (versions).
func manageFuncs(env *Env) []modules.Func {
	pingParams := []modules.Param{{Name: "tgt", Default: "*"}, {Name: "tgt_type", Default: "glob"},
		{Name: "timeout"}, {Name: "gather_job_timeout"}}
	fs := []modules.Func{
		{
			Name: "manage.status", Params: append([]modules.Param{{Name: "output", Default: true}}, pingParams...),
			Doc: manageDocs["status"],
			Call: func(c *modules.Call) (any, error) {
				up, down, err := env.ping(c)
				if err != nil {
					return nil, err
				}
				return statusMap(up, down), nil
			},
		},
		{
			Name: "manage.up", PyName: "up", Params: pingParams,
			Doc: manageDocs["up"],
			Call: func(c *modules.Call) (any, error) {
				up, _, err := env.ping(c)
				return up, err
			},
		},
		{
			Name: "manage.down", Params: append([]modules.Param{{Name: "removekeys", Default: false}}, pingParams...),
			Doc: manageDocs["down"],
			Call: func(c *modules.Call) (any, error) {
				_, down, err := env.ping(c)
				if err != nil {
					return nil, err
				}
				if pyTrue(c.Arg("removekeys")) {
					if err := env.removeKeys(down); err != nil {
						return nil, err
					}
				}
				return down, nil
			},
		},
		{
			Name: "manage.versions",
			Doc:  manageDocs["versions"],
			Call: func(c *modules.Call) (any, error) { return env.versions(c.Ctx) },
		},
	}
	fs = append(fs, presenceFuncs(env)...)
	return fs
}

// presenceFuncs are list_state and list_not_state and the functions named
// after each RAET presence state, as Salt's RAET manage runner had them:
// list_state and present read "available" (allowed and alive).
func presenceFuncs(env *Env) []modules.Func {
	params := []modules.Param{{Name: "subset"}, {Name: "show_ip", Default: false}}
	var fs []modules.Func
	for _, p := range []struct{ name, state string }{
		{"list_state", "available"}, {"present", "available"}, {"joined", "joined"},
		{"allowed", "allowed"}, {"alived", "alived"}, {"reaped", "reaped"},
	} {
		notName := "not_" + p.name
		if p.name == "list_state" {
			notName = "list_not_state"
		}
		fs = append(fs, modules.Func{
			Name: "manage." + p.name, Params: params,
			Doc: manageDocs[p.name],
			Call: func(c *modules.Call) (any, error) {
				return env.listState(c.Ctx, p.state, c.Arg("subset"), pyTrue(c.Arg("show_ip")))
			},
		}, modules.Func{
			Name: "manage." + notName, Params: params,
			Doc: manageDocs[notName],
			Call: func(c *modules.Call) (any, error) {
				return env.listNotState(c.Ctx, p.state, c.Arg("subset"))
			},
		})
	}
	return fs
}
