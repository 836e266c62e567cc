// Package grains computes the facts a minion reports about its host: the
// grains of spec/salt-raet.md §6, with the names, values and types Salt 3006
// reports on Linux (salt/grains/core.py, extra.py, minion_process.py;
// spec/salt-3006-observed/06-grains.items.json).
//
// Grains are read from files (/proc, /sys, /etc, /run) under an injectable
// root, so tests run against fixture trees; uname, the network interfaces
// and the environment are injectable too. No command is run and no DNS
// query is made, so computing grains is fast and cannot hang. A missing or
// unreadable file leaves its grains out; nothing here fails.
//
// The OS grains follow Salt's two paths: for Debian, Ubuntu and the other
// distributions Salt trusts os-release for, os, os_family, osfullname,
// osrelease and oscodename come from os-release alone; for the rest (CentOS,
// RHEL, Fedora, Alpine, SUSE, ...) Salt's older heuristics apply, which also
// report lsb_distrib_* and take the most precise release number, such as
// 7.9.2009 from /etc/centos-release.
package grains
