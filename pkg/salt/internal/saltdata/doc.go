// Package saltdata holds Salt's data helpers that more than one side
// needs (salt.utils.data and salt.utils.dictupdate): grains.filter_by is
// called by pillar templates on the master and as an execution function on
// the minion, and both must pick the same value.
package saltdata
