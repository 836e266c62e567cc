package protocol

import (
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/internal/py"
	"github.com/saltraet/saltraet/pkg/salt/job"
)

// The pub: what the master sends each targeted minion for a publish, on
// the minion's fun share (docs/salt-messages.md, "Road: master → minion").
// The master builds it with PubLoad, the minion reads it with ParsePub.

// Pub is the publish a job came from: the fields of the `pub` load a
// minion receives (spec/salt-raet.md §3.2). Salt hands every one of them to
// functions that take **kwargs as __pub_<field>; Extra carries the optional
// ones (metadata, ret_config, to, ...) in the order they arrived.
type Pub struct {
	Fun     string
	Arg     []any
	Tgt     any
	Jid     string
	Ret     string
	TgtType string
	User    string
	// FunArgsKept says the master keeps the job's fun_args: the return
	// may leave them out (PubFunArgsKept).
	FunArgsKept bool
	Extra       body.Map
}

// PubFunArgsKept is the pub field by which our master says it keeps a
// job's fun_args (the arguments of a large publish) and puts them back
// into each return that leaves them out, so they need not cross the road
// again. Salt's minions do not know it and send fun_args as ever; ours
// leave them out. It is not one of the job's __pub_ fields.
const PubFunArgsKept = "fun_args_kept"

// PubLoad is what the master sends each minion for a publish load (under
// "pub", spec/salt-raet.md §3.2, salt-payloads/publish-to-minion.json):
// fun, arg, tgt, jid (the allocated one), ret, then when present: delimiter
// (a non-default kwargs.delimiter), id (kwargs.id), tgt_type, to, and
// ret_config, metadata, module_executors, executor_opts, ret_kwargs from
// kwargs, and user. Neither key nor kwargs goes to minions.
//
// The order and set are those of Salt 3006's ClearFuncs._prep_pub, of which
// 2018.3's masterapi.LocalFuncs.publish has a subset in the same order. arg
// is passed on unchanged, as 3006 does: 2018.3 ran parse_input over it
// again, which typed strings a second time and, by popping "__kwarg__"
// from the load's own mappings, could turn keyword arguments into
// positional ones.
func PubLoad(load body.Map, jid string) body.Map {
	get := func(k string) any { v, _ := load.Get(k); return v }
	pub := body.Map{
		{Key: "fun", Value: get("fun")},
		{Key: "arg", Value: get("arg")},
		{Key: "tgt", Value: get("tgt")},
		{Key: "jid", Value: jid},
		{Key: "ret", Value: get("ret")},
	}
	kwargs, _ := load.Map("kwargs")
	if d, ok := kwargs.String("delimiter"); ok && d != job.DefaultTargetDelim {
		pub = append(pub, body.Item{Key: "delimiter", Value: d})
	}
	if v, ok := kwargs.Get("id"); ok {
		pub = append(pub, body.Item{Key: "id", Value: v})
	}
	for _, k := range [...]string{"tgt_type", "to"} {
		if v, ok := load.Get(k); ok {
			pub = append(pub, body.Item{Key: k, Value: v})
		}
	}
	for _, k := range [...]string{"ret_config", "metadata", "module_executors", "executor_opts", "ret_kwargs"} {
		if v, ok := kwargs.Get(k); ok {
			pub = append(pub, body.Item{Key: k, Value: v})
		}
	}
	if v, ok := load.Get("user"); ok {
		pub = append(pub, body.Item{Key: "user", Value: v})
	}
	return pub
}

// ParsePub reads a decoded pub load into a Pub; fields other than the
// standard seven are kept in Extra, in order.
func ParsePub(load body.Map) Pub {
	var p Pub
	for _, it := range load {
		switch it.Key {
		case "fun":
			p.Fun, _ = it.Value.(string)
		case "arg":
			p.Arg, _ = it.Value.([]any)
		case "tgt":
			p.Tgt = it.Value
		case "jid":
			p.Jid = py.Str(it.Value)
		case "ret":
			if it.Value != nil {
				p.Ret = py.Str(it.Value)
			}
		case "tgt_type":
			p.TgtType, _ = it.Value.(string)
		case "user":
			p.User, _ = it.Value.(string)
		case PubFunArgsKept:
			p.FunArgsKept, _ = it.Value.(bool)
		default:
			p.Extra = append(p.Extra, it)
		}
	}
	return p
}

// PubMessage is the master's publish to one minion estate:
//
//	{"route": {"dst": [<minion estate>, null, "fun"], "src": [<master estate>, null, null]},
//	 "pub": <pub>}
func PubMessage(masterEstate, minionEstate string, pub body.Map) body.Map {
	return envelopeDstFirst(route.Addr{Estate: masterEstate},
		route.Addr{Estate: minionEstate, Share: ShareFun},
		body.Item{Key: "pub", Value: pub})
}

// PubOf reads the pub load of a master's publish.
func PubOf(msg body.Map) (body.Map, bool) { return msg.Map("pub") }
