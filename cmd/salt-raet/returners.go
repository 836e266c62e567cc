package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/job"
	"github.com/saltraet/saltraet/pkg/salt/target"
)

// addNodegroupAndReturnFlags adds -N and the returner options, with
// Salt's names and help.
func addNodegroupAndReturnFlags(f *pflag.FlagSet, o *options) {
	f.BoolVarP(&o.nodegroup, "nodegroup", "N", false, "Instead of using shell globs to evaluate the target use one of the predefined nodegroups to identify a list of targets.")
	f.StringVar(&o.returner, "return", "", "Set an alternative return method. By default salt will send the return data from the command back to the master, but the return data can be redirected into any number of systems, databases or applications.")
	f.StringVar(&o.returnConfig, "return_config", "", "Set an alternative return method. By default salt will send the return data from the command back to the master, but the return data can be redirected into any number of systems, databases or applications.")
	f.StringVar(&o.returnKwargs, "return_kwargs", "", "Set any returner options at the command line.")
}

// addReturnKwargs adds what salt/cli/salt.py passes of the returner options
// to the publish's kwargs: ret_config as given, ret_kwargs read as YAML
// (yamlify_arg).
func (o *options) addReturnKwargs(kwargs body.Map) body.Map {
	if o.returnConfig != "" {
		kwargs.Set("ret_config", o.returnConfig)
	}
	if o.returnKwargs != "" {
		kwargs.Set("ret_kwargs", job.YAMLArg(o.returnKwargs))
	}
	return kwargs
}

// resolveNodegroups resolves -N and the N@ words of -C with the master
// config's nodegroups, as LocalClient._prep_pub does, so that the minions
// are published a compound expression. A group the config lacks is Salt's
// "Node group <name> unavailable in <config>" on stdout, exit 0 (Salt
// 3006.3's salt prints and exits so). done means the command ends here.
func (s *saltCmd) resolveNodegroups(j *jobSpec) (code int, done bool) {
	typ, tgt, err := target.ResolveNodegroups(s.tgtType, j.tgt, s.cfg.FileOptions().Nodegroups, s.cfg.ConfFile, s.log.Errorf)
	var unknown *target.UnknownNodegroupError
	switch {
	case errors.As(err, &unknown):
		fmt.Fprintln(s.stdout, unknown.Error())
		return exitOK, true
	case err != nil:
		s.errorf("%v", err)
		return exitNoReturn, true
	}
	s.tgtType, j.tgt = typ, tgt
	return 0, false
}
