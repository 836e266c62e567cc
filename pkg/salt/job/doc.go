// Package job holds what a Salt job is made of, apart from running it:
// job ids (salt.utils.jid), the master's local job cache
// (salt.returners.local_cache), the salt CLI's argument parsing
// (salt.utils.args.parse_input and yamlify_arg), and the loads that carry a
// job from the CLI to the master, from the master to the minions, and back
// (../shared/spec/salt-raet.md §3 and §4, spec/salt-payloads/).
//
// Loads are body.Map values, so their keys keep Salt's order and the bytes
// written to the wire or to the job cache (.load.p, return.p) are those
// salt.payload writes.
//
// Everything here returns errors and logs nothing; malformed input from the
// network is an error, never a panic.
package job
