package wheel

import (
	"maps"
	"slices"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// configValues is config.values: the master's options. Salt returns every
// option with its default; here the options the files set (Raw) and the
// master's main paths and settings as this implementation reads them,
// keys sorted.
func (w *Wheel) configValues() body.Map {
	o := w.opts
	all := map[string]any{
		"id": o.ID, "root_dir": o.RootDir, "conf_file": o.ConfFile, "pki_dir": o.PKIDir,
		"cachedir": o.Cachedir, "sock_dir": o.SockDir, "pidfile": o.Pidfile, "log_file": o.LogFile,
		"log_level": o.LogLevel, "user": o.User, "hash_type": o.HashType, "transport": o.Transport,
		"interface": o.Interface, "raet_port": o.RaetPort, "auto_accept": o.AutoAccept,
		"open_mode": o.OpenMode, "timeout": o.Timeout, "gather_job_timeout": o.GatherJobTimeout,
		"keep_jobs_seconds": o.KeepJobsSeconds, "job_cache": o.JobCache, "worker_threads": o.WorkerThreads,
		"file_roots": o.FileRoots,
	}
	maps.Copy(all, o.Raw)
	out := make(body.Map, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		out = append(out, body.Item{Key: k, Value: all[k]})
	}
	return out
}
