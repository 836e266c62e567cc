// Package returners holds the minion's returners: what a job's return is
// also sent to when the publish names them (salt --return), after the
// return went to the master, as Salt 3006's minion does at the end of
// _thread_return (returners[name + ".returner"](ret)).
//
// Each returner is a file: syslog (salt/returners/syslog_return.py),
// rawfile_json (salt/returners/rawfile_json.py) and local_cache, which on
// a minion does nothing (the master's job cache is the local cache, and
// the return reached it already). Their options are read as
// salt.returners.get_returner_options reads them (options.go): the
// minion's config and pillar through config.option, the publish's
// ret_config naming another set, ret_kwargs over everything.
//
// Run is the minion's call: the returners of a comma-separated list, each
// once; an unknown one is Salt's error "Returner <name>.returner could not
// be loaded: '<name>.returner' is not available.", and a failing one is
// logged; neither touches the return the master has.
package returners
