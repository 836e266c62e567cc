// The runtime reads the CPU count, affinity and cgroup quota once, at
// start, and keeps GOMAXPROCS: updating it as they change would have
// sysmon read them again (sched_getaffinity and the cgroup files) each
// time it wakes, and an idle daemon's keep-alive wakes it every period
// (BENCHMARKS.md, "Idle cost"). GOMAXPROCS in the environment still rules.

//go:debug updatemaxprocs=0

package main
